package message

import "strings"

// A mailbox is a parsed mailbox with its parts kept apart, as the IMAP
// envelope needs them (RFC 3501 section 7.4.2).
type mailbox struct {
	name    string // display name: decoded, or as written when parsing raw
	comment string // the comment after a bare addr-spec, if any
	route   string // obsolete source route "@a,@b" (RFC 5322 section 4.4)
	local   string // local part, unquoted
	domain  string
	null    bool // the null path "<>"
}

func (m *mailbox) address() *Address {
	a := &Address{Name: m.name}
	if a.Name == "" {
		a.Name = m.comment
	}
	if m.null {
		return a
	}
	a.Addr = formatLocal(m.local)
	if m.domain != "" {
		a.Addr += "@" + m.domain
	}
	return a
}

// An addrEntry is a group or, when group is empty, one lone mailbox.
type addrEntry struct {
	group   string
	members []mailbox
}

// An addrParser parses address lists by hand after RFC 5322 section 3.4
// and the obsolete syntax of section 4.4.
type addrParser struct {
	s   string
	pos int
	// raw keeps display names as written (encoded words undecoded), as
	// IMAP's ENVELOPE carries them.
	raw bool
}

func (p *addrParser) errorf(msg string) error { return &addressError{msg, p.s} }

func (p *addrParser) end() bool  { return p.pos >= len(p.s) }
func (p *addrParser) peek() byte { return p.s[p.pos] }

// list parses an address list. Elements that fail to parse are skipped up
// to the next comma; the first error is returned with the rest.
func (p *addrParser) list() ([]addrEntry, error) {
	var entries []addrEntry
	var firstErr error
	for {
		p.skipCFWS()
		if p.end() {
			break
		}
		if p.peek() == ',' { // obs-addr-list allows empty elements
			p.pos++
			continue
		}
		e, err := p.address()
		if err == nil {
			p.skipCFWS()
			if !p.end() && p.peek() != ',' {
				err = p.errorf("expected comma")
			}
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			p.skipToComma()
			continue
		}
		entries = append(entries, e)
	}
	return entries, firstErr
}

// skipToComma moves past the next comma that is not quoted, in a comment
// or in angle brackets.
func (p *addrParser) skipToComma() {
	angle := false
	for !p.end() {
		switch p.peek() {
		case '"':
			p.quotedString()
			continue
		case '(':
			p.comment()
			continue
		case '<':
			angle = true
		case '>':
			angle = false
		case ',':
			if !angle {
				p.pos++
				return
			}
		}
		p.pos++
	}
}

// address parses a mailbox or a group.
func (p *addrParser) address() (addrEntry, error) {
	start := p.pos
	words := p.phrase()
	p.skipCFWS()
	if !p.end() && p.peek() == ':' {
		if len(words) == 0 {
			return addrEntry{}, p.errorf("group without a name")
		}
		p.pos++
		e := addrEntry{group: p.phraseText(words)}
		for {
			p.skipCFWS()
			if p.end() {
				return e, nil // a missing ";" is forgiven
			}
			switch p.peek() {
			case ';':
				p.pos++
				return e, nil
			case ',':
				p.pos++
				continue
			}
			m, err := p.mailboxAfter(p.pos)
			if err != nil {
				return e, err
			}
			e.members = append(e.members, m)
		}
	}
	m, err := p.mailboxAfter(start)
	return addrEntry{members: []mailbox{m}}, err
}

