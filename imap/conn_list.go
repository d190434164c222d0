package imap

import (
	"strings"
)

// handleList answers LIST and LSUB (RFC 3501 sections 6.3.8 and 6.3.9),
// with the selection and return options of LIST-EXTENDED (RFC 5258),
// SPECIAL-USE (RFC 6154) and LIST-STATUS (RFC 5819).
func (c *Conn) handleList(lsub bool) (*StatusResponse, error) {
	ref, patterns, o, err := c.readListArgs(lsub)
	if err != nil {
		return nil, err
	}
	verb := "LIST"
	if lsub {
		verb = "LSUB"
		o.SelectSubscribed = true
	}
	if len(patterns) == 1 && patterns[0] == "" {
		// RFC 3501 section 6.3.8: an empty pattern asks for the
		// hierarchy delimiter and the root of the reference.
		writeListData(c.w, verb, &ListData{Attrs: []MailboxAttr{AttrNoSelect}, Delim: Delimiter, Mailbox: ""})
		return ok(verb + " completed"), nil
	}
	boxes, err := c.user.ListMailboxes(c.line.Ctx)
	if err != nil {
		return c.backendError(err), nil
	}
	for i := range patterns {
		patterns[i] = c.decodeMailbox(ref + patterns[i])
	}
	for i, mb := range boxes {
		if matchesAny(patterns, mb.Name) && selectedBy(&o, &mb) {
			c.writeListed(verb, &o, boxes, i)
		}
	}
	return ok(verb + " completed"), nil
}

// readListArgs reads what follows LIST or LSUB: the selection options
// (LIST only), the reference, one pattern or a list of them (LIST only,
// RFC 5258 section 3), and the return options (LIST only).
func (c *Conn) readListArgs(lsub bool) (ref string, patterns []string, o ListOptions, err error) {
	if err = c.sp(); err != nil {
		return
	}
	if ch, _ := c.r.Peek(); ch == '(' && !lsub {
		if err = c.readListSelect(&o); err != nil {
			return
		}
		if err = c.sp(); err != nil {
			return
		}
	}
	if ref, err = c.mailbox(); err != nil {
		return
	}
	if err = c.sp(); err != nil {
		return
	}
	if ch, _ := c.r.Peek(); ch == '(' && !lsub {
		err = c.r.List(func() error {
			p, err := c.r.ListMailbox()
			patterns = append(patterns, p)
			return err
		})
	} else {
		var p string
		p, err = c.r.ListMailbox()
		patterns = append(patterns, p)
	}
	if err != nil {
		return
	}
	if !lsub && c.r.Accept(' ') {
		if err = c.readListReturn(&o); err != nil {
			return
		}
	}
	err = c.eol()
	return
}

// writeListed writes the LIST or LSUB line of boxes[i] and, when LIST
// asked for RETURN (STATUS ...), its STATUS line after it.
func (c *Conn) writeListed(verb string, o *ListOptions, boxes []MailboxInfo, i int) {
	mb := &boxes[i]
	d := &ListData{Delim: Delimiter, Mailbox: mb.Name, Attrs: append([]MailboxAttr(nil), mb.Attrs...)}
	if verb == "LIST" {
		d.Attrs = append(d.Attrs, childAttr(boxes, i))
		if mb.Subscribed && (o.ReturnSubscribed || o.SelectSubscribed) {
			d.Attrs = append(d.Attrs, AttrSubscribed)
		}
	}
	writeListData(c.w, verb, d)
	if o.ReturnStatus != nil && !hasAttr(mb.Attrs, AttrNoSelect) {
		// RFC 5819 section 2: the STATUS follows its LIST; a mailbox
		// that cannot report is left out silently.
		if st, err := c.user.Status(c.line.Ctx, mb.Name); err == nil {
			c.writeStatus(mb.Name, st, o.ReturnStatus)
		}
	}
}

