package imapstress

import (
	"bytes"
	"fmt"
	"strings"
)

// view is what one session knows of its selected mailbox, tracked from
// the responses as a client must (RFC 3501 section 2.3.1.2): the count
// from EXISTS less the EXPUNGEs, the UIDs learnt by FETCH, by sequence
// number (0 while unknown), and the flags announced by FLAGS (section
// 7.2.6).
type view struct {
	exists   uint32
	uids     []uint32
	keywords map[string]bool
	// command is the command in progress; "FETCH", "STORE" and
	// "SEARCH" forbid EXPUNGE (section 7.4.1).
	command string
}

func newView() *view { return &view{keywords: make(map[string]bool)} }

// untagged checks one untagged response ("* " already read) against the
// view and updates it.
func (v *view) untagged(p *parser) error {
	if c := p.peek(); c >= '0' && c <= '9' {
		return v.numbered(p)
	}
	kind, err := p.atom()
	if err != nil {
		return err
	}
	switch strings.ToUpper(kind) {
	case "FLAGS":
		if err := p.sp(); err != nil {
			return err
		}
		return v.mailboxFlags(p)
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		return v.status(p, strings.ToUpper(kind))
	case "CAPABILITY", "SEARCH", "LIST", "LSUB", "STATUS", "ENABLED", "NAMESPACE", "ID":
		p.text()
		return nil
	}
	return fmt.Errorf("unknown untagged response %q", kind)
}

// status checks an untagged status response: no SERVERBUG (RFC 5530
// section 3), no BAD or NO, and BYE only when logging out.
func (v *view) status(p *parser, kind string) error {
	if !p.atEnd() {
		if err := p.sp(); err != nil {
			return err
		}
	}
	code, err := p.code()
	if err != nil {
		return err
	}
	p.text()
	switch {
	case code == "SERVERBUG":
		return fmt.Errorf("%s [SERVERBUG]", kind)
	case kind == "BAD" || kind == "NO":
		return fmt.Errorf("untagged %s", kind)
	case kind == "BYE" && v.command != "LOGOUT":
		return fmt.Errorf("BYE during %s", v.command)
	}
	return nil
}

// mailboxFlags records the flags FLAGS announces (RFC 3501 section
// 7.2.6).
func (v *view) mailboxFlags(p *parser) error {
	return p.list(func() error {
		f, err := p.atom()
		if err == nil {
			v.keywords[strings.ToLower(f)] = true
		}
		return err
	})
}

// numbered checks "n EXISTS", "n RECENT", "n EXPUNGE" and "n FETCH".
func (v *view) numbered(p *parser) error {
	n, err := p.number()
	if err != nil {
		return err
	}
	if err := p.sp(); err != nil {
		return err
	}
	kind, err := p.atom()
	if err != nil {
		return err
	}
	switch strings.ToUpper(kind) {
	case "EXISTS":
		// RFC 3501 section 7.3.1: the count only shrinks by EXPUNGE.
		if n < v.exists {
			return fmt.Errorf("EXISTS %d below the count %d without EXPUNGE", n, v.exists)
		}
		for v.exists < n {
			v.uids = append(v.uids, 0)
			v.exists++
		}
	case "RECENT":
		if n > v.exists {
			return fmt.Errorf("RECENT %d past EXISTS %d", n, v.exists)
		}
	case "EXPUNGE":
		return v.expunge(n)
	case "FETCH":
		if err := p.sp(); err != nil {
			return err
		}
		return v.fetch(n, p)
	default:
		return fmt.Errorf("unknown response %d %s", n, kind)
	}
	return p.endOfLine()
}

func (p *parser) endOfLine() error {
	if !p.atEnd() {
		return p.errf("unexpected %q at the end of the response", p.rest())
	}
	return nil
}

// expunge checks "n EXPUNGE" (RFC 3501 section 7.4.1): n within the
// count, and not while FETCH, STORE or SEARCH by sequence number is
// answered.
func (v *view) expunge(n uint32) error {
	if n == 0 || n > v.exists {
		return fmt.Errorf("EXPUNGE %d past EXISTS %d", n, v.exists)
	}
	switch v.command {
	case "FETCH", "STORE", "SEARCH":
		return fmt.Errorf("EXPUNGE %d during %s", n, v.command)
	}
	v.uids = append(v.uids[:n-1], v.uids[n:]...)
	v.exists--
	return nil
}

// fetch checks "n FETCH (...)" (RFC 3501 section 7.4.2): n within the
// count, a well-formed list, UIDs ascending with the sequence numbers
// (section 2.3.1.1), keywords announced by FLAGS first (section 7.2.6),
// and a full BODY[] as long as RFC822.SIZE says.
func (v *view) fetch(n uint32, p *parser) error {
	if n == 0 || n > v.exists {
		return fmt.Errorf("FETCH %d past EXISTS %d", n, v.exists)
	}
	size, body := int64(-1), []byte(nil)
	err := p.list(func() error {
		name, err := p.fetchName()
		if err != nil {
			return err
		}
		if err := p.sp(); err != nil {
			return err
		}
		return v.fetchItem(n, name, p, &size, &body)
	})
	if err != nil {
		return err
	}
	if size >= 0 && body != nil && int64(len(body)) != size {
		return fmt.Errorf("FETCH %d: BODY[] of %d bytes, RFC822.SIZE %d", n, len(body), size)
	}
	return p.endOfLine()
}

func (v *view) fetchItem(n uint32, name string, p *parser, size *int64, body *[]byte) error {
	switch {
	case name == "UID":
		uid, err := p.number()
		if err != nil {
			return err
		}
		return v.learnUID(n, uid)
	case name == "FLAGS":
		return p.list(func() error {
			f, err := p.atom()
			if err == nil && !strings.EqualFold(f, `\Recent`) && !v.keywords[strings.ToLower(f)] {
				err = fmt.Errorf("FETCH %d: flag %s not announced by FLAGS", n, f)
			}
			return err
		})
	case name == "RFC822.SIZE":
		s, err := p.number()
		*size = int64(s)
		return err
	case name == "INTERNALDATE":
		_, err := p.quoted()
		return err
	case name == "ENVELOPE", name == "BODY", name == "BODYSTRUCTURE":
		if p.peek() != '(' {
			return p.errf("%s is not a list", name)
		}
		return p.value()
	case strings.HasPrefix(name, "BODY["), strings.HasPrefix(name, "RFC822"):
		b, ok, err := p.nstring()
		if ok && (name == "BODY[]" || name == "RFC822") {
			*body = bytes.Clone(b)
		}
		return err
	}
	return fmt.Errorf("FETCH %d: unknown item %s", n, name)
}

// learnUID records the UID of message n: it may not change, and UIDs
// ascend with sequence numbers (RFC 3501 section 2.3.1.1).
func (v *view) learnUID(n, uid uint32) error {
	i := int(n - 1)
	if old := v.uids[i]; old != 0 && old != uid {
		return fmt.Errorf("message %d has UID %d, was %d", n, uid, old)
	}
	for j := i - 1; j >= 0; j-- {
		if v.uids[j] != 0 {
			if v.uids[j] >= uid {
				return fmt.Errorf("UID %d of message %d not above UID %d of message %d", uid, n, v.uids[j], j+1)
			}
			break
		}
	}
	for j := i + 1; j < len(v.uids); j++ {
		if v.uids[j] != 0 {
			if v.uids[j] <= uid {
				return fmt.Errorf("UID %d of message %d not below UID %d of message %d", uid, n, v.uids[j], j+1)
			}
			break
		}
	}
	v.uids[i] = uid
	return nil
}
