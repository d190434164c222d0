package message

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// A Param is one parameter of a Content-Type or Content-Disposition field
// (RFC 2045 section 5.1, RFC 2183 section 2).
type Param struct {
	Name  string // lower case
	Value string // decoded to UTF-8
}

// Params are parameters in the order they appear.
type Params []Param

// Get returns the value of the parameter named name (any case), or "".
func (ps Params) Get(name string) string {
	for _, p := range ps {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

// ErrInvalidMediaType is returned by ParseMediaType for a value with no
// usable media type.
var ErrInvalidMediaType = errors.New("message: invalid media type")

// ParseMediaType parses a Content-Type or Content-Disposition value (RFC
// 2045 section 5.1, RFC 2183 section 2): a type in lower case ("text/plain",
// "attachment") and its parameters. Parameter names are lower-cased and the
// first of two with the same name wins. RFC 2231 continuations
// ("name*0", "name*1"), charsets and languages ("name*=utf-8'ko'%ED%95%9C")
// are decoded and override a plain parameter of the same name. Real-world
// breakage is tolerated: unquoted values with spaces, unterminated quotes,
// stray semicolons, parameters without values, and RFC 2047 encoded words
// inside quoted values.
//
// The error is ErrInvalidMediaType when the type is empty or malformed; the
// parameters are returned all the same. Parameters after the 256th are
// ignored.
func ParseMediaType(v string) (string, Params, error) {
	mt, rest, _ := strings.Cut(v, ";")
	mt = strings.ToLower(strings.TrimSpace(stripComment(mt)))
	var err error
	if mt == "" || !isMediaType(mt) {
		err = ErrInvalidMediaType
	}
	if strings.TrimSpace(rest) == "" {
		return mt, nil, err
	}
	return mt, parseParams(rest), err
}

// stripComment removes an RFC 822 comment after a media type, as in
// "text/plain (plain text)".
func stripComment(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		return s[:i]
	}
	return s
}

func isMediaType(mt string) bool {
	slash := false
	for i := 0; i < len(mt); i++ {
		c := mt[i]
		if c == '/' {
			if slash || i == 0 || i == len(mt)-1 {
				return false
			}
			slash = true
			continue
		}
		if !isTokenChar(c) {
			return false
		}
	}
	return true
}

// isTokenChar reports whether c may appear in a token (RFC 2045 section
// 5.1: any CHAR except SPACE, CTLs and tspecials).
func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte(`()<>@,;:\"/[]?=`, c) < 0
}

// A section is one piece of an RFC 2231 parameter.
type section struct {
	index    int
	extended bool // "*" form: percent-encoded, charset in section 0
	value    string
}

// maxParams bounds the parameters ParseMediaType returns, and so the time
// spent on a hostile field; real fields carry a handful.
const maxParams = 256

func parseParams(s string) Params {
	var ps Params
	var split map[string][]section // RFC 2231 parameters by base name
	var bases []string             // their names in order of appearance
	for len(s) > 0 && len(ps) < maxParams {
		// Skip separators.
		for len(s) > 0 && (s[0] == ';' || isWSP(s[0]) || s[0] == '\r' || s[0] == '\n') {
			s = s[1:]
		}
		if s == "" {
			break
		}
		eq := strings.IndexAny(s, "=;")
		if eq < 0 || s[eq] == ';' {
			// A parameter without a value is ignored.
			if eq < 0 {
				break
			}
			s = s[eq:]
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t\r\n")
		var value string
		quoted := len(s) > 0 && s[0] == '"'
		if quoted {
			value, s = cutQuoted(s)
		} else {
			end := strings.IndexByte(s, ';')
			if end < 0 {
				end = len(s)
			}
			value, s = strings.TrimSpace(s[:end]), s[end:]
		}
		if name == "" {
			continue
		}
		if base, sec, ok := parseSection(name); ok {
			sec.value = value
			if split == nil {
				split = make(map[string][]section)
			}
			if split[base] == nil {
				bases = append(bases, base)
				if !hasParam(ps, base) {
					ps = append(ps, Param{Name: base}) // keeps its place
				}
			}
			split[base] = append(split[base], sec)
			continue
		}
		if strings.Contains(value, "=?") {
			value, _ = DecodeText(value)
		}
		if !hasParam(ps, name) {
			ps = append(ps, Param{name, value})
		}
	}
	for _, base := range bases {
		i := slices.IndexFunc(ps, func(p Param) bool { return p.Name == base })
		ps[i].Value = joinSections(split[base])
	}
	return ps
}

func hasParam(ps Params, name string) bool {
	return slices.ContainsFunc(ps, func(p Param) bool { return p.Name == name })
}

// cutQuoted returns the contents of the quoted string at the start of s
// with quoted pairs resolved, and what follows it. An unterminated string
// runs to the end of s.
func cutQuoted(s string) (string, string) {
	end := strings.IndexAny(s[1:], "\"\\")
	if end >= 0 && s[1+end] == '"' {
		return s[1 : 1+end], s[2+end:] // no quoted pairs: no copy
	}
	var b strings.Builder
	i := 1
	for ; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return b.String(), s[i+1:]
		}
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
		}
		b.WriteByte(c)
	}
	return b.String(), ""
}

