package imap

import (
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// StatusOptions selects the STATUS data items (RFC 3501 section 6.3.10).
type StatusOptions struct {
	NumMessages   bool // MESSAGES
	NumRecent     bool // RECENT (not in IMAP4rev2)
	UIDNext       bool
	UIDValidity   bool
	NumUnseen     bool // UNSEEN
	NumDeleted    bool // DELETED (RFC 9051 section 6.3.11)
	Size          bool // SIZE (RFC 8438)
	HighestModSeq bool // HIGHESTMODSEQ (RFC 7162 section 3.1.8)
	AppendLimit   bool // APPENDLIMIT (RFC 7889)
}

// StatusData is a STATUS response (RFC 3501 section 7.2.4). A nil pointer
// is an item the server did not send.
type StatusData struct {
	Mailbox       string
	NumMessages   *uint32
	NumRecent     *uint32
	UIDNext       uint32
	UIDValidity   uint32
	NumUnseen     *uint32
	NumDeleted    *uint32
	Size          *int64
	HighestModSeq uint64
	AppendLimit   *uint64
}

// statusItemNames pairs each option with its wire name.
func (o *StatusOptions) names() []string {
	var names []string
	for _, x := range []struct {
		ok   bool
		name string
	}{
		{o.NumMessages, "MESSAGES"}, {o.NumRecent, "RECENT"}, {o.UIDNext, "UIDNEXT"},
		{o.UIDValidity, "UIDVALIDITY"}, {o.NumUnseen, "UNSEEN"}, {o.NumDeleted, "DELETED"},
		{o.Size, "SIZE"}, {o.HighestModSeq, "HIGHESTMODSEQ"}, {o.AppendLimit, "APPENDLIMIT"},
	} {
		if x.ok {
			names = append(names, x.name)
		}
	}
	return names
}

// writeStatusOptions writes the parenthesized status-att list.
func writeStatusOptions(w *wire.Writer, o *StatusOptions) {
	w.Open().Raw(strings.Join(o.names(), " ")).Close()
}

// readStatusOptions reads a status-att list, for a server.
func readStatusOptions(r *wire.Reader) (*StatusOptions, error) {
	o := new(StatusOptions)
	err := r.List(func() error {
		b, err := r.AtomBytes()
		if err != nil {
			return err
		}
		switch strings.ToUpper(string(b)) {
		case "MESSAGES":
			o.NumMessages = true
		case "RECENT":
			o.NumRecent = true
		case "UIDNEXT":
			o.UIDNext = true
		case "UIDVALIDITY":
			o.UIDValidity = true
		case "UNSEEN":
			o.NumUnseen = true
		case "DELETED":
			o.NumDeleted = true
		case "SIZE":
			o.Size = true
		case "HIGHESTMODSEQ":
			o.HighestModSeq = true
		case "APPENDLIMIT":
			o.AppendLimit = true
		default:
			return &wire.SyntaxError{Msg: "unknown status item " + string(b)}
		}
		return nil
	})
	return o, err
}

// readStatusData reads mailbox SP "(" [status-att-val *(SP
// status-att-val)] ")" after "* STATUS ".
func readStatusData(r *wire.Reader, utf8 bool) (*StatusData, error) {
	name, err := r.AString()
	if err != nil {
		return nil, err
	}
	d := &StatusData{Mailbox: decodeMailbox(name, utf8)}
	if err := r.SP(); err != nil {
		return nil, err
	}
	err = r.List(func() error { return readStatusItem(r, d) })
	return d, err
}

func readStatusItem(r *wire.Reader, d *StatusData) error {
	b, err := r.AtomBytes()
	if err != nil {
		return err
	}
	item := strings.ToUpper(string(b))
	if err := r.SP(); err != nil {
		return err
	}
	if item == "APPENDLIMIT" && r.NIL() {
		return nil
	}
	n, err := r.Number64()
	if err != nil {
		return err
	}
	n32 := uint32(n)
	switch item {
	case "MESSAGES":
		d.NumMessages = &n32
	case "RECENT":
		d.NumRecent = &n32
	case "UIDNEXT":
		d.UIDNext = n32
	case "UIDVALIDITY":
		d.UIDValidity = n32
	case "UNSEEN":
		d.NumUnseen = &n32
	case "DELETED":
		d.NumDeleted = &n32
	case "SIZE":
		size := int64(n)
		d.Size = &size
	case "HIGHESTMODSEQ":
		d.HighestModSeq = n
	case "APPENDLIMIT":
		d.AppendLimit = &n
	}
	return nil
}

// writeStatusData writes "* STATUS mailbox (...)" CRLF.
func writeStatusData(w *wire.Writer, d *StatusData) {
	w.Raw("* STATUS ")
	writeMailbox(w, d.Mailbox)
	w.Raw(" (")
	n := 0
	item := func(name string) *wire.Writer {
		w.Sep(n).Raw(name).SP()
		n++
		return w
	}
	if d.NumMessages != nil {
		item("MESSAGES").Number(*d.NumMessages)
	}
	if d.NumRecent != nil {
		item("RECENT").Number(*d.NumRecent)
	}
	if d.UIDNext != 0 {
		item("UIDNEXT").Number(d.UIDNext)
	}
	if d.UIDValidity != 0 {
		item("UIDVALIDITY").Number(d.UIDValidity)
	}
	if d.NumUnseen != nil {
		item("UNSEEN").Number(*d.NumUnseen)
	}
	if d.NumDeleted != nil {
		item("DELETED").Number(*d.NumDeleted)
	}
	if d.Size != nil {
		item("SIZE").Number64(uint64(*d.Size))
	}
	if d.HighestModSeq != 0 {
		item("HIGHESTMODSEQ").Number64(d.HighestModSeq)
	}
	if d.AppendLimit != nil {
		item("APPENDLIMIT").Number64(*d.AppendLimit)
	}
	w.Raw(")\r\n")
}
