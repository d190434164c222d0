package imap

import (
	"slices"
)

// selected is a session's view of its selected mailbox. The server, not
// the backend, owns the message sequence numbers (RFC 3501 section
// 2.3.1.2): uids[i] is the UID of message i+1 as this session knows it.
type selected struct {
	name     string
	mbox     Mailbox
	readOnly bool
	uids     []uint32
	// recent holds the UIDs that are \Recent in this session, as the
	// server's recentClaims under recentKey gave them.
	recent    map[uint32]struct{}
	recentKey recentKey
	// flags are the flags announced with FLAGS (RFC 3501 section 7.2.6);
	// a keyword is announced before a FETCH response uses it.
	flags     []Flag
	permanent []Flag
	// expunged holds UIDs others expunged that this session has not been
	// told of yet, because RFC 3501 section 7.4.1 forbids EXPUNGE during
	// FETCH, STORE and SEARCH by sequence number. Until then the messages
	// keep their sequence numbers (RFC 2180 section 4.1).
	expunged []uint32
	// vanished holds UIDs this session expunged before it heard of
	// them (expungeOwn); their UpdateNew is dropped.
	vanished map[uint32]struct{}
}

// seqOf returns the sequence number of uid, or 0.
func (s *selected) seqOf(uid uint32) uint32 {
	i, found := slices.BinarySearch(s.uids, uid)
	if !found {
		return 0
	}
	return uint32(i + 1)
}

// lastUID returns the largest UID in the view, or 0.
func (s *selected) lastUID() uint32 {
	if len(s.uids) == 0 {
		return 0
	}
	return s.uids[len(s.uids)-1]
}

// resolve turns a sequence set or a UID set into the ascending UIDs it
// names. For sequence numbers, "*" is the last message and a number past
// it is an error (RFC 3501 section 6.4.8, 9: seq-number); for UIDs, "*" is
// the largest UID and numbers not in use are ignored (section 6.4.8:
// "n:*" always includes the last message). The set is normalised first
// (seqSpans), so the cost is O(R log R) for R ranges plus one walk over
// the UIDs, and the result never holds a UID twice however the ranges
// overlap.
func (s *selected) resolve(set SeqSet, byUID bool) ([]uint32, error) {
	if byUID {
		var out []uint32
		i := 0
		for _, r := range normalize(set, s.lastUID()) {
			// Both are ascending: each range is looked for only in
			// the UIDs after the previous one.
			j, _ := slices.BinarySearch(s.uids[i:], r.Start)
			for i += j; i < len(s.uids) && s.uids[i] <= r.Stop; i++ {
				out = append(out, s.uids[i])
			}
		}
		return out, nil
	}
	n := uint32(len(s.uids))
	if n == 0 {
		return nil, badArgs("No messages in the mailbox")
	}
	spans := normalize(set, n)
	if spans.last() > n {
		return nil, badArgs("Invalid message sequence number")
	}
	out := make([]uint32, 0, spans.count())
	for _, r := range spans {
		out = append(out, s.uids[r.Start-1:r.Stop]...)
	}
	return out, nil
}

func orStar(n, star uint32) uint32 {
	if n == 0 {
		return star
	}
	return n
}

// withRecent returns flags with \Recent added when the message is recent
// in this session (RFC 3501 section 2.3.2).
func (s *selected) withRecent(uid uint32, flags []Flag) []Flag {
	if _, ok := s.recent[uid]; !ok {
		return flags
	}
	out := make([]Flag, 0, len(flags)+1)
	return append(append(out, flags...), FlagRecent)
}

// announce sends FLAGS and PERMANENTFLAGS again when flags hold a keyword
// the session has not been told of, as RFC 3501 section 7.2.6 requires
// before the keyword appears in a FETCH response.
func (c *Conn) announce(flags []Flag) {
	s := c.sel
	added := false
	for _, f := range flags {
		if f == FlagRecent || containsFlag(s.flags, f) {
			continue
		}
		s.flags = append(s.flags, f)
		if len(s.permanent) > 0 && !containsFlag(s.permanent, f) {
			s.permanent = append(s.permanent, f)
		}
		added = true
	}
	if added {
		c.writeMailboxFlags()
	}
}

func containsFlag(list []Flag, f Flag) bool {
	for _, g := range list {
		if g.Equal(f) {
			return true
		}
	}
	return false
}

