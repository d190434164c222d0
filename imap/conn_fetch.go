package imap

import (
	"context"
	"errors"
	"strings"

	"github.com/mailwire/mailwire/message"
)

// fetchBatch is how many messages FETCH asks the backend for at a time,
// so that memory stays bounded whatever the range.
const fetchBatch = 256

// fetchRequest is a parsed FETCH: the options and, for each body
// section, the name to answer with when the client used RFC822,
// RFC822.HEADER or RFC822.TEXT (RFC 3501 section 6.4.5).
type fetchRequest struct {
	opts  *FetchOptions
	names []string // per BodySection; "" means BODY[...]
}

// handleFetch answers FETCH and UID FETCH (RFC 3501 sections 6.4.5 and
// 6.4.8). Non-PEEK body sections set \Seen, and the new flags are sent
// with the data.
func (c *Conn) handleFetch(byUID bool) (*StatusResponse, error) {
	if err := c.sp(); err != nil {
		return nil, err
	}
	set, err := c.seqSet()
	if err != nil {
		return nil, err
	}
	if err := c.sp(); err != nil {
		return nil, err
	}
	req, err := c.readFetchRequest()
	if err != nil {
		return nil, err
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	uids, err := c.sel.resolve(set, byUID)
	if err != nil {
		return nil, err
	}
	req.opts.UID = req.opts.UID || byUID
	live, gone := c.sel.splitExpunged(uids)
	for len(live) > 0 {
		n := min(len(live), fetchBatch)
		missing, err := c.fetchBatch(live[:n], req)
		if err != nil {
			return c.backendError(err), nil
		}
		gone = gone || missing
		live = live[n:]
	}
	if gone {
		// RFC 2180 section 4.1.2 with the tagged OK of 4.1.3, as
		// Dovecot answers: the others' data was sent, and
		// EXPUNGEISSUED (RFC 5530) tells the client to NOOP.
		return &StatusResponse{Type: StatusOK, Code: CodeExpungeIssued, Text: "Some messages were expunged; FETCH completed"}, nil
	}
	return ok("FETCH completed"), nil
}

// readFetchRequest reads the fetch attributes. The RFC822 forms are noted
// before the codec reads them, since the response must use their names.
func (c *Conn) readFetchRequest() (*fetchRequest, error) {
	req := &fetchRequest{opts: new(FetchOptions)}
	one := func(macros bool) error {
		name := rfc822Form(c.peekName(len("RFC822.HEADER") + 1))
		n := len(req.opts.BodySection)
		if err := readFetchAtt(c.r, req.opts, macros); err != nil {
			return err
		}
		for len(req.names) < len(req.opts.BodySection) {
			req.names = append(req.names, "")
		}
		if len(req.opts.BodySection) > n {
			req.names[n] = name
		}
		return nil
	}
	var err error
	if ch, _ := c.r.Peek(); ch == '(' {
		err = c.r.List(func() error { return one(false) })
	} else {
		err = one(true)
	}
	if err != nil {
		return nil, err
	}
	o := req.opts
	if len(o.BinarySection) > 0 || len(o.BinarySize) > 0 || o.ModSeq {
		return nil, badArgs("BINARY and MODSEQ are not supported")
	}
	return req, nil
}

// peekName returns the attribute name ahead, up to max bytes, without
// consuming it. It asks for one byte more at a time, so it never waits for
// input past the byte that ends the name.
func (c *Conn) peekName(max int) []byte {
	var b []byte
	for k := 1; k <= max; k++ {
		if b = c.r.PeekN(k); len(b) < k {
			return b
		}
		switch b[k-1] {
		case ' ', ')', '(', '[', '\r', '\n':
			return b
		}
	}
	return b
}

// rfc822Form returns "RFC822", "RFC822.HEADER" or "RFC822.TEXT" when the
// attribute ahead is one of them.
func rfc822Form(ahead []byte) string {
	s := strings.ToUpper(string(ahead))
	for _, name := range []string{"RFC822.HEADER", "RFC822.TEXT", "RFC822"} {
		if rest, ok := strings.CutPrefix(s, name); ok && (rest == "" || rest[0] == ' ' || rest[0] == ')' || rest[0] == '\r' || rest[0] == '\n') {
			return name
		}
	}
	return ""
}

// needsStructure reports whether the request needs the parsed message.
func (r *fetchRequest) needsStructure() bool {
	o := r.opts
	if o.Envelope || o.BodyStructure || o.Body {
		return true
	}
	for _, s := range o.BodySection {
		if s.Specifier != PartAll || len(s.Part) > 0 {
			return true
		}
	}
	return false
}

// setsSeen reports whether the request sets \Seen (RFC 3501 section
// 6.4.5: BODY[...] without .PEEK, RFC822, RFC822.TEXT).
func (r *fetchRequest) setsSeen() bool {
	for _, s := range r.opts.BodySection {
		if !s.Peek {
			return true
		}
	}
	return false
}

// fetchBatch answers FETCH for some messages. It reports whether some
// were gone from the store, expunged by another session that this one has
// not been told of yet (RFC 2180 section 4.1).
func (c *Conn) fetchBatch(uids []uint32, req *fetchRequest) (bool, error) {
	msgs, err := c.sel.mbox.Messages(c.line.Ctx, uids)
	if err != nil {
		return false, err
	}
	var seen map[uint32][]Flag
	if req.setsSeen() && !c.sel.readOnly {
		var unseen []uint32
		for _, m := range msgs {
			if !containsFlag(m.Flags(), FlagSeen) {
				unseen = append(unseen, m.UID())
			}
		}
		if len(unseen) > 0 {
			updates, err := c.sel.mbox.Store(c.line.Ctx, unseen, StoreFlagsAdd, []Flag{FlagSeen})
			if err != nil {
				return false, err
			}
			seen = make(map[uint32][]Flag, len(updates))
			for _, u := range updates {
				seen[u.UID] = u.Flags
			}
		}
	}
	gone := len(msgs) < len(uids)
	for _, m := range msgs {
		seq := c.sel.seqOf(m.UID())
		if seq == 0 {
			continue
		}
		newFlags, flagsChanged := seen[m.UID()]
		switch err := c.fetchOne(seq, m, req, newFlags, flagsChanged); {
		case errors.Is(err, errGone):
			gone = true
		case err != nil:
			return false, err
		}
	}
	return gone, nil
}

// fetchOne writes one FETCH response (RFC 3501 section 7.4.2). What the
// items need, the message's bytes and its structure, is opened before
// the first byte of the response is written, so that a failure leaves no
// half-written line before the tagged reply; a message the backend finds
// gone by then (Message.Open answered EXPUNGEISSUED) is errGone and gets
// no response at all (RFC 2180 section 4.1).
func (c *Conn) fetchOne(seq uint32, m Message, req *fetchRequest, newFlags []Flag, flagsChanged bool) error {
	o := req.opts
	flags := m.Flags()
	if flagsChanged {
		flags = newFlags
	}
	content, st, err := c.prepareFetch(m, req)
	if content != nil {
		defer content.Close()
	}
	if err != nil {
		if isExpungeIssued(err) {
			return errGone
		}
		return err
	}
	if o.Flags || flagsChanged {
		c.announce(flags)
	}
	open := func() (MessageReader, error) { return content, nil }
	w := c.w
	w.Raw("* ").Number(seq).Raw(" FETCH (")
	n := 0
	item := func(name string) {
		w.Sep(n).Raw(name)
		n++
	}
	if o.UID {
		item("UID ")
		w.Number(m.UID())
	}
	if o.Flags || flagsChanged {
		item("FLAGS ")
		writeFlagList(w, c.sel.withRecent(m.UID(), flags))
	}
	if o.InternalDate {
		item("INTERNALDATE ")
		writeDateTime(w, m.InternalDate())
	}
	if o.RFC822Size {
		item("RFC822.SIZE ")
		w.Number64(uint64(m.Size()))
	}
	if o.Envelope {
		item("ENVELOPE ")
		writeMessageEnvelope(w, st.Envelope)
	}
	if o.Body {
		item("BODY ")
		writeMessageStructure(w, st, false)
	}
	if o.BodyStructure {
		item("BODYSTRUCTURE ")
		writeMessageStructure(w, st, true)
	}
	for i, s := range o.BodySection {
		w.Sep(n)
		n++
		if err := c.writeSection(m, st, open, s, req.names[i]); err != nil {
			// The item's name is out: NIL completes it (RFC 3501
			// section 9, nstring) and the line, so the tagged NO
			// stands on a line of its own.
			w.Raw("NIL)").CRLF()
			return err
		}
	}
	w.Raw(")").CRLF()
	return w.Err()
}

// errGone reports a message that vanished between Mailbox.Messages and
// Message.Open: another session expunged it (RFC 2180 section 4.1).
var errGone = errors.New("imap: message expunged meanwhile")

// isExpungeIssued reports whether err is a backend's NO [EXPUNGEISSUED]
// (RFC 5530 section 3), which Message.Open returns for a message that is
// gone.
func isExpungeIssued(err error) bool {
	var st *StatusResponse
	return errors.As(err, &st) && st.Code == CodeExpungeIssued
}

// prepareFetch opens what the FETCH items of one message need: its
// bytes for body sections, its structure for ENVELOPE, BODY,
// BODYSTRUCTURE and section parts. The reader is returned even with an
// error, for the caller to close.
func (c *Conn) prepareFetch(m Message, req *fetchRequest) (MessageReader, *message.Structure, error) {
	var content MessageReader
	open := func() (MessageReader, error) {
		if content == nil {
			var err error
			content, err = m.Open(c.line.Ctx)
			return content, err
		}
		return content, nil
	}
	if len(req.opts.BodySection) > 0 {
		if _, err := open(); err != nil {
			return content, nil, err
		}
	}
	if !req.needsStructure() {
		return content, nil, nil
	}
	st, err := c.structureOf(c.line.Ctx, m, open)
	return content, st, err
}

// structureOf returns the message's parsed structure: the backend's copy
// when it keeps one, else parsed now from the stored bytes.
func (c *Conn) structureOf(_ context.Context, m Message, open func() (MessageReader, error)) (*message.Structure, error) {
	if sm, ok := m.(StructureMessage); ok {
		if st := sm.Structure(); st != nil {
			return st, nil
		}
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	return ParseStructure(r, m.Size())
}
