package imap

import (
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// readCommandHead reads the start of a command line (RFC 3501 section 9,
// command): tag SP name, with "UID" joined to the command it prefixes so
// that names match the keys of the state table ("UID FETCH"). The reader
// is left before the arguments' SP, or at the CRLF.
func readCommandHead(r *wire.Reader) (tag, name string, err error) {
	if tag, err = r.Tag(); err != nil {
		return "", "", err
	}
	if err = r.SP(); err != nil {
		return tag, "", err
	}
	if name, err = readCommandName(r); err != nil {
		return tag, "", err
	}
	if name == "UID" {
		if err = r.SP(); err != nil {
			return tag, name, err
		}
		sub, err := readCommandName(r)
		if err != nil {
			return tag, name, err
		}
		name = "UID " + sub
	}
	return tag, name, nil
}

// readCommandName reads a command name atom and upper-cases it: command
// names are case-insensitive (RFC 3501 section 9).
func readCommandName(r *wire.Reader) (string, error) {
	b, err := r.AtomBytes()
	if err != nil {
		return "", err
	}
	if _, ok := transitions[string(b)]; ok || string(b) == "UID" {
		return string(b), nil
	}
	return strings.ToUpper(string(b)), nil
}

// writeCommandHead writes "tag NAME".
func writeCommandHead(w *wire.Writer, tag, name string) {
	w.Raw(tag).SP().Raw(name)
}