// writeMailboxFlags writes FLAGS and PERMANENTFLAGS (RFC 3501 sections
// 7.2.6 and 7.1).
func (c *Conn) writeMailboxFlags() {
	s := c.sel
	c.w.Raw("* FLAGS ")
	writeFlagList(c.w, s.flags)
	c.w.CRLF()
	c.w.Raw("* OK [PERMANENTFLAGS ")
	writeFlagList(c.w, s.permanent)
	c.w.Raw("] Flags permitted").CRLF()
}

// writeFlagsFetch writes "* n FETCH (FLAGS (...))" for a flag change
// (RFC 3501 section 7.4.2), with UID when the command was a UID command.
func (c *Conn) writeFlagsFetch(seq, uid uint32, flags []Flag, withUID bool) {
	c.announce(flags)
	c.w.Raw("* ").Number(seq).Raw(" FETCH (")
	if withUID {
		c.w.Raw("UID ").Number(uid).SP()
	}
	c.w.Raw("FLAGS ")
	writeFlagList(c.w, c.sel.withRecent(uid, flags))
	c.w.Raw(")").CRLF()
}

// expungeAllowed reports whether EXPUNGE responses may be sent at the end
// of a command: not during FETCH, STORE, SEARCH (RFC 3501 section 7.4.1)
// nor COPY and MOVE by sequence number, whose numbers the client may still
// be using (RFC 2180 section 4.4).
func expungeAllowed(v Verb) bool {
	switch v {
	case VerbFETCH, VerbSTORE, VerbSEARCH, VerbCOPY, VerbMOVE:
		return false
	}
	return true
}

// sendUpdates reports the changes others made to the selected mailbox.
// Nothing may name a message before the EXISTS that announces it (RFC
// 3501 sections 7.3.1 and 7.4.1, RFC 2180 section 4), so a batch goes out
// in this order: the flag changes (FETCH, section 7.4.2) of messages the
// client knows, the EXPUNGEs when allowed, then EXISTS and RECENT for
// what is new. A message that comes and changes or goes again before it
// was announced is not named at all: the client learns its flags when it
// fetches them, and one that is gone was never counted.
func (c *Conn) sendUpdates(allowExpunge bool) error {
	s := c.sel
	updates, err := s.mbox.Poll(c.line.Ctx)
	if err != nil {
		return err
	}
	known := uint32(len(s.uids)) // the client's count since the last EXISTS
	for _, u := range updates {
		switch u.Type {
		case UpdateNew:
			if s.addNew(u) {
				if c.srv.recent.arrived(s.recentKey, u.UID, !s.readOnly) {
					s.recent[u.UID] = struct{}{}
				}
				c.announce(u.Flags)
			}
		case UpdateExpunge:
			switch seq := s.seqOf(u.UID); {
			case seq > known:
				s.remove(seq)
			case seq != 0:
				s.expunged = append(s.expunged, u.UID)
			}
		case UpdateFlags:
			if seq := s.seqOf(u.UID); seq != 0 && seq <= known {
				c.writeFlagsFetch(seq, u.UID, u.Flags, false)
			}
		}
	}
	s.pruneVanished()
	if allowExpunge && len(s.expunged) > 0 {
		for _, uid := range s.expunged {
			if c.expungeSeq(uid) {
				known--
			}
		}
		s.expunged = s.expunged[:0]
	}
	if uint32(len(s.uids)) > known {
		c.w.Raw("* ").Number(uint32(len(s.uids))).Raw(" EXISTS").CRLF()
		c.w.Raw("* ").Number(uint32(len(s.recent))).Raw(" RECENT").CRLF()
	}
	return nil
}

// addNew adds a new message to the end of the view, unless it is not
// past the last UID (UIDs ascend, RFC 3501 section 2.3.1.1) or this
// session already expunged it before hearing of it (vanished); it
// reports whether the message was added.
func (s *selected) addNew(u Update) bool {
	if _, gone := s.vanished[u.UID]; gone {
		delete(s.vanished, u.UID)
		return false
	}
	if u.UID <= s.lastUID() {
		return false
	}
	s.uids = append(s.uids, u.UID)
	return true
}

// remove drops message seq from the view without telling the client:
// only for messages it was never told of.
func (s *selected) remove(seq uint32) {
	delete(s.recent, s.uids[seq-1])
	s.uids = slices.Delete(s.uids, int(seq-1), int(seq))
}