// mailboxAfter parses a mailbox starting at start (RFC 5322 section 3.4:
// name-addr or addr-spec).
func (p *addrParser) mailboxAfter(start int) (mailbox, error) {
	p.pos = start
	words := p.phrase()
	comment := p.trailingComment()
	if p.raw && len(words) > 0 && (p.end() || p.peek() == ',' || p.peek() == ';') {
		// No address at all: the envelope keeps what there is, as Dovecot
		// does. One atom is a local part without a domain ("From: nsb
		// (Nathaniel Borenstein)"); a longer or quoted phrase is a name
		// without a mailbox ("To: John Smith").
		if len(words) == 1 && !words[0].quoted {
			return mailbox{local: words[0].text, comment: comment}, nil
		}
		return mailbox{name: p.phraseText(words), null: true}, nil
	}
	if p.end() {
		if len(words) == 0 {
			return mailbox{}, p.errorf("empty address")
		}
		return mailbox{}, p.errorf("missing @ or <")
	}
	switch p.peek() {
	case '<':
		m, err := p.angleAddr()
		m.name = p.phraseText(words)
		return m, err
	case '@':
		if len(words) == 0 {
			return mailbox{}, p.errorf("missing local part")
		}
		var m mailbox
		for _, w := range words {
			m.local += w.text
		}
		p.pos++
		var err error
		if m.domain, err = p.domain(); err != nil {
			return m, err
		}
		m.comment = p.trailingComment()
		if !p.end() && p.peek() == '<' {
			// An unquoted address used as display name:
			//   john@example.org <john@example.org>
			name := strings.TrimSpace(p.s[start:p.pos])
			m, err = p.angleAddr()
			m.name = name
			return m, err
		}
		return m, nil
	}
	return mailbox{}, p.errorf("missing @ or <")
}

// angleAddr parses "<" [obs-route] addr-spec ">" (RFC 5322 sections
// 3.4 and 4.4); a missing ">" at the end of the input is forgiven, and so
// is an addr-spec without a domain.
func (p *addrParser) angleAddr() (mailbox, error) {
	var m mailbox
	p.pos++ // "<"
	p.skipCFWS()
	if !p.end() && p.peek() == '>' {
		p.pos++
		m.null = true
		return m, nil
	}
	if !p.end() && p.peek() == '@' {
		// Search no further than the address: a route ends before ">".
		i := strings.IndexAny(p.s[p.pos:], ":>,")
		if i < 0 || p.s[p.pos+i] != ':' {
			return m, p.errorf("unterminated route")
		}
		m.route = stripCFWS(p.s[p.pos : p.pos+i])
		p.pos += i + 1
	}
	m.local = p.localPart()
	p.skipCFWS()
	if !p.end() && p.peek() == '@' {
		p.pos++
		var err error
		if m.domain, err = p.domain(); err != nil {
			return m, err
		}
		p.skipCFWS()
	}
	if p.end() {
		return m, nil
	}
	if p.peek() != '>' {
		return m, p.errorf("expected >")
	}
	p.pos++
	return m, nil
}

// stripCFWS removes white space from an obsolete route.
func stripCFWS(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}

// localPart parses a dot-atom, quoted string or obs-local-part, returning
// it unquoted.
func (p *addrParser) localPart() string {
	var b strings.Builder
	for {
		p.skipCFWS()
		if p.end() {
			break
		}
		c := p.peek()
		if c == '"' {
			b.WriteString(p.quotedString())
			continue
		}
		if !isAtext(c) && c != '.' {
			break
		}
		i := p.pos
		for p.pos < len(p.s) && (isAtext(p.s[p.pos]) || p.s[p.pos] == '.') {
			p.pos++
		}
		b.WriteString(p.s[i:p.pos])
	}
	return b.String()
}

// domain parses a dot-atom, domain literal or obs-domain.
func (p *addrParser) domain() (string, error) {
	p.skipCFWS()
	if !p.end() && p.peek() == '[' {
		i := p.pos
		for p.pos < len(p.s) && p.s[p.pos] != ']' {
			if p.s[p.pos] == '\\' {
				p.pos++
			}
			p.pos++
		}
		if p.pos >= len(p.s) {
			return "", p.errorf("unterminated domain literal")
		}
		p.pos++
		return p.s[i:p.pos], nil
	}
	var b strings.Builder
	for {
		i := p.pos
		for p.pos < len(p.s) && isAtext(p.s[p.pos]) {
			p.pos++
		}
		b.WriteString(p.s[i:p.pos])
		save := p.pos
		p.skipCFWS()
		if p.end() || p.peek() != '.' {
			p.pos = save
			break
		}
		p.pos++
		b.WriteByte('.')
		p.skipCFWS()
	}
	if b.Len() == 0 {
		return "", p.errorf("missing domain")
	}
	return b.String(), nil
}

