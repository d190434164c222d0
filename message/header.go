package message

import (
	"bytes"
	"io"
	"slices"
	"strings"
)

// A Field is one header field (RFC 5322 section 2.2): a name, a colon and
// a value that may be folded over several lines.
type Field struct {
	// Key is the field name as written, case preserved. It is empty for a
	// malformed line that has no colon (such as an mbox "From " line); such
	// lines are kept so that the header writes back unchanged.
	Key   string
	raw   []byte // the field as read, line ends included; nil if built
	value string // the value of a built field
}

// Value returns the field body unfolded (RFC 5322 section 2.2.3: every line
// end followed by white space is removed) and trimmed of surrounding white
// space. Encoded words are left as they are; see Header.Text.
func (f Field) Value() string {
	if f.raw == nil {
		return f.value
	}
	v := f.raw
	if i := bytes.IndexByte(v, ':'); i >= 0 && f.Key != "" {
		v = v[i+1:]
	} else if f.Key != "" {
		v = nil
	}
	return unfold(v)
}

// Raw returns the field exactly as it was read, line ends included, or nil
// for a field added or changed by the program.
func (f Field) Raw() []byte { return f.raw }

// unfold removes the line ends of a folded value and trims white space.
func unfold(v []byte) string {
	v = trimWSP(v)
	if bytes.IndexByte(v, '\n') < 0 {
		return string(v)
	}
	var b strings.Builder
	b.Grow(len(v))
	for len(v) > 0 {
		i := bytes.IndexByte(v, '\n')
		if i < 0 {
			b.Write(v)
			break
		}
		line := v[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		b.Write(line)
		v = v[i+1:]
	}
	return b.String()
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// trimWSP trims white space and line ends from both sides of b.
func trimWSP(b []byte) []byte {
	for len(b) > 0 && (isWSP(b[0]) || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (isWSP(b[len(b)-1]) || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// A Header is a header section (RFC 5322 section 2.2): fields in the order
// they appear. Lookups ignore the case of field names. Fields that were
// read and not changed keep their raw bytes, so WriteTo reproduces the
// section exactly; fields added or changed are written folded at 78
// characters (RFC 5322 section 2.1.1).
//
// The zero Header is empty and ready to use.
type Header struct {
	fields []Field
	// end is the empty line that closed the section as read; nil after
	// reading a section that ran to the end of the input.
	end []byte
	// read is set for a section that came from ReadHeader.
	read bool
	// cut is set when fields past a limit were dropped (see
	// ReadHeaderTruncated).
	cut bool
	// lf is set when the section as read used bare LF line ends; fields
	// added later then use LF too, so the message stays consistent.
	lf bool
}

// Clone returns a copy of h that can be changed without changing h.
func (h *Header) Clone() Header {
	c := *h
	c.fields = slices.Clone(h.fields)
	return c
}

// Len returns the number of fields.
func (h *Header) Len() int { return len(h.fields) }

// At returns the i'th field, 0 <= i < Len().
func (h *Header) At(i int) Field { return h.fields[i] }

// Get returns the value of the first field named key (compared without
// regard to case), or "" if there is none.
func (h *Header) Get(key string) string {
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Key, key) {
			return h.fields[i].Value()
		}
	}
	return ""
}

// Has reports whether a field named key exists.
func (h *Header) Has(key string) bool {
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Key, key) {
			return true
		}
	}
	return false
}

// Values returns the values of all fields named key, in order.
func (h *Header) Values(key string) []string {
	var vs []string
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Key, key) {
			vs = append(vs, h.fields[i].Value())
		}
	}
	return vs
}

// Add appends a field. Line ends in value are replaced by spaces, so a
// value cannot inject fields; value must already be in its wire form (see
// SetText for text that may need encoded words).
func (h *Header) Add(key, value string) {
	h.fields = append(h.fields, Field{Key: key, value: sanitizeValue(value)})
}

// Set replaces the first field named key with value and removes the others;
// with no such field it appends one. Values are sanitized as in Add.
func (h *Header) Set(key, value string) {
	value = sanitizeValue(value)
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Key, key) {
			h.fields[i] = Field{Key: h.fields[i].Key, value: value}
			h.delFrom(key, i+1)
			return
		}
	}
	h.fields = append(h.fields, Field{Key: key, value: value})
}

// Del removes every field named key.
func (h *Header) Del(key string) { h.delFrom(key, 0) }

func (h *Header) delFrom(key string, start int) {
	j := start
	for i := start; i < len(h.fields); i++ {
		if !strings.EqualFold(h.fields[i].Key, key) {
			h.fields[j] = h.fields[i]
			j++
		}
	}
	clear(h.fields[j:])
	h.fields = h.fields[:j]
}

func sanitizeValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(v)
	}
	return strings.TrimSpace(v)
}

// lineEnd is the line end used for fields written by the program.
func (h *Header) lineEnd() string {
	if h.lf {
		return "\n"
	}
	return "\r\n"
}

// WriteTo writes the header section and the empty line that ends it.
// Unchanged fields are written as they were read.
func (h *Header) WriteTo(w io.Writer) (int64, error) {
	var buf []byte
	var total int64
	eol := h.lineEnd()
	for i := range h.fields {
		f := &h.fields[i]
		if f.raw != nil {
			buf = append(buf, f.raw...)
		} else {
			buf = appendFolded(buf, f.Key, f.value, eol)
		}
		if len(buf) >= 4096 {
			n, err := w.Write(buf)
			total += int64(n)
			if err != nil {
				return total, err
			}
			buf = buf[:0]
		}
	}
	switch {
	case h.end != nil:
		buf = append(buf, h.end...)
	case !h.read:
		buf = append(buf, eol...)
	}
	n, err := w.Write(buf)
	return total + int64(n), err
}

// maxLineLen is where written fields fold: RFC 5322 section 2.1.1 asks for
// lines of at most 78 characters, line end excluded.
const maxLineLen = 78

// appendFolded appends "key: value" folded at white space so that lines
// stay within maxLineLen where the value allows it (a run of text with no
// white space longer than a line is never broken).
func appendFolded(buf []byte, key, value, eol string) []byte {
	lineStart := len(buf)
	buf = append(buf, key...)
	buf = append(buf, ':')
	if value == "" {
		return append(buf, eol...)
	}
	buf = append(buf, ' ')
	for len(value) > 0 {
		// The next word is the leading white space and the text up to the
		// next white space.
		i := 0
		for i < len(value) && isWSP(value[i]) {
			i++
		}
		for i < len(value) && !isWSP(value[i]) {
			i++
		}
		word := value[:i]
		value = value[i:]
		if len(buf)-lineStart+len(word) > maxLineLen && len(word) > 0 && isWSP(word[0]) && len(buf) > lineStart+len(key)+2 {
			buf = append(buf, eol...)
			lineStart = len(buf)
		}
		buf = append(buf, word...)
	}
	return append(buf, eol...)
}
