package sasl

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
)

// MaxClientRounds bounds the challenges RunClient answers in one
// exchange, so that a server cannot keep a client answering forever. The
// mechanisms here need at most two (SCRAM); the next one cancels.
const MaxClientRounds = 16

// ClientTransport is what RunClient needs of a protocol client: SMTP's
// AUTH with 334 replies (RFC 4954 section 4), POP3's AUTH with "+ "
// lines (RFC 5034 section 4), IMAP's AUTHENTICATE with continuations and
// SASL-IR (RFC 3501 section 6.2.2, RFC 4959). RunClient does the base64
// coding; the transport frames lines, hides them from debug output and
// reads replies within its line limits.
type ClientTransport interface {
	// Channel returns the connection's TLS state (nil without TLS) and
	// the mechanisms the server offers (nil when unknown), for channel
	// binding.
	Channel() (cs *tls.ConnectionState, offered []string)
	// Start sends the command that opens the exchange of mech. initial
	// is the initial response in base64, "=" when empty, or "" when the
	// mechanism has none. Start reports whether it sent initial on the
	// command line; when it did not (IMAP without SASL-IR, a POP3 line
	// over 255 octets) RunClient sends it in answer to the server's
	// first, empty challenge (RFC 4422 section 5, item 2a). Start may
	// refuse mech (not offered, not a valid name) before sending.
	Start(mech, initial string) (sent bool, err error)
	// Read reads the server's next message: a challenge (its base64
	// text), or the outcome with done set and a nil error for success,
	// the protocol's error for failure.
	Read() (challenge string, done bool, err error)
	// Write sends one response line: base64 text, or "*" to cancel.
	Write(line string) error
}

// ErrOutOfSync reports a server that went on challenging after the
// client cancelled: the connection no longer follows the protocol and
// should be closed.
var ErrOutOfSync = errors.New("sasl: server sent a challenge after the client cancelled")

// ErrServerNotVerified reports a server that declared success before
// proving that it knows the credentials (RFC 5802 section 5). The
// exchange must be treated as failed; close the connection.
var ErrServerNotVerified = errors.New("sasl: server reported success without proving its identity")

// RunClient runs mech over t until the server's outcome and returns nil
// on success. An error of mech, a challenge that is not base64, or more
// than MaxClientRounds challenges cancel the exchange with "*" (RFC 4422
// section 3.5); the outcome the server then sends is read and the reason
// returned.
func RunClient(mech Client, t ClientTransport) error {
	if b, ok := mech.(ChannelBinder); ok {
		b.Bind(t.Channel())
	}
	name, ir, err := mech.Start()
	if err != nil {
		return err
	}
	initial := ""
	if ir != nil {
		initial = encodeInitial(ir)
	}
	sent, err := t.Start(name, initial)
	if err != nil {
		return err
	}
	pending := ir != nil && !sent
	for round := 0; ; round++ {
		text, done, err := t.Read()
		if err != nil {
			return err
		}
		if done {
			if m, ok := mech.(MutualClient); ok && !m.Verified() {
				return ErrServerNotVerified
			}
			return nil
		}
		resp, cerr := answer(mech, text, round, &pending, ir)
		if cerr != nil {
			return cancel(t, name, cerr)
		}
		if err := t.Write(base64.StdEncoding.EncodeToString(resp)); err != nil {
			return err
		}
	}
}

// answer computes the response to one challenge. A pending initial
// response answers the first challenge whatever it says: servers differ
// in what they put in that empty challenge.
func answer(mech Client, text string, round int, pending *bool, ir []byte) ([]byte, error) {
	if *pending {
		*pending = false
		return ir, nil
	}
	if round >= MaxClientRounds {
		return nil, fmt.Errorf("more than %d challenges", MaxClientRounds)
	}
	ch, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("malformed challenge: %w", err)
	}
	return mech.Next(ch)
}

// cancel sends "*" and reads the outcome the server owes (RFC 4422
// section 3.5: the server fails the exchange).
func cancel(t ClientTransport, mech string, cause error) error {
	cerr := fmt.Errorf("sasl: %s cancelled: %w", mech, cause)
	if err := t.Write("*"); err != nil {
		return errors.Join(cerr, err)
	}
	_, done, err := t.Read()
	if err == nil && !done {
		return errors.Join(cerr, ErrOutOfSync)
	}
	return cerr
}

// encodeInitial encodes an initial response: base64, or "=" for an
// empty one (RFC 4954 section 4, RFC 5034 section 4, RFC 4959 section
// 3).
func encodeInitial(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}