// A word is an atom or the contents of a quoted string.
type word struct {
	text   string
	quoted bool
}

// phraseChar reports whether c may be part of an unquoted phrase word.
// RFC 5322 allows atext and, in obs-phrase, "."; real mail also carries
// other specials such as "[" in display names, which are accepted.
func phraseChar(c byte) bool {
	return c > ' ' && c != 0x7f && strings.IndexByte("\"(),:;<>@", c) < 0
}

// phrase parses words up to the first special character.
func (p *addrParser) phrase() []word {
	var words []word
	for {
		before := p.pos
		p.skipCFWS()
		if p.end() {
			p.pos = before // the CFWS after the phrase is the caller's
			return words
		}
		c := p.peek()
		if c == '"' {
			words = append(words, word{p.quotedString(), true})
			continue
		}
		if !phraseChar(c) {
			p.pos = before
			return words
		}
		i := p.pos
		for p.pos < len(p.s) && phraseChar(p.s[p.pos]) {
			p.pos++
		}
		words = append(words, word{text: p.s[i:p.pos]})
	}
}

// phraseText joins phrase words with single spaces and decodes encoded
// words (RFC 2047 section 5 (3)). Encoded words inside quoted strings are
// decoded too, as every mail reader does.
func (p *addrParser) phraseText(words []word) string {
	if len(words) == 0 {
		return ""
	}
	var s string
	if len(words) == 1 {
		s = words[0].text
	} else {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = w.text
		}
		s = strings.Join(parts, " ")
	}
	if p.raw {
		return s
	}
	d, _ := DecodeText(s)
	return d
}

// quotedString parses a quoted string (RFC 5322 section 3.2.4) and returns
// its contents with quoted pairs resolved. An unterminated string runs to
// the end of the input.
func (p *addrParser) quotedString() string {
	p.pos++ // opening quote
	i := p.pos
	simple := true
	for p.pos < len(p.s) && p.s[p.pos] != '"' {
		if p.s[p.pos] == '\\' || p.s[p.pos] == '\r' || p.s[p.pos] == '\n' {
			simple = false
			p.pos++
		}
		p.pos++
	}
	if p.pos > len(p.s) {
		p.pos = len(p.s)
	}
	content := p.s[i:p.pos]
	if p.pos < len(p.s) {
		p.pos++ // closing quote
	}
	if simple {
		return content
	}
	var b strings.Builder
	for j := 0; j < len(content); j++ {
		c := content[j]
		switch {
		case c == '\\' && j+1 < len(content):
			j++
			b.WriteByte(content[j])
		case c == '\r' || c == '\n':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipCFWS skips white space and comments (RFC 5322 section 3.2.2).
func (p *addrParser) skipCFWS() {
	for !p.end() {
		switch p.peek() {
		case ' ', '\t', '\r', '\n':
			p.pos++
		case '(':
			p.comment()
		default:
			return
		}
	}
}

// trailingComment skips CFWS after an addr-spec and returns the text of the
// last comment in it, decoded.
func (p *addrParser) trailingComment() string {
	var last string
	for !p.end() {
		switch p.peek() {
		case ' ', '\t', '\r', '\n':
			p.pos++
			continue
		case '(':
			last = p.comment()
			continue
		}
		break
	}
	if last != "" && !p.raw {
		last, _ = DecodeText(last)
	}
	return strings.TrimSpace(last)
}

// comment skips a comment, nested comments and quoted pairs included, and
// returns its text. An unterminated comment runs to the end of the input.
func (p *addrParser) comment() string {
	depth := 0
	start := p.pos + 1
	for !p.end() {
		switch p.peek() {
		case '\\':
			p.pos++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				p.pos++
				return p.s[start : p.pos-1]
			}
		}
		p.pos++
	}
	p.pos = len(p.s)
	if start > len(p.s) {
		return ""
	}
	return p.s[start:]
}
