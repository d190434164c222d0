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
	c       *Conn
	m       Message
	seq     uint32
	scratch *searchScratch

	content MessageReader
	st      *message.Structure
	raw     []byte // the raw header section, in scratch.head
	header  *message.Header
}

// searchScratch is what one SEARCH command reuses from message to message:
// the MIME reader text is decoded with, and the buffers the raw header
// and the decoded text are scanned in.
type searchScratch struct {
	mr   *message.Reader
	head []byte
	text []byte
	sets seqSpanCache // the sequence-set keys in normal form
}

// textChunk is how much decoded text is scanned at a time.
const textChunk = 16 << 10

func (e *searchEnv) close() {
	if e.content != nil {
		e.content.Close()
	}
}

func (e *searchEnv) open() (MessageReader, error) {
	if e.content == nil {
		var err error
		if e.content, err = e.m.Open(e.c.line.Ctx); err != nil {
			return nil, err
		}
	}
	return e.content, nil
}

func (e *searchEnv) structure() (*message.Structure, error) {
	if e.st == nil {
		st, err := e.c.structureOf(e.c.line.Ctx, e.m, e.open)
		if err != nil {
			return nil, err
		}
		e.st = st
	}
	return e.st, nil
}

// rawHeader returns the header section as stored.
func (e *searchEnv) rawHeader() ([]byte, error) {
	if e.raw != nil {
		return e.raw, nil
	}
	st, err := e.structure()
	if err != nil {
		return nil, err
	}
	r, err := e.open()
	if err != nil {
		return nil, err
	}
	n := int(min(st.BodyOffset-st.HeaderOffset, maxSearchHeader))
	if cap(e.scratch.head) < n {
		e.scratch.head = make([]byte, n)
	}
	raw := e.scratch.head[:n]
	if _, err := r.ReadAt(raw, st.HeaderOffset); err != nil && err != io.EOF {
		return nil, err
	}
	if int64(n) < st.BodyOffset-st.HeaderOffset {
		// A header over the limit is searched up to its last whole
		// line before it, as the message package parses it.
		raw = raw[:bytes.LastIndexByte(raw, '\n')+1]
	}
	e.raw = raw
	return raw, nil
}

// maxSearchHeader bounds how much of a header section SEARCH reads: a
// stored header can be any size (a Maildir file another program wrote),
// and the parsed header keeps no more than this anyway
// (message.DefaultMaxHeaderBytes).
const maxSearchHeader = message.DefaultMaxHeaderBytes

func (e *searchEnv) loadHeader() (*message.Header, error) {
	if e.header != nil {
		return e.header, nil
	}
	raw, err := e.rawHeader()
	if err != nil {
		return nil, err
	}
	// Over a limit, HEADER, SUBJECT and the SENT keys see the fields
	// before it, as ENVELOPE does; only I/O can fail here.
	h, err := message.ReadHeaderTruncated(bufio.NewReader(bytes.NewReader(raw)), message.Limits{})
	if err != nil {
		return nil, err
	}
	e.header = &h
	return e.header, nil
}

// headerMayContain reports whether some header field can contain n, from
// the raw section alone. Unfolding only removes line ends before white
// space (RFC 5322 section 2.2.3) and only encoded words (RFC 2047) decode
// to other text, so a needle without white space that the raw section
// lacks is in no field when there is no "=?" either; then the header need
// not be parsed.
func (e *searchEnv) headerMayContain(n foldNeedle) (bool, error) {
	if n.s == "" || n.hasSpace() {
		return true, nil
	}
	raw, err := e.rawHeader()
	if err != nil {
		return false, err
	}
	return bytes.Contains(raw, []byte("=?")) || foldIn(raw, n), nil
}