// pruneVanished forgets vanished UIDs the view has grown past: their
// UpdateNew can no longer come, since new UIDs ascend.
func (s *selected) pruneVanished() {
	last := s.lastUID()
	for uid := range s.vanished {
		if uid <= last {
			delete(s.vanished, uid)
		}
	}
}

// expungeOwn writes the EXPUNGE responses of messages this session
// expunged (EXPUNGE, MOVE). A UID past the view is a message the
// backend added and this session expunged before Poll told of it (an
// EXPUNGE removes every \Deleted message, RFC 3501 section 6.4.3): it is
// noted as vanished, so that its UpdateNew, which may still be queued,
// does not bring it back as a message that no longer exists.
func (c *Conn) expungeOwn(uids []uint32) {
	s := c.sel
	for _, uid := range uids {
		if c.expungeSeq(uid) || uid <= s.lastUID() {
			continue
		}
		if s.vanished == nil {
			s.vanished = make(map[uint32]struct{})
		}
		s.vanished[uid] = struct{}{}
	}
}

// expungeSeq removes uid from the view and writes its EXPUNGE response
// (RFC 3501 section 7.4.1); it reports whether uid was in the view.
func (c *Conn) expungeSeq(uid uint32) bool {
	s := c.sel
	seq := s.seqOf(uid)
	if seq == 0 {
		return false
	}
	s.remove(seq)
	c.w.Raw("* ").Number(seq).Raw(" EXPUNGE").CRLF()
	return true
}

// unselect closes the selected mailbox, if any.
func (c *Conn) unselect() {
	if c.sel == nil {
		return
	}
	if err := c.sel.mbox.Close(c.line.Ctx); err != nil {
		c.srv.logger().Warn("imap: closing mailbox", "err", err)
	}
	c.sel = nil
}

// handleSelect answers SELECT and EXAMINE (RFC 3501 sections 6.3.1 and
// 6.3.2). A mailbox already selected is closed first, even if the new
// one cannot be opened.
func (c *Conn) handleSelect(readOnly bool) (*StatusResponse, error) {
	if err := c.sp(); err != nil {
		return nil, err
	}
	name, err := c.mailbox()
	if err != nil {
		return nil, err
	}
	if c.r.Accept(' ') {
		return nil, badArgs("SELECT parameters are not supported")
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	c.unselect()
	if resp := checkMailboxName(name); resp != nil {
		return resp, nil
	}
	mbox, view, err := c.user.Open(c.line.Ctx, name, readOnly)
	if err != nil {
		return c.backendError(err), nil
	}
	s := &selected{
		name:      name,
		mbox:      mbox,
		readOnly:  readOnly,
		uids:      view.UIDs,
		recent:    make(map[uint32]struct{}),
		recentKey: recentKey{user: c.identity, mailbox: name, uidValidity: view.UIDValidity},
		flags:     slices.Clone(view.Flags),
	}
	if !readOnly {
		s.permanent = slices.Clone(view.PermanentFlags)
	}
	for _, uid := range c.srv.recent.open(s.recentKey, view.UIDs, !readOnly) {
		s.recent[uid] = struct{}{}
	}
	c.sel = s
	// RFC 3501 section 6.3.1: FLAGS, EXISTS and RECENT are required, and
	// the OK codes UNSEEN, PERMANENTFLAGS, UIDNEXT and UIDVALIDITY.
	c.writeMailboxFlags()
	c.w.Raw("* ").Number(uint32(len(s.uids))).Raw(" EXISTS").CRLF()
	c.w.Raw("* ").Number(uint32(len(s.recent))).Raw(" RECENT").CRLF()
	if seq := s.seqOf(view.FirstUnseen); seq != 0 {
		c.untagged(&StatusResponse{Type: StatusOK, Code: CodeUnseen, CodeArg: itoa(seq), Text: "First unseen"})
	}
	c.untagged(&StatusResponse{Type: StatusOK, Code: CodeUIDValidity, CodeArg: itoa(view.UIDValidity), Text: "UIDs valid"})
	c.untagged(&StatusResponse{Type: StatusOK, Code: CodeUIDNext, CodeArg: itoa(view.UIDNext), Text: "Predicted next UID"})
	if readOnly {
		return &StatusResponse{Type: StatusOK, Code: CodeReadOnly, Text: "EXAMINE completed"}, nil
	}
	return &StatusResponse{Type: StatusOK, Code: CodeReadWrite, Text: "SELECT completed"}, nil
}
