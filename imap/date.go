package imap

import (
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// Layouts of RFC 3501 section 9: date-time is "dd-Mon-yyyy hh:mm:ss
// +zzzz" with a space-padded day; date is d-Mon-yyyy.
const (
	dateTimeLayout = "_2-Jan-2006 15:04:05 -0700"
	dateLayout     = "2-Jan-2006"
)

// readDateTime reads a date-time: a quoted string (RFC 3501 section 9).
func readDateTime(r *wire.Reader) (time.Time, error) {
	s, err := r.Quoted()
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(dateTimeLayout, s)
	if err != nil {
		return time.Time{}, &wire.SyntaxError{Msg: "bad date-time " + s}
	}
	return t, nil
}

// writeDateTime writes t as a quoted date-time.
func writeDateTime(w *wire.Writer, t time.Time) {
	var buf [32]byte
	b := append(buf[:0], '"')
	b = t.AppendFormat(b, dateTimeLayout)
	w.RawBytes(append(b, '"'))
}

// readDate reads a date: date-text or DQUOTE date-text DQUOTE, as SEARCH
// keys use it (RFC 3501 section 9). The result is midnight UTC.
func readDate(r *wire.Reader) (time.Time, error) {
	s, err := r.AString()
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, &wire.SyntaxError{Msg: "bad date " + s}
	}
	return t, nil
}

// writeDate writes the calendar date of t as date-text.
func writeDate(w *wire.Writer, t time.Time) {
	var buf [16]byte
	w.RawBytes(t.AppendFormat(buf[:0], dateLayout))
}
