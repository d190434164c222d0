package imapstress

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// parser reads the tokens of one response (RFC 3501 section 9) strictly:
// anything the grammar does not allow is an error, which is how a
// response cut short by a tagged reply shows.
type parser struct {
	b    []byte
	i    int
	lits [][]byte
	li   int
}

func newParser(r *response) *parser { return &parser{b: r.text, lits: r.lits} }

func (p *parser) errf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: "+format, append([]any{p.i}, args...)...)
}

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *parser) atEnd() bool { return p.i == len(p.b) }

func (p *parser) expect(c byte) error {
	if p.peek() != c {
		return p.errf("want %q, have %q", c, p.rest())
	}
	p.i++
	return nil
}

func (p *parser) sp() error { return p.expect(' ') }

// rest is what is left, shortened, for error messages.
func (p *parser) rest() string {
	s := string(p.b[p.i:])
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// atom reads atom characters; flags may begin with a backslash.
func (p *parser) atom() (string, error) {
	start := p.i
	for p.i < len(p.b) && isAtomChar(p.b[p.i]) {
		p.i++
	}
	if p.i == start {
		return "", p.errf("want an atom, have %q", p.rest())
	}
	return string(p.b[start:p.i]), nil
}

func isAtomChar(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`(){"%]`, rune(c))
}

func (p *parser) number() (uint32, error) {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	n, err := strconv.ParseUint(string(p.b[start:p.i]), 10, 32)
	if err != nil {
		return 0, p.errf("want a number, have %q", p.rest())
	}
	return uint32(n), nil
}

// text returns the rest of the line.
func (p *parser) text() string {
	s := string(p.b[p.i:])
	p.i = len(p.b)
	return s
}

// quoted reads a quoted string.
func (p *parser) quoted() (string, error) {
	if err := p.expect('"'); err != nil {
		return "", err
	}
	var sb strings.Builder
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch c {
		case '"':
			return sb.String(), nil
		case '\\':
			if p.i == len(p.b) {
				return "", p.errf("quoted string ends in a backslash")
			}
			c = p.b[p.i]
			p.i++
		}
		sb.WriteByte(c)
	}
	return "", p.errf("quoted string not closed")
}

// literal reads "{n}" and takes the next literal's data.
func (p *parser) literal() ([]byte, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	n, err := p.number()
	if err != nil {
		return nil, err
	}
	if err := p.expect('}'); err != nil {
		return nil, err
	}
	if p.li >= len(p.lits) || len(p.lits[p.li]) != int(n) {
		return nil, errors.New("literal data missing")
	}
	p.li++
	return p.lits[p.li-1], nil
}

// nstring reads NIL, a quoted string or a literal; ok is false for NIL.
func (p *parser) nstring() (s []byte, ok bool, err error) {
	switch p.peek() {
	case '"':
		q, err := p.quoted()
		return []byte(q), true, err
	case '{':
		b, err := p.literal()
		return b, true, err
	}
	a, err := p.atom()
	if err == nil && !strings.EqualFold(a, "NIL") {
		err = p.errf("want an nstring, have %q", a)
	}
	return nil, false, err
}

// list reads "(" items separated by SP ")", calling item for each.
func (p *parser) list(item func() error) error {
	if err := p.expect('('); err != nil {
		return err
	}
	for first := true; p.peek() != ')'; first = false {
		if !first {
			if err := p.sp(); err != nil {
				return err
			}
		}
		if err := item(); err != nil {
			return err
		}
	}
	p.i++
	return nil
}

// value reads any value: a list, a string, a literal, an atom or NIL.
func (p *parser) value() error {
	switch p.peek() {
	case '(':
		return p.list(p.value)
	case '"':
		_, err := p.quoted()
		return err
	case '{':
		_, err := p.literal()
		return err
	}
	_, err := p.atom()
	return err
}

// fetchName reads a msg-att name such as UID or BODY[HEADER.FIELDS
// (SUBJECT)]<0>, with its section and origin.
func (p *parser) fetchName() (string, error) {
	start := p.i
	for p.i < len(p.b) && isAtomChar(p.b[p.i]) && p.b[p.i] != '[' {
		p.i++
	}
	if p.peek() == '[' {
		end := strings.IndexByte(string(p.b[p.i:]), ']')
		if end < 0 {
			return "", p.errf("section not closed")
		}
		p.i += end + 1
		if p.peek() == '<' {
			end := strings.IndexByte(string(p.b[p.i:]), '>')
			if end < 0 {
				return "", p.errf("origin not closed")
			}
			p.i += end + 1
		}
	}
	if p.i == start {
		return "", p.errf("want a FETCH item, have %q", p.rest())
	}
	return strings.ToUpper(string(p.b[start:p.i])), nil
}

// code reads an optional "[CODE ...]" of a status response and returns
// its name.
func (p *parser) code() (string, error) {
	if p.peek() != '[' {
		return "", nil
	}
	end := strings.IndexByte(string(p.b[p.i:]), ']')
	if end < 0 {
		return "", p.errf("response code not closed")
	}
	inner := string(p.b[p.i+1 : p.i+end])
	p.i += end + 1
	name, _, _ := strings.Cut(inner, " ")
	return strings.ToUpper(name), nil
}
