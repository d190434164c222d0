package message

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Text returns the value of the first field named key with its encoded
// words decoded (RFC 2047 section 6.2), for unstructured fields such as
// Subject. Raw UTF-8 (RFC 6532) passes through. The error is a
// *CharsetError when an encoded word names an unknown charset; the text is
// returned all the same.
//
// Raw 8-bit text that is not UTF-8, which RFC 5322 forbids but old mailers
// send, is decoded from the charset of the Content-Type field, as mail
// readers do.
func (h *Header) Text(key string) (string, error) {
	return DecodeText(h.fallbackDecode(h.Get(key)))
}

// fallbackDecode converts a value with 8-bit bytes that are not UTF-8 from
// the charset named by Content-Type, if any.
func (h *Header) fallbackDecode(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	_, params, err := ParseMediaType(h.Get("Content-Type"))
	if cs := params.Get("charset"); err == nil && cs != "" {
		if d, err := DecodeCharset(cs, []byte(v)); err == nil && utf8.ValidString(d) {
			return d
		}
	}
	return v
}

// SetText sets an unstructured field to s, written with encoded words where
// s needs them and only there (RFC 2047 section 5 (1)).
func (h *Header) SetText(key, s string) {
	h.Set(key, EncodeText(s))
}

// AddressList parses the first field named key as an address list (RFC
// 5322 section 3.4), as ParseAddressList does, with the fallback for raw
// 8-bit text that Text describes. It returns nil and no error when there
// is no such field.
func (h *Header) AddressList(key string) ([]*Address, error) {
	v := h.Get(key)
	if v == "" {
		return nil, nil
	}
	return ParseAddressList(h.fallbackDecode(v))
}

// SetAddressList sets an address field such as From or To.
func (h *Header) SetAddressList(key string, list []*Address) {
	h.Set(key, FormatAddressList(list))
}

// Date parses the Date field (RFC 5322 section 3.6.1) as ParseDate does.
func (h *Header) Date() (time.Time, error) {
	return ParseDate(h.Get("Date"))
}

// SetDate sets the Date field (RFC 5322 section 3.6.1).
func (h *Header) SetDate(t time.Time) {
	h.Set("Date", FormatDate(t))
}

// ContentType parses the Content-Type field (RFC 2045 section 5). With no
// field, or one whose type cannot be parsed, it returns the RFC 2045
// section 5.2 default, text/plain in US-ASCII, along with the parsing
// error if any.
func (h *Header) ContentType() (string, Params, error) {
	v := h.Get("Content-Type")
	if v == "" {
		return "text/plain", Params{{"charset", "us-ascii"}}, nil
	}
	mt, params, err := ParseMediaType(v)
	if err != nil || !strings.Contains(mt, "/") {
		return "text/plain", Params{{"charset", "us-ascii"}}, ErrInvalidMediaType
	}
	return mt, params, nil
}

// SetContentType sets the Content-Type field.
func (h *Header) SetContentType(mediatype string, params Params) {
	h.Set("Content-Type", FormatMediaType(mediatype, params))
}

// ContentDisposition parses the Content-Disposition field (RFC 2183) as
// ParseMediaType does; the disposition is "" when there is none.
func (h *Header) ContentDisposition() (string, Params, error) {
	v := h.Get("Content-Disposition")
	if v == "" {
		return "", nil, nil
	}
	return ParseMediaType(v)
}

// SetContentDisposition sets the Content-Disposition field (RFC 2183).
func (h *Header) SetContentDisposition(disposition string, params Params) {
	h.Set("Content-Disposition", FormatMediaType(disposition, params))
}
