package message

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidHeader is matched (errors.Is) by the errors a Builder returns
// for a header field it cannot write as RFC 5322 section 2.2 asks, or one
// it writes itself.
var ErrInvalidHeader = errors.New("message: invalid header field")

// Fields the Builder writes itself, and so refuses from its caller.
var (
	messageFields = []string{"Content-Type", "Content-Transfer-Encoding"}
	partFields    = []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition"}
)

// checkedFields returns the fields of h checked and rebuilt from their
// values, so that what a Builder writes is folded and ended with CRLF as
// the Writer does, whatever the form h was read in. A field named in
// managed, a field name that is not RFC 5322 section 2.2 ftext, a value
// with control characters or ill-formed UTF-8 (RFC 6532 section 3.2), or a
// word too long for a line of 998 octets (section 2.1.1) is refused.
func checkedFields(h *Header, managed []string) (Header, error) {
	var out Header
	out.fields = make([]Field, 0, h.Len())
	for i := range h.fields {
		f := &h.fields[i]
		if err := checkFieldName(f.Key); err != nil {
			return Header{}, err
		}
		for _, m := range managed {
			if strings.EqualFold(f.Key, m) {
				return Header{}, fmt.Errorf("%w: %s is written by the Builder", ErrInvalidHeader, m)
			}
		}
		v := f.Value()
		if err := checkFieldValue(f.Key, v); err != nil {
			return Header{}, err
		}
		out.fields = append(out.fields, Field{Key: f.Key, value: v})
	}
	return out, nil
}

// checkFieldName checks a field name: one or more printable ASCII
// characters other than colon (RFC 5322 section 2.2).
func checkFieldName(k string) error {
	if k == "" {
		return fmt.Errorf("%w: a line without a field name", ErrInvalidHeader)
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 33 || c > 126 || c == ':' {
			return fmt.Errorf("%w: field name %q", ErrInvalidHeader, k)
		}
	}
	return nil
}

// checkFieldValue checks an unfolded field value: no control character but
// HTAB (RFC 5322 section 2.2.1, which the line ends Header.Set replaces
// already are), UTF-8 (RFC 6532 section 3.2), and no run of text without
// white space that folding could not bring under 998 octets a line (RFC
// 5322 section 2.1.1).
func checkFieldValue(k, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s: ill-formed UTF-8", ErrInvalidHeader, k)
	}
	// line is the length of the line so far as appendFolded writes it:
	// the first word after "key: ", every later one on a line of its own
	// (its leading white space included) when the line would pass 78.
	line := len(k) + len(": ")
	if line > maxLine {
		return fmt.Errorf("%w: field name of %d octets", ErrInvalidHeader, len(k))
	}
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("%w: %s: control character %#02x", ErrInvalidHeader, k, c)
		}
		if isWSP(c) && !space {
			line = 0
		}
		space = isWSP(c)
		if line++; line > maxLine {
			return fmt.Errorf("%w: %s: a word too long to fold within %d octets", ErrInvalidHeader, k, maxLine)
		}
	}
	return nil
}

// checkEncoding checks a BodyPart.Encoding: a transfer encoding of RFC
// 2045 section 6.1, or "" to let the Builder choose.
func checkEncoding(e string) (string, error) {
	e = strings.ToLower(strings.TrimSpace(e))
	switch e {
	case "", "7bit", "8bit", "binary", "quoted-printable", "base64":
		return e, nil
	}
	return "", fmt.Errorf("%w: Content-Transfer-Encoding %q", ErrInvalidHeader, e)
}

// checkContentID returns a Content-ID field value (RFC 2045 section 7,
// in msg-id form, RFC 5322 section 3.6.4) for id, written with or without
// its angle brackets: printable ASCII without white space or brackets.
func checkContentID(id string) (string, error) {
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if id == "" {
		return "", fmt.Errorf("%w: empty Content-ID", ErrInvalidHeader)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return "", fmt.Errorf("%w: Content-ID %q", ErrInvalidHeader, id)
		}
	}
	return "<" + id + ">", nil
}
