package imap

import (
	"strings"
)

// handleCreate answers CREATE mailbox [(USE (attr))] (RFC 3501 section
// 6.3.3, RFC 6154 section 3). A trailing delimiter only says the client
// means to create inferiors, so it is dropped.
func (c *Conn) handleCreate() (*StatusResponse, error) {
	name, err := c.spMailbox()
	if err != nil {
		return nil, err
	}
	var use MailboxAttr
	if c.r.Accept(' ') {
		if use, err = c.readCreateUse(); err != nil {
			return nil, err
		}
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	name = strings.TrimSuffix(name, string(Delimiter))
	if resp := checkMailboxName(name); resp != nil {
		return resp, nil
	}
	if name == Inbox {
		return no(CodeAlreadyExists, "INBOX always exists"), nil
	}
	if err := c.user.CreateMailbox(c.line.Ctx, name, use); err != nil {
		return c.backendError(err), nil
	}
	return ok("CREATE completed"), nil
}

// readCreateUse reads "(USE (attr ...))" (RFC 6154 section 3); this
// server keeps one special use per mailbox.
func (c *Conn) readCreateUse() (MailboxAttr, error) {
	var use MailboxAttr
	err := c.r.List(func() error {
		name, err := c.r.Atom()
		if err != nil {
			return err
		}
		if !strings.EqualFold(name, "USE") {
			return badArgs("Unknown CREATE parameter " + name)
		}
		if err := c.sp(); err != nil {
			return err
		}
		return c.r.List(func() error {
			f, err := c.r.Flag()
			if use == "" {
				use = canonicalAttr(f)
			}
			return err
		})
	})
	return use, err
}

// handleDelete answers DELETE (RFC 3501 section 6.3.4).
func (c *Conn) handleDelete() (*StatusResponse, error) {
	name, refusal, err := c.onlyMailbox()
	if err != nil || refusal != nil {
		return refusal, err
	}
	if name == Inbox {
		return no(CodeCannot, "INBOX cannot be deleted"), nil
	}
	if c.sel != nil && c.sel.name == name {
		return no(CodeInUse, "Mailbox is selected"), nil
	}
	if err := c.user.DeleteMailbox(c.line.Ctx, name); err != nil {
		return c.backendError(err), nil
	}
	c.srv.recent.forget(c.identity, name)
	return ok("DELETE completed"), nil
}

// handleRename answers RENAME (RFC 3501 section 6.3.5).
func (c *Conn) handleRename() (*StatusResponse, error) {
	from, err := c.spMailbox()
	if err != nil {
		return nil, err
	}
	to, err := c.spMailbox()
	if err != nil {
		return nil, err
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	for _, n := range []string{from, to} {
		if resp := checkMailboxName(n); resp != nil {
			return resp, nil
		}
	}
	if to == Inbox {
		return no(CodeAlreadyExists, "INBOX always exists"), nil
	}
	if err := c.user.RenameMailbox(c.line.Ctx, from, to); err != nil {
		return c.backendError(err), nil
	}
	c.srv.recent.forget(c.identity, from)
	c.srv.recent.forget(c.identity, to)
	return ok("RENAME completed"), nil
}

// handleSubscribe answers SUBSCRIBE and UNSUBSCRIBE (RFC 3501 sections
// 6.3.6 and 6.3.7).
func (c *Conn) handleSubscribe(subscribe bool) (*StatusResponse, error) {
	name, refusal, err := c.onlyMailbox()
	if err != nil || refusal != nil {
		return refusal, err
	}
	if err := c.user.SetSubscribed(c.line.Ctx, name, subscribe); err != nil {
		return c.backendError(err), nil
	}
	if subscribe {
		return ok("SUBSCRIBE completed"), nil
	}
	return ok("UNSUBSCRIBE completed"), nil
}

// handleStatus answers STATUS mailbox (items) (RFC 3501 section 6.3.10,
// RFC 8438 for SIZE).
func (c *Conn) handleStatus() (*StatusResponse, error) {
	name, err := c.spMailbox()
	if err != nil {
		return nil, err
	}
	if err := c.sp(); err != nil {
		return nil, err
	}
	opts, err := readStatusOptions(c.r)
	if err != nil {
		return nil, err
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	if resp := checkMailboxName(name); resp != nil {
		return resp, nil
	}
	st, err := c.user.Status(c.line.Ctx, name)
	if err != nil {
		return c.backendError(err), nil
	}
	c.writeStatus(name, st, opts)
	return ok("STATUS completed"), nil
}

// writeStatus writes the STATUS response with the items asked for.
func (c *Conn) writeStatus(name string, st *MailboxStatus, o *StatusOptions) {
	d := &StatusData{Mailbox: name}
	num := func(ok bool, n uint32) *uint32 {
		if !ok {
			return nil
		}
		return &n
	}
	d.NumMessages = num(o.NumMessages, st.Messages)
	if o.NumRecent {
		d.NumRecent = num(true, c.srv.recent.count(recentKey{c.identity, name, st.UIDValidity}, st))
	}
	d.NumUnseen = num(o.NumUnseen, st.Unseen)
	d.NumDeleted = num(o.NumDeleted, st.Deleted)
	if o.UIDNext {
		d.UIDNext = st.UIDNext
	}
	if o.UIDValidity {
		d.UIDValidity = st.UIDValidity
	}
	if o.Size {
		size := st.Size
		d.Size = &size
	}
	if o.AppendLimit {
		limit := uint64(c.srv.limits().MaxLiteralSize)
		d.AppendLimit = &limit
	}
	writeStatusData(c.w, d)
}