// parseSection splits an RFC 2231 parameter name: "title*" (extended),
// "title*2" (continuation) and "title*2*" (both).
func parseSection(name string) (string, section, bool) {
	star := strings.IndexByte(name, '*')
	if star <= 0 {
		return "", section{}, false
	}
	base, rest := name[:star], name[star+1:]
	var sec section
	if strings.HasSuffix(rest, "*") {
		sec.extended = true
		rest = rest[:len(rest)-1]
	} else if rest == "" {
		sec.extended = true // "title*"
	}
	if rest != "" {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 {
			return "", section{}, false
		}
		sec.index = n
	}
	return base, sec, true
}

// joinSections decodes an RFC 2231 parameter: sections in index order,
// percent-encoded extended sections, the charset named by the first.
func joinSections(secs []section) string {
	slices.SortStableFunc(secs, func(a, b section) int { return a.index - b.index })
	var charset string
	var raw []byte
	for i, sec := range secs {
		if i > 0 && sec.index == secs[i-1].index {
			continue // a duplicate section
		}
		v := sec.value
		if sec.extended {
			if i == 0 {
				// charset'language'value (RFC 2231 section 4)
				if cs, rest, ok := strings.Cut(v, "'"); ok {
					if _, val, ok := strings.Cut(rest, "'"); ok {
						charset, v = cs, val
					}
				}
			}
			raw = appendPercentDecoded(raw, v)
		} else {
			raw = append(raw, v...)
		}
	}
	s, _ := DecodeCharset(charset, raw)
	return s
}

func appendPercentDecoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if b, ok := unhex2(s[i+1], s[i+2]); ok {
				dst = append(dst, b)
				i += 2
				continue
			}
		}
		dst = append(dst, s[i])
	}
	return dst
}

// maxParamSection is the longest encoded parameter section FormatMediaType
// writes before continuing in the next one, so that folded lines stay
// within 78 characters.
const maxParamSection = 60

// FormatMediaType formats a media type or disposition with parameters for
// a Content-Type or Content-Disposition field. Values are written as tokens
// when they can be and as quoted strings otherwise; values that are not
// ASCII, or too long for one line, use RFC 2231 (UTF-8, percent encoding,
// continuations).
func FormatMediaType(mediatype string, params Params) string {
	var b strings.Builder
	b.WriteString(mediatype)
	for _, p := range params {
		name := strings.ToLower(p.Name)
		v := p.Value
		ascii := isPrintableASCII(v)
		switch {
		case ascii && v != "" && isToken(v) && len(v) <= maxParamSection:
			b.WriteString("; " + name + "=" + v)
		case ascii && len(v) <= maxParamSection:
			b.WriteString("; " + name + "=" + quoteString(v))
		default:
			writeExtendedParam(&b, name, v)
		}
	}
	return b.String()
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < ' ' && c != '\t' {
			return false
		}
	}
	return true
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// writeExtendedParam writes name*=utf-8”value, continued over sections
// name*0*, name*1*, ... when long (RFC 2231 sections 3 and 4).
func writeExtendedParam(b *strings.Builder, name, v string) {
	const hexdigits = "0123456789ABCDEF"
	var secs []string
	var cur strings.Builder
	cur.WriteString("utf-8''")
	for i := 0; i < len(v); {
		// Keep UTF-8 sequences within one section.
		n := 1
		for i+n < len(v) && v[i+n]&0xc0 == 0x80 {
			n++
		}
		var enc strings.Builder
		for _, c := range []byte(v[i : i+n]) {
			if isTokenChar(c) && c != '%' && c != '*' && c != '\'' {
				enc.WriteByte(c)
			} else {
				enc.WriteByte('%')
				enc.WriteByte(hexdigits[c>>4])
				enc.WriteByte(hexdigits[c&15])
			}
		}
		if cur.Len()+enc.Len() > maxParamSection && cur.Len() > 0 {
			secs = append(secs, cur.String())
			cur.Reset()
		}
		cur.WriteString(enc.String())
		i += n
	}
	secs = append(secs, cur.String())
	if len(secs) == 1 {
		b.WriteString("; " + name + "*=" + secs[0])
		return
	}
	for i, s := range secs {
		b.WriteString("; " + name + "*" + strconv.Itoa(i) + "*=" + s)
	}
}
