package message

import (
	"errors"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ErrUnknownCharset is matched (errors.Is) by every CharsetError.
var ErrUnknownCharset = errors.New("message: unknown charset")

// A CharsetError reports a charset that no decoder is known for. Readers
// that return it still deliver the text undecoded, so a caller may choose
// to ignore it.
type CharsetError struct {
	Charset string
}

// Error names the charset.
func (e *CharsetError) Error() string { return "message: unknown charset " + quoteForError(e.Charset) }

// Is reports whether target is ErrUnknownCharset.
func (e *CharsetError) Is(target error) bool { return target == ErrUnknownCharset }

func quoteForError(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}

// lookupCharset returns the encoding for a MIME charset name (RFC 2045
// section 5.1, RFC 2046 section 4.1.2), or nil with no error for UTF-8 and
// US-ASCII, whose bytes pass through unchanged (8-bit bytes in text labelled
// US-ASCII are left for the caller rather than replaced).
//
// Names are looked up first in the WHATWG Encoding Standard's list
// (htmlindex), because its mappings are what mail senders mean in practice:
// "iso-8859-1" text is decoded as windows-1252, "ks_c_5601-1987" and
// "euc-kr" as the Unified Hangul Code superset of EUC-KR, "gb2312" as GBK.
// Then the IANA registry (ianaindex) is consulted. UTF-16 without a byte
// order mark is big-endian, as RFC 2781 section 4.3 says, and ISO-2022-KR
// (RFC 1557), absent from golang.org/x/text, is decoded here.
func lookupCharset(name string) (encoding.Encoding, error) {
	cs := strings.ToLower(strings.Trim(name, " \t\"'"))
	switch cs {
	case "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "":
		return nil, nil
	case "utf-16", "utf16":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), nil
	case "iso-2022-kr", "csiso2022kr":
		return iso2022KR{}, nil
	case "cp949", "uhc", "x-windows-949", "ks_c_5601", "euckr":
		return korean.EUCKR, nil
	}
	if e, err := htmlindex.Get(cs); err == nil && e != encoding.Replacement {
		return e, nil
	}
	if e, err := ianaindex.MIME.Encoding(cs); err == nil && e != nil {
		return e, nil
	}
	return nil, &CharsetError{Charset: name}
}

// NewCharsetReader returns a reader that decodes r from the named charset
// to UTF-8. For UTF-8 and US-ASCII it returns r itself. For an unknown
// charset it returns r itself and a *CharsetError.
func NewCharsetReader(charset string, r io.Reader) (io.Reader, error) {
	e, err := lookupCharset(charset)
	if err != nil || e == nil {
		return r, err
	}
	return transform.NewReader(r, e.NewDecoder()), nil
}

// DecodeCharset decodes b from the named charset to UTF-8. For an unknown
// charset it returns b unchanged and a *CharsetError.
func DecodeCharset(charset string, b []byte) (string, error) {
	e, err := lookupCharset(charset)
	if err != nil || e == nil {
		return string(b), err
	}
	s, _, err := transform.Bytes(e.NewDecoder(), b)
	if err != nil {
		return string(b), err
	}
	return string(s), nil
}
