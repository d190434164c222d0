package imap

import (
	"strings"
)

// handleSearch answers SEARCH and UID SEARCH (RFC 3501 sections 6.4.4 and
// 6.4.8), with RETURN options for ESEARCH (RFC 4731 section 3.1).
func (c *Conn) handleSearch(tag string, byUID bool) (*StatusResponse, error) {
	if err := c.sp(); err != nil {
		return nil, err
	}
	ret, err := c.readSearchReturn()
	if err != nil {
		return nil, err
	}
	charsetOK := true
	if b := c.peekName(len("CHARSET") + 1); strings.EqualFold(strings.TrimSpace(string(b)), "CHARSET") {
		if _, err := c.r.Atom(); err != nil {
			return nil, err
		}
		if err := c.sp(); err != nil {
			return nil, err
		}
		cs, err := c.astring()
		if err != nil {
			return nil, err
		}
		charsetOK = strings.EqualFold(cs, "UTF-8") || strings.EqualFold(cs, "US-ASCII")
		if err := c.sp(); err != nil {
			return nil, err
		}
	}
	crit, err := readSearchCriteria(c.r)
	if err != nil {
		return nil, err
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	if !charsetOK {
		// RFC 3501 section 6.4.4: NO [BADCHARSET (supported)].
		return &StatusResponse{Type: StatusNO, Code: CodeBadCharset, CodeArg: "(UTF-8 US-ASCII)", Text: "Unsupported charset"}, nil
	}
	if n := uint32(len(c.sel.uids)); n > 0 {
		for _, set := range crit.SeqNum {
			// RFC 3501 section 9: a seq-number past the last
			// message is invalid. Checked on the normal form, so
			// that no UID list is built.
			if normalize(set, n).last() > n {
				return nil, badArgs("Invalid message sequence number")
			}
		}
	}
	found, err := c.search(crit)
	if err != nil {
		return c.backendError(err), nil
	}
	nums := found
	if !byUID {
		nums = make([]uint32, len(found))
		for i, uid := range found {
			nums[i] = c.sel.seqOf(uid)
		}
	}
	if ret != nil {
		c.writeESearch(tag, byUID, nums, ret)
	} else {
		c.w.Raw("* SEARCH")
		for _, n := range nums {
			c.w.SP().Number(n)
		}
		c.w.CRLF()
	}
	if len(c.sel.expunged) > 0 {
		return &StatusResponse{Type: StatusOK, Code: CodeExpungeIssued, Text: "SEARCH completed"}, nil
	}
	return ok("SEARCH completed"), nil
}

// readSearchReturn reads "RETURN (options)" if present (RFC 4731 section
// 3.1); an empty list means ALL.
func (c *Conn) readSearchReturn() (*SearchOptions, error) {
	if b := c.peekName(len("RETURN") + 1); !strings.EqualFold(strings.TrimSpace(string(b)), "RETURN") {
		return nil, nil
	}
	if _, err := c.r.Atom(); err != nil {
		return nil, err
	}
	if err := c.sp(); err != nil {
		return nil, err
	}
	o := new(SearchOptions)
	err := c.r.List(func() error {
		name, err := c.r.Atom()
		if err != nil {
			return err
		}
		switch strings.ToUpper(name) {
		case "MIN":
			o.ReturnMin = true
		case "MAX":
			o.ReturnMax = true
		case "ALL":
			o.ReturnAll = true
		case "COUNT":
			o.ReturnCount = true
		default:
			return badArgs("Unknown SEARCH return option " + name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !o.any() {
		o.ReturnAll = true
	}
	return o, c.sp()
}

// writeESearch writes the ESEARCH response (RFC 4731 section 3.2).
func (c *Conn) writeESearch(tag string, byUID bool, nums []uint32, o *SearchOptions) {
	w := c.w
	w.Raw("* ESEARCH (TAG ").String(tag).Raw(")")
	if byUID {
		w.Raw(" UID")
	}
	if len(nums) > 0 {
		if o.ReturnMin {
			w.Raw(" MIN ").Number(nums[0])
		}
		if o.ReturnMax {
			w.Raw(" MAX ").Number(nums[len(nums)-1])
		}
		if o.ReturnAll {
			w.Raw(" ALL ").Raw(SeqSetNum(nums...).String())
		}
	}
	if o.ReturnCount {
		w.Raw(" COUNT ").Number(uint32(len(nums)))
	}
	w.CRLF()
}

// search returns the UIDs of the messages of the session's view that
// match, ascending. Messages another session expunged match nothing.
func (c *Conn) search(crit *SearchCriteria) ([]uint32, error) {
	live, _ := c.sel.splitExpunged(c.sel.uids)
	if sm, ok := c.sel.mbox.(SearchMailbox); ok && !sessionCriteria(crit) {
		return sm.Search(c.line.Ctx, crit, live)
	}
	var found []uint32
	scratch := new(searchScratch)
	for len(live) > 0 {
		n := min(len(live), fetchBatch)
		msgs, err := c.sel.mbox.Messages(c.line.Ctx, live[:n])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			e := &searchEnv{c: c, m: m, seq: c.sel.seqOf(m.UID()), scratch: scratch}
			match, err := e.matches(crit)
			e.close()
			if err != nil {
				return nil, err
			}
			if match {
				found = append(found, m.UID())
			}
		}
		live = live[n:]
	}
	return found, nil
}

// sessionCriteria reports whether crit uses what only the session knows:
// sequence numbers and \Recent.
func sessionCriteria(crit *SearchCriteria) bool {
	if len(crit.SeqNum) > 0 || containsFlag(crit.Flag, FlagRecent) || containsFlag(crit.NotFlag, FlagRecent) {
		return true
	}
	for i := range crit.Not {
		if sessionCriteria(&crit.Not[i]) {
			return true
		}
	}
	for i := range crit.Or {
		if sessionCriteria(&crit.Or[i][0]) || sessionCriteria(&crit.Or[i][1]) {
			return true
		}
	}
	return false
}
