package imap

import (
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// BodyStructure is the BODY or BODYSTRUCTURE fetch item (RFC 3501 section
// 7.4.2): the MIME structure of a message as the server parsed it, nested
// for multiparts and message/rfc822 parts.
type BodyStructure struct {
	Type    string // lower case, e.g. "text"; "multipart" for multiparts
	Subtype string // lower case, e.g. "plain"

	// Fields of a single part (body-fields).
	Params      []Param // body-fld-param; for multiparts part of the extension data
	ID          string
	Description string
	Encoding    string // body-fld-enc as sent, e.g. "7BIT", "BASE64"
	Size        uint32 // body-fld-octets: bytes of the encoded body

	// Lines is body-fld-lines, for text/* and message/rfc822.
	Lines uint32
	// Envelope and Body describe the message inside a message/rfc822 (and
	// message/global, RFC 6532) part.
	Envelope *Envelope
	Body     *BodyStructure

	// Children are the parts of a multipart.
	Children []*BodyStructure

	// Extension data (BODYSTRUCTURE only). Ext counts how many extension
	// fields the server sent: 0 for BODY, up to 4 (through Location).
	Ext         int
	MD5         string // single parts: body-fld-md5
	Disposition *Disposition
	Language    []string
	Location    string
}

// Param is one MIME parameter (attribute = value).
type Param struct {
	Name, Value string
}

// Disposition is body-fld-dsp: Content-Disposition's value and parameters.
type Disposition struct {
	Value  string
	Params []Param
}

// IsMultipart reports whether b is a multipart.
func (b *BodyStructure) IsMultipart() bool { return b.Type == "multipart" }

// Param returns the value of parameter name (case-insensitive).
func (b *BodyStructure) Param(name string) string {
	for _, p := range b.Params {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

// Walk calls fn for b and every part below it with its part number
// (RFC 3501 section 6.4.5: "1", "2.1", ...; the root of a single-part
// message is "1", the root of a multipart has none).
func (b *BodyStructure) Walk(fn func(part []int, b *BodyStructure) bool) {
	if b.IsMultipart() {
		b.walk(nil, fn)
	} else {
		b.walk([]int{1}, fn)
	}
}

func (b *BodyStructure) walk(part []int, fn func([]int, *BodyStructure) bool) {
	if !fn(part, b) {
		return
	}
	for i, c := range b.Children {
		c.walk(append(part[:len(part):len(part)], i+1), fn)
	}
	if b.Body != nil {
		if b.Body.IsMultipart() {
			b.Body.walk(part, fn)
		} else {
			b.Body.walk(append(part[:len(part):len(part)], 1), fn)
		}
	}
}

// readBodyStructure reads body (RFC 3501 section 9):
// "(" (body-type-1part / body-type-mpart) ")".
func readBodyStructure(r *wire.Reader) (*BodyStructure, error) {
	b := new(BodyStructure)
	if err := r.Enter(); err != nil {
		return nil, err
	}
	defer r.Leave()
	if err := r.Expect('('); err != nil {
		return nil, err
	}
	c, err := r.Peek()
	if err != nil {
		return nil, err
	}
	if c == '(' {
		err = readMultipart(r, b)
	} else {
		err = readSinglePart(r, b)
	}
	if err != nil {
		return nil, err
	}
	return b, r.Expect(')')
}

// readMultipart reads body-type-mpart: 1*body SP media-subtype
// [SP body-ext-mpart].
func readMultipart(r *wire.Reader, b *BodyStructure) error {
	b.Type = "multipart"
	for {
		c, err := r.Peek()
		if err != nil {
			return err
		}
		if c != '(' {
			break
		}
		child, err := readBodyStructure(r)
		if err != nil {
			return err
		}
		b.Children = append(b.Children, child)
		r.Accept(' ') // some servers separate the parts
	}
	sub, err := r.String()
	if err != nil {
		return err
	}
	b.Subtype = strings.ToLower(sub)
	if !r.Accept(' ') {
		return nil
	}
	b.Ext = 1
	if b.Params, err = readParams(r); err != nil {
		return err
	}
	return readExtTail(r, b)
}

// readSinglePart reads body-type-1part: (body-type-basic / body-type-msg /
// body-type-text) [SP body-ext-1part].
func readSinglePart(r *wire.Reader, b *BodyStructure) error {
	typ, err := r.String()
	if err != nil {
		return err
	}
	if err := r.SP(); err != nil {
		return err
	}
	sub, err := r.String()
	if err != nil {
		return err
	}
	b.Type, b.Subtype = strings.ToLower(typ), strings.ToLower(sub)
	if err := r.SP(); err != nil {
		return err
	}
	if err := readBodyFields(r, b); err != nil {
		return err
	}
	switch {
	case b.Type == "message" && (b.Subtype == "rfc822" || b.Subtype == "global"):
		if err := r.SP(); err != nil {
			return err
		}
		if b.Envelope, err = readEnvelope(r); err != nil {
			return err
		}
		if err := r.SP(); err != nil {
			return err
		}
		if b.Body, err = readBodyStructure(r); err != nil {
			return err
		}
		if err := r.SP(); err != nil {
			return err
		}
		if b.Lines, err = r.Number(); err != nil {
			return err
		}
	case b.Type == "text":
		if err := r.SP(); err != nil {
			return err
		}
		if b.Lines, err = r.Number(); err != nil {
			return err
		}
	}
	if !r.Accept(' ') {
		return nil
	}
	b.Ext = 1
	if b.MD5, _, err = r.NString(); err != nil {
		return err
	}
	return readExtTail(r, b)
}

// readBodyFields reads body-fields: body-fld-param SP body-fld-id SP
// body-fld-desc SP body-fld-enc SP body-fld-octets.
func readBodyFields(r *wire.Reader, b *BodyStructure) error {
	var err error
	if b.Params, err = readParams(r); err != nil {
		return err
	}
	if err = r.SP(); err != nil {
		return err
	}
	if b.ID, _, err = r.NString(); err != nil {
		return err
	}
	if err = r.SP(); err != nil {
		return err
	}
	if b.Description, _, err = r.NString(); err != nil {
		return err
	}
	if err = r.SP(); err != nil {
		return err
	}
	if b.Encoding, _, err = r.NString(); err != nil { // NIL seen in the wild
		return err
	}
	if err = r.SP(); err != nil {
		return err
	}
	b.Size, err = r.Number()
	return err
}

// readExtTail reads the extension fields shared by single parts and
// multiparts after their first one: [SP body-fld-dsp [SP body-fld-lang
// [SP body-fld-loc *(SP body-extension)]]].
func readExtTail(r *wire.Reader, b *BodyStructure) error {
	var err error
	if !r.Accept(' ') {
		return nil
	}
	b.Ext = 2
	if b.Disposition, err = readDisposition(r); err != nil {
		return err
	}
	if !r.Accept(' ') {
		return nil
	}
	b.Ext = 3
	if b.Language, err = readLanguage(r); err != nil {
		return err
	}
	if !r.Accept(' ') {
		return nil
	}
	b.Ext = 4
	if b.Location, _, err = r.NString(); err != nil {
		return err
	}
	for r.Accept(' ') {
		if err := skipValue(r); err != nil {
			return err
		}
	}
	return nil
}

// readParams reads body-fld-param: "(" string SP string *(SP string SP
// string) ")" / nil.
func readParams(r *wire.Reader) ([]Param, error) {
	if r.NIL() {
		return nil, nil
	}
	var params []Param
	name := true
	err := r.List(func() error {
		s, err := r.String()
		if name {
			params = append(params, Param{Name: s})
		} else {
			params[len(params)-1].Value = s
		}
		name = !name
		return err
	})
	if err == nil && !name {
		err = &wire.SyntaxError{Msg: "parameter without value"}
	}
	return params, err
}

// readDisposition reads body-fld-dsp: "(" string SP body-fld-param ")" /
// nil.
func readDisposition(r *wire.Reader) (*Disposition, error) {
	if r.NIL() {
		return nil, nil
	}
	d := new(Disposition)
	i := 0
	err := r.List(func() error {
		var err error
		switch i {
		case 0:
			d.Value, err = r.String()
		case 1:
			d.Params, err = readParams(r)
		default:
			err = &wire.SyntaxError{Msg: "bad disposition"}
		}
		i++
		return err
	})
	return d, err
}

// readLanguage reads body-fld-lang: nstring / "(" string *(SP string) ")".
func readLanguage(r *wire.Reader) ([]string, error) {
	if c, err := r.Peek(); err == nil && c == '(' {
		var langs []string
		err := r.List(func() error {
			s, err := r.String()
			langs = append(langs, s)
			return err
		})
		return langs, err
	}
	s, ok, err := r.NString()
	if !ok {
		return nil, err
	}
	return []string{s}, nil
}

// skipValue reads and drops one extension value: a body-extension
// (RFC 3501 section 9: nstring / number / list of them) or a
// tagged-ext-val (RFC 4466 section 2.1: sequence-set / number / list /
// astring). Unknown extension data is skipped, not refused.
func skipValue(r *wire.Reader) error {
	c, err := r.Peek()
	switch {
	case err != nil:
		return err
	case c == '(':
		return r.List(func() error { return skipValue(r) })
	case c >= '0' && c <= '9' || c == '*' || c == '$':
		_, err = r.SeqSet()
	case r.NIL():
	default:
		_, err = r.AString()
	}
	return err
}