// bodyContains implements BODY: some text part contains n once decoded
// from its transfer encoding and charset (RFC 3501 section 6.4.4: BODY and
// TEXT match the text, not its encoding), or the header of a message
// encapsulated in a message/rfc822 part does, since it is body text of
// the message around it. Parts are decoded one at a time and the scan
// stops at the first match.
func (e *searchEnv) bodyContains(n foldNeedle) (bool, error) {
	r, err := e.open()
	if err != nil {
		return false, err
	}
	src := io.NewSectionReader(r, 0, e.m.Size())
	if e.scratch.mr == nil {
		e.scratch.mr = message.NewReader(src)
	} else {
		e.scratch.mr.Reset(src)
	}
	// A message over a parsing limit is searched up to the limit; what
	// lies beyond is opaque, as in its BODYSTRUCTURE.
	e.scratch.mr.Truncate = true
	e.scratch.mr.Limits.MaxDepth = DefaultStructureDepth
	for {
		p, err := e.scratch.mr.NextPart()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if p.Parent != nil && p.Parent.IsMessage() && fieldsContain(&p.Header, n) {
			return true, nil
		}
		if !strings.HasPrefix(p.MediaType, "text/") {
			continue
		}
		tr, _ := p.Text() // an unknown charset still yields the bytes
		if found, err := e.scratch.scan(tr, n); found || err != nil {
			return found, err
		}
	}
}

// scan reports whether the text r yields contains n. It reads r a chunk
// at a time and carries the last bytes of each chunk over to the next, so
// that a match across two chunks is found too.
func (s *searchScratch) scan(r io.Reader, n foldNeedle) (bool, error) {
	keep := max(n.maxLen()-1, 0)
	if size := max(textChunk, 2*keep); len(s.text) < size {
		s.text = make([]byte, size)
	}
	buf, have := s.text, 0
	for {
		m, err := io.ReadFull(r, buf[have:])
		have += m
		if foldIn(buf[:have], n) {
			return true, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		k := min(keep, have)
		copy(buf, buf[have-k:have])
		have = k
	}
}

// matches reports whether the message matches every key of crit.
func (e *searchEnv) matches(crit *SearchCriteria) (bool, error) {
	s := e.c.sel
	for i := range crit.SeqNum {
		if !e.scratch.sets.get(&crit.SeqNum[i], uint32(len(s.uids))).contains(e.seq) {
			return false, nil
		}
	}
	for i := range crit.UID {
		if !e.scratch.sets.get(&crit.UID[i], s.lastUID()).contains(e.m.UID()) {
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
		match, err := e.headerContains(hk.Key, newFoldNeedle(hk.Value))
		if err != nil || !match {
			return false, err
		}
	}
	for _, needle := range crit.Body {
		match, err := e.bodyContains(newFoldNeedle(needle))
		if err != nil || !match {
			return false, err
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
// A needle without line ends found in the raw header is in one of its
// fields as written.
func (e *searchEnv) textContains(needle string) (bool, error) {
	n := newFoldNeedle(needle)
	raw, err := e.rawHeader()
	if err != nil {
		return false, err
	}
	if !n.hasLineEnd() && foldIn(raw, n) {
		return true, nil
	}
	if may, err := e.headerMayContain(n); err != nil {
		return false, err
	} else if may {
		h, err := e.loadHeader()
		if err != nil {
			return false, err
		}
		if fieldsContain(h, n) {
			return true, nil
		}
	}
	return e.bodyContains(n)
}

// fieldsContain reports whether some field of h has n in it as written
// or with its encoded words decoded.
func fieldsContain(h *message.Header, n foldNeedle) bool {
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		if foldIn(bytes.TrimSpace(f.Raw()), n) || foldIn(decodeValue(f.Value()), n) {
			return true
		}
	}
	return false
}

// headerContains implements HEADER, FROM, TO, CC, BCC and SUBJECT: some
// field named key has n in its decoded text, case-insensitively; an empty
// needle matches any message with the field.
func (e *searchEnv) headerContains(key string, n foldNeedle) (bool, error) {
	if may, err := e.headerMayContain(n); err != nil || !may {
		return false, err
	}
	h, err := e.loadHeader()
	if err != nil {
		return false, err
	}
	for _, v := range h.Values(key) {
		if n.s == "" || foldIn(v, n) || foldIn(decodeValue(v), n) {
			return true, nil
		}
	}
	return false, nil
}

func decodeValue(v string) string {
	d, err := message.DecodeText(v)
	if err != nil && d == "" {
		return v
	}
	return d
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