// readListSelect reads the selection options (RFC 5258 section 3.1).
func (c *Conn) readListSelect(o *ListOptions) error {
	return c.r.List(func() error {
		name, err := c.r.Atom()
		if err != nil {
			return err
		}
		switch strings.ToUpper(name) {
		case "SUBSCRIBED":
			o.SelectSubscribed = true
		case "REMOTE":
			o.SelectRemote = true
		case "RECURSIVEMATCH":
			o.SelectRecursiveMatch = true
		case "SPECIAL-USE":
			o.SelectSpecialUse = true
		default:
			return badArgs("Unknown LIST selection option " + name)
		}
		return nil
	})
}

// readListReturn reads RETURN (options) (RFC 5258 section 3.2, RFC 5819
// section 2, RFC 6154 section 5.1).
func (c *Conn) readListReturn(o *ListOptions) error {
	name, err := c.r.Atom()
	if err != nil {
		return err
	}
	if !strings.EqualFold(name, "RETURN") {
		return badArgs("Expected RETURN")
	}
	if err := c.sp(); err != nil {
		return err
	}
	return c.r.List(func() error {
		name, err := c.r.Atom()
		if err != nil {
			return err
		}
		switch strings.ToUpper(name) {
		case "SUBSCRIBED":
			o.ReturnSubscribed = true
		case "CHILDREN":
			o.ReturnChildren = true
		case "SPECIAL-USE":
			o.ReturnSpecialUse = true
		case "STATUS":
			if err := c.sp(); err != nil {
				return err
			}
			o.ReturnStatus, err = readStatusOptions(c.r)
			return err
		default:
			return badArgs("Unknown LIST return option " + name)
		}
		return nil
	})
}

// selectedBy applies the selection options to one mailbox.
func selectedBy(o *ListOptions, mb *MailboxInfo) bool {
	if o.SelectSubscribed && !mb.Subscribed {
		return false
	}
	if o.SelectSpecialUse && !hasSpecialUse(mb.Attrs) {
		return false
	}
	return true
}

func hasSpecialUse(attrs []MailboxAttr) bool {
	for _, a := range attrs {
		switch a {
		case AttrAll, AttrArchive, AttrDrafts, AttrFlagged, AttrJunk, AttrSent, AttrTrash, AttrImportant:
			return true
		}
	}
	return false
}

func hasAttr(attrs []MailboxAttr, a MailboxAttr) bool {
	for _, x := range attrs {
		if x == a {
			return true
		}
	}
	return false
}

// childAttr returns \HasChildren or \HasNoChildren (RFC 3348, RFC 5258
// section 4) for boxes[i].
func childAttr(boxes []MailboxInfo, i int) MailboxAttr {
	prefix := boxes[i].Name + string(Delimiter)
	for _, mb := range boxes {
		if strings.HasPrefix(mb.Name, prefix) {
			return AttrHasChildren
		}
	}
	return AttrHasNoChildren
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if matchMailbox(p, name) {
			return true
		}
	}
	return false
}

// matchMailbox matches a LIST pattern (RFC 3501 section 6.3.8): "*"
// matches anything, "%" anything but the hierarchy delimiter. INBOX
// matches case-insensitively.
func matchMailbox(pattern, name string) bool {
	if len(pattern) >= len(Inbox) && strings.EqualFold(pattern[:len(Inbox)], Inbox) {
		pattern = Inbox + pattern[len(Inbox):]
	}
	// Dynamic programming over pattern prefixes keeps the cost at
	// O(len(pattern) * len(name)) whatever the wildcards.
	prev := make([]bool, len(name)+1)
	cur := make([]bool, len(name)+1)
	prev[0] = true
	for i := 0; i < len(pattern); i++ {
		pc := pattern[i]
		cur[0] = prev[0] && (pc == '*' || pc == '%')
		for j := 1; j <= len(name); j++ {
			switch pc {
			case '*':
				cur[j] = prev[j] || cur[j-1]
			case '%':
				cur[j] = prev[j] || cur[j-1] && name[j-1] != Delimiter
			default:
				cur[j] = prev[j-1] && name[j-1] == pc
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(name)]
}
