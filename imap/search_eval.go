package imap

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/message"
)

// searchEnv evaluates search keys (RFC 3501 section 6.4.4) against one
// message, loading its header and text only when a key needs them.
type searchEnv struct {
	c   *Conn
	m   Message
	seq uint32

	content MessageReader
	st      *message.Structure
	header  *message.Header
	body    *string // decoded text of the text parts, lower case
}

func (e *searchEnv) close() {
	if e.content != nil {
		e.content.Close()
	}
}

func (e *searchEnv) open() (MessageReader, error) {
	if e.content == nil {
		var err error
		if e.content, err = e.m.Open(e.c.ctx); err != nil {
			return nil, err
		}
	}
	return e.content, nil
}

func (e *searchEnv) structure() (*message.Structure, error) {
	if e.st == nil {
		st, err := e.c.structureOf(e.c.ctx, e.m, e.open)
		if err != nil {
			return nil, err
		}
		e.st = st
	}
	return e.st, nil
}

func (e *searchEnv) loadHeader() (*message.Header, error) {
	if e.header != nil {
		return e.header, nil
	}
	st, err := e.structure()
	if err != nil {
		return nil, err
	}
	r, err := e.open()
	if err != nil {
		return nil, err
	}
	h, err := message.ReadHeader(bufio.NewReader(io.NewSectionReader(r, st.HeaderOffset, st.BodyOffset-st.HeaderOffset)))
	if err != nil {
		return nil, err
	}
	e.header = &h
	return e.header, nil
}

// loadBody returns the text of every text part, decoded from its transfer
// encoding and charset (RFC 3501 section 6.4.4: BODY and TEXT match the
// text, not its encoding), lower-cased for case-insensitive matching.
func (e *searchEnv) loadBody() (string, error) {
	if e.body != nil {
		return *e.body, nil
	}
	r, err := e.open()
	if err != nil {
		return "", err
	}
	mr := message.NewReader(io.NewSectionReader(r, 0, e.m.Size()))
	var sb strings.Builder
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(p.MediaType, "text/") {
			continue
		}
		tr, _ := p.Text() // an unknown charset still yields the bytes
		if _, err := io.Copy(&sb, tr); err != nil {
			return "", err
		}
		sb.WriteByte('\n')
	}
	s := strings.ToLower(sb.String())
	e.body = &s
	return s, nil
}

// matches reports whether the message matches every key of crit.
func (e *searchEnv) matches(crit *SearchCriteria) (bool, error) {
	s := e.c.sel
	for _, set := range crit.SeqNum {
		if !set.Contains(e.seq, uint32(len(s.uids))) {
			return false, nil
		}
	}
	for _, set := range crit.UID {
		if !set.Contains(e.m.UID(), s.lastUID()) {
			return false, nil
		}
	}
	flags := s.withRecent(e.m.UID(), e.m.Flags())
	for _, f := range crit.Flag {
		if !containsFlag(flags, f) {
			return false, nil
		}
	}
	for _, f := range crit.NotFlag {
		if containsFlag(flags, f) {
			return false, nil
		}
	}
	if crit.Larger > 0 && e.m.Size() <= crit.Larger || crit.Smaller > 0 && e.m.Size() >= crit.Smaller {
		return false, nil
	}
	if !matchDates(calendarDate(e.m.InternalDate()), crit.Since, crit.Before, crit.On) {
		return false, nil
	}
	if !crit.SentSince.IsZero() || !crit.SentBefore.IsZero() || !crit.SentOn.IsZero() {
		h, err := e.loadHeader()
		if err != nil {
			return false, err
		}
		// RFC 3501 section 6.4.4: a message without a usable Date:
		// matches no SENT key.
		t, err := h.Date()
		if err != nil || !matchDates(calendarDate(t), crit.SentSince, crit.SentBefore, crit.SentOn) {
			return false, nil
		}
	}
	for _, hk := range crit.Header {
		h, err := e.loadHeader()
		if err != nil {
			return false, err
		}
		if !headerContains(h, hk.Key, hk.Value) {
			return false, nil
		}
	}
	for _, needle := range crit.Body {
		body, err := e.loadBody()
		if err != nil {
			return false, err
		}
		if !strings.Contains(body, strings.ToLower(needle)) {
			return false, nil
		}
	}
	for _, needle := range crit.Text {
		match, err := e.textContains(needle)
		if err != nil || !match {
			return false, err
		}
	}
	for i := range crit.Not {
		match, err := e.matches(&crit.Not[i])
		if err != nil || match {
			return false, err
		}
	}
	for i := range crit.Or {
		a, err := e.matches(&crit.Or[i][0])
		if err != nil {
			return false, err
		}
		if !a {
			b, err := e.matches(&crit.Or[i][1])
			if err != nil || !b {
				return false, err
			}
		}
	}
	return true, nil
}

// textContains implements TEXT: the header or the body contains needle.
func (e *searchEnv) textContains(needle string) (bool, error) {
	h, err := e.loadHeader()
	if err != nil {
		return false, err
	}
	lower := strings.ToLower(needle)
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		if containsFold(string(bytes.TrimSpace(f.Raw())), lower) || containsFold(decodeValue(f.Value()), lower) {
			return true, nil
		}
	}
	body, err := e.loadBody()
	if err != nil {
		return false, err
	}
	return strings.Contains(body, lower), nil
}

// headerContains implements HEADER, FROM, TO, CC, BCC and SUBJECT: some
// field named key has value in its decoded text, case-insensitively; an
// empty value matches any message with the field.
func headerContains(h *message.Header, key, value string) bool {
	lower := strings.ToLower(value)
	for _, v := range h.Values(key) {
		if lower == "" || containsFold(v, lower) || containsFold(decodeValue(v), lower) {
			return true
		}
	}
	return false
}

func decodeValue(v string) string {
	d, err := message.DecodeText(v)
	if err != nil && d == "" {
		return v
	}
	return d
}

// containsFold reports whether s contains lower, ignoring case; lower is
// already lower case.
func containsFold(s, lower string) bool {
	return strings.Contains(strings.ToLower(s), lower)
}

// calendarDate returns the date of t in its own time zone, as midnight
// UTC: RFC 3501 section 6.4.4 compares dates "disregarding time and
// timezone".
func calendarDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func matchDates(d, since, before, on time.Time) bool {
	if !since.IsZero() && d.Before(since) {
		return false
	}
	if !before.IsZero() && !d.Before(before) {
		return false
	}
	if !on.IsZero() && !d.Equal(on) {
		return false
	}
	return true
}
