package imap

import (
	"strings"
)

// readOnlyResponse refuses a change to a mailbox opened with EXAMINE (RFC
// 3501 section 6.3.2).
func readOnlyResponse() *StatusResponse {
	return no(CodeCannot, "Mailbox is read-only")
}

// expungedResponse is the tagged result of a command that named messages
// another session expunged (RFC 2180 section 4.1.2, RFC 5530
// EXPUNGEISSUED): the others were handled; the client should NOOP.
func expungedResponse(name string) *StatusResponse {
	return no(CodeExpungeIssued, "Some messages were expunged by another session; "+name+" done for the others")
}

// handleStore answers STORE and UID STORE (RFC 3501 section 6.4.6):
// seq-set SP ["+"/"-"] "FLAGS" [".SILENT"] SP flags.
func (c *Conn) handleStore(byUID bool) (*StatusResponse, error) {
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
	item, err := c.r.Atom()
	if err != nil {
		return nil, err
	}
	op, silent, valid := parseStoreItem(item)
	if !valid {
		return nil, badArgs("Unknown STORE item " + item)
	}
	if err := c.sp(); err != nil {
		return nil, err
	}
	var flags []Flag
	if ch, _ := c.r.Peek(); ch == '(' {
		flags, err = readFlagList(c.r)
	} else {
		for err == nil {
			var f string
			if f, err = c.r.Flag(); err == nil {
				flags = append(flags, canonicalFlag(f))
			}
			if !c.r.Accept(' ') {
				break
			}
		}
	}
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
	if c.sel.readOnly {
		return readOnlyResponse(), nil
	}
	live, gone := c.sel.splitExpunged(uids)
	updates, err := c.sel.mbox.Store(c.line.Ctx, live, op, withoutRecent(flags))
	if err != nil {
		return c.backendError(err), nil
	}
	if !silent {
		for _, u := range updates {
			if seq := c.sel.seqOf(u.UID); seq != 0 {
				c.writeFlagsFetch(seq, u.UID, u.Flags, byUID)
			}
		}
	} else {
		for _, u := range updates {
			c.announce(u.Flags)
		}
	}
	if gone || len(updates) < len(live) {
		return expungedResponse("STORE"), nil
	}
	return ok("STORE completed"), nil
}

// parseStoreItem reads store-att-flags' name (RFC 3501 section 9).
func parseStoreItem(item string) (op StoreFlagsOp, silent, ok bool) {
	item = strings.ToUpper(item)
	item, silent = strings.CutSuffix(item, ".SILENT")
	switch item {
	case "FLAGS":
		return StoreFlagsSet, silent, true
	case "+FLAGS":
		return StoreFlagsAdd, silent, true
	case "-FLAGS":
		return StoreFlagsDel, silent, true
	}
	return 0, false, false
}

// splitExpunged drops from uids those another session expunged and this
// one was not told of yet, and reports whether there were any. The
// pending UIDs go into a set first, so that a large FETCH after a large
// EXPUNGE costs the sum of the two, not their product.
func (s *selected) splitExpunged(uids []uint32) ([]uint32, bool) {
	if len(s.expunged) == 0 {
		return uids, false
	}
	gone := make(map[uint32]struct{}, len(s.expunged))
	for _, uid := range s.expunged {
		gone[uid] = struct{}{}
	}
	live := uids[:0:0]
	for _, uid := range uids {
		if _, ok := gone[uid]; !ok {
			live = append(live, uid)
		}
	}
	return live, len(live) != len(uids)
}

// handleExpunge answers EXPUNGE (RFC 3501 section 6.4.3) and UID EXPUNGE
// (RFC 4315 section 2.1).
func (c *Conn) handleExpunge(byUID bool) (*StatusResponse, error) {
	var uids []uint32
	if byUID {
		if err := c.sp(); err != nil {
			return nil, err
		}
		set, err := c.seqSet()
		if err != nil {
			return nil, err
		}
		if uids, err = c.sel.resolve(set, true); err != nil {
			return nil, err
		}
		if uids == nil {
			uids = []uint32{}
		}
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	if c.sel.readOnly {
		return readOnlyResponse(), nil
	}
	gone, err := c.sel.mbox.Expunge(c.line.Ctx, uids)
	if err != nil {
		return c.backendError(err), nil
	}
	c.expungeOwn(gone)
	return ok("EXPUNGE completed"), nil
}

// handleClose answers CLOSE (RFC 3501 section 6.4.2), which expunges
// silently unless the mailbox is read-only, and UNSELECT (RFC 3691),
// which does not expunge.
func (c *Conn) handleClose(expunge bool) (*StatusResponse, error) {
	if err := c.eol(); err != nil {
		return nil, err
	}
	if expunge && !c.sel.readOnly {
		if _, err := c.sel.mbox.Expunge(c.line.Ctx, nil); err != nil {
			c.srv.logger().Warn("imap: expunge on CLOSE", "err", err)
		}
	}
	c.unselect()
	if expunge {
		return ok("CLOSE completed"), nil
	}
	return ok("UNSELECT completed"), nil
}

// handleCopy answers COPY and UID COPY (RFC 3501 section 6.4.7) and MOVE
// and UID MOVE (RFC 6851 section 3), with COPYUID (RFC 4315 section 3).
// A backend without MoveMailbox moves by copying, flagging \Deleted and
// expunging only the moved messages, as RFC 6851 section 3.3 allows.
func (c *Conn) handleCopy(byUID, move bool) (*StatusResponse, error) {
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
	dest, err := c.mailbox()
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
	verb := "COPY"
	if move {
		verb = "MOVE"
		if c.sel.readOnly {
			return readOnlyResponse(), nil
		}
	}
	if resp := checkMailboxName(dest); resp != nil {
		return resp, nil
	}
	live, gone := c.sel.splitExpunged(uids)
	if gone && !byUID {
		// RFC 2180 section 4.4.1: refuse rather than copy part of what
		// the client named by sequence number.
		return expungedResponse(verb), nil
	}
	if len(live) == 0 {
		return ok(verb + " completed, nothing to do"), nil
	}
	var validity uint32
	var newUIDs []uint32
	mbox := c.sel.mbox
	if mm, ok := mbox.(MoveMailbox); ok && move {
		validity, newUIDs, err = mm.Move(c.line.Ctx, live, dest)
	} else {
		validity, newUIDs, err = mbox.Copy(c.line.Ctx, live, dest)
		if err == nil && move {
			err = c.emulateMove(live)
		}
	}
	if err != nil {
		return c.backendError(err), nil
	}
	code := &StatusResponse{Type: StatusOK, Code: CodeCopyUID, Text: verb + " completed"}
	if len(newUIDs) == len(live) {
		code.CodeArg = itoa(validity) + " " + SeqSetNum(live...).String() + " " + SeqSetNum(newUIDs...).String()
	} else {
		code.Code = ""
	}
	if !move {
		return code, nil
	}
	// RFC 6851 section 4.3: COPYUID goes in an untagged OK before the
	// EXPUNGE responses.
	if code.Code != "" {
		c.untagged(code)
	}
	c.expungeOwn(live)
	return ok("MOVE completed"), nil
}

// emulateMove removes copied messages from the source.
func (c *Conn) emulateMove(uids []uint32) error {
	if _, err := c.sel.mbox.Store(c.line.Ctx, uids, StoreFlagsAdd, []Flag{FlagDeleted}); err != nil {
		return err
	}
	_, err := c.sel.mbox.Expunge(c.line.Ctx, uids)
	return err
}
