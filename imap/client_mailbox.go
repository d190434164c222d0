package imap

import (
	"context"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// SelectOptions modify SELECT and EXAMINE.
type SelectOptions struct {
	ReadOnly  bool // EXAMINE instead of SELECT (RFC 3501 section 6.3.2)
	CondStore bool // (CONDSTORE) parameter, RFC 7162 section 3.1.8
	// QResync resynchronizes a cached mailbox (RFC 7162 section 3.2.5;
	// QRESYNC must be enabled first): the server reports what was
	// expunged since as VANISHED (EARLIER) and what changed as FETCH,
	// both to the UnilateralHandler.
	QResync *QResyncOptions
}

// QResyncOptions are the client's cached state for SELECT (QRESYNC ...).
type QResyncOptions struct {
	UIDValidity uint32
	ModSeq      uint64
	KnownUIDs   SeqSet // optional
}

// Select opens a mailbox (RFC 3501 sections 6.3.1 and 6.3.2) and returns
// what the server reported about it.
func (c *Client) Select(ctx context.Context, mailbox string, opts *SelectOptions) (*SelectedMailbox, error) {
	if err := checkMailbox(mailbox); err != nil {
		return nil, err
	}
	v := VerbSELECT
	if opts != nil && opts.ReadOnly {
		v = VerbEXAMINE
	}
	mb := &SelectedMailbox{Name: mailbox}
	resp, err := c.run(ctx, v, func(w *wire.Writer) {
		writeMailbox(w, mailbox)
		switch {
		case opts != nil && opts.QResync != nil:
			q := opts.QResync
			w.Raw(" (QRESYNC (").Number(q.UIDValidity).SP().Number64(q.ModSeq)
			if !q.KnownUIDs.IsEmpty() {
				w.SP().Raw(q.KnownUIDs.String())
			}
			w.Raw("))")
		case opts != nil && opts.CondStore:
			w.Raw(" (CONDSTORE)")
		}
	}, func(u *untagged) (bool, error) {
		switch u.Name {
		case "EXISTS":
			mb.NumMessages = u.Num
		case "RECENT":
			mb.NumRecent = u.Num
		case "FLAGS":
			if err := u.r.SP(); err != nil {
				return true, err
			}
			flags, err := readFlagList(u.r)
			mb.Flags = flags
			if err != nil {
				return true, err
			}
			return true, u.r.CRLF()
		case "OK":
			selectCode(mb, u.Status)
			return u.Status.Code != CodeAlert, nil
		default:
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	mb.ReadOnly = resp.Code == CodeReadOnly
	c.mu.Lock()
	if c.state == StateSelected {
		m := *mb
		c.mailbox = &m
	}
	c.mu.Unlock()
	return mb, nil
}

// selectCode records the response codes SELECT returns (RFC 3501 section
// 6.3.1, RFC 7162 section 3.1.2).
func selectCode(mb *SelectedMailbox, st *StatusResponse) {
	n, _ := st.CodeNumber()
	switch st.Code {
	case CodeUIDValidity:
		mb.UIDValidity = uint32(n)
	case CodeUIDNext:
		mb.UIDNext = uint32(n)
	case CodeUnseen:
		mb.FirstUnseen = uint32(n)
	case CodeHighestModSeq:
		mb.HighestModSeq = n
	case CodeNoModSeq:
		mb.NoModSeq = true
	case CodePermanentFlags:
		for _, f := range st.CodeList() {
			mb.PermanentFlags = append(mb.PermanentFlags, canonicalFlag(f))
		}
	}
}

// simple runs a command whose only argument is a mailbox name.
func (c *Client) simple(ctx context.Context, v Verb, mailbox string) error {
	if err := checkMailbox(mailbox); err != nil {
		return err
	}
	_, err := c.run(ctx, v, func(w *wire.Writer) { writeMailbox(w, mailbox) }, nil)
	return err
}

// Create creates a mailbox (RFC 3501 section 6.3.3); specialUse, when
// given, asks for special-use attributes (RFC 6154 section 3).
func (c *Client) Create(ctx context.Context, mailbox string, specialUse ...MailboxAttr) error {
	if err := checkMailbox(mailbox); err != nil {
		return err
	}
	_, err := c.run(ctx, VerbCREATE, func(w *wire.Writer) {
		writeMailbox(w, mailbox)
		if len(specialUse) > 0 {
			w.Raw(" (USE (")
			for i, a := range specialUse {
				w.Sep(i).Atom(string(a))
			}
			w.Raw("))")
		}
	}, nil)
	return err
}

// Delete deletes a mailbox (RFC 3501 section 6.3.4).
func (c *Client) Delete(ctx context.Context, mailbox string) error {
	return c.simple(ctx, VerbDELETE, mailbox)
}

// Rename renames a mailbox (RFC 3501 section 6.3.5).
func (c *Client) Rename(ctx context.Context, from, to string) error {
	if err := checkMailbox(from, to); err != nil {
		return err
	}
	_, err := c.run(ctx, VerbRENAME, func(w *wire.Writer) {
		writeMailbox(w, from)
		w.SP()
		writeMailbox(w, to)
	}, nil)
	return err
}

// Subscribe adds a mailbox to the subscriptions (RFC 3501 section 6.3.6).
func (c *Client) Subscribe(ctx context.Context, mailbox string) error {
	return c.simple(ctx, VerbSUBSCRIBE, mailbox)
}

// Unsubscribe removes a mailbox from the subscriptions (RFC 3501 section
// 6.3.7).
func (c *Client) Unsubscribe(ctx context.Context, mailbox string) error {
	return c.simple(ctx, VerbUNSUBSCRIBE, mailbox)
}

// List lists mailboxes (RFC 3501 section 6.3.8), with the options of
// LIST-EXTENDED, SPECIAL-USE and LIST-STATUS when opts is not nil.
// ListSeq is the same as a range-over-func iterator.
func (c *Client) List(ctx context.Context, ref string, patterns []string, opts *ListOptions) ([]*ListData, error) {
	return c.list(ctx, VerbLIST, ref, patterns, opts)
}

// Lsub lists subscribed mailboxes (RFC 3501 section 6.3.9).
func (c *Client) Lsub(ctx context.Context, ref, pattern string) ([]*ListData, error) {
	return c.list(ctx, VerbLSUB, ref, []string{pattern}, nil)
}

func (c *Client) list(ctx context.Context, v Verb, ref string, patterns []string, opts *ListOptions) ([]*ListData, error) {
	if err := checkMailbox(append([]string{ref}, patterns...)...); err != nil {
		return nil, err
	}
	var out []*ListData
	byName := map[string]*ListData{}
	statuses := map[string]*StatusData{}
	utf8 := c.Enabled(CapUTF8Accept)
	_, err := c.run(ctx, v, func(w *wire.Writer) {
		writeListCommand(w, ref, patterns, opts)
	}, func(u *untagged) (bool, error) {
		switch u.Name {
		case v.String():
			if err := u.r.SP(); err != nil {
				return true, err
			}
			d, err := readListData(u.r, utf8)
			if err != nil {
				return true, err
			}
			if st := statuses[d.Mailbox]; st != nil {
				d.Status = st
			}
			out = append(out, d)
			byName[d.Mailbox] = d
			return true, u.r.CRLF()
		case "STATUS":
			if opts == nil || opts.ReturnStatus == nil {
				return false, nil
			}
			if err := u.r.SP(); err != nil {
				return true, err
			}
			st, err := readStatusData(u.r, utf8)
			if err != nil {
				return true, err
			}
			if d := byName[st.Mailbox]; d != nil {
				d.Status = st
			} else {
				statuses[st.Mailbox] = st
			}
			return true, u.r.CRLF()
		}
		return false, nil
	})
	return out, err
}

// Status asks for a mailbox's status (RFC 3501 section 6.3.10).
func (c *Client) Status(ctx context.Context, mailbox string, opts *StatusOptions) (*StatusData, error) {
	if err := checkMailbox(mailbox); err != nil {
		return nil, err
	}
	var data *StatusData
	utf8 := c.Enabled(CapUTF8Accept)
	_, err := c.run(ctx, VerbSTATUS, func(w *wire.Writer) {
		writeMailbox(w, mailbox)
		w.SP()
		writeStatusOptions(w, opts)
	}, func(u *untagged) (bool, error) {
		if u.Name != "STATUS" {
			return false, nil
		}
		if err := u.r.SP(); err != nil {
			return true, err
		}
		var err error
		if data, err = readStatusData(u.r, utf8); err != nil {
			return true, err
		}
		return true, u.r.CRLF()
	})
	if err == nil && data == nil {
		data = &StatusData{Mailbox: mailbox}
	}
	return data, err
}

// Namespace asks for the namespaces (RFC 2342 section 5).
func (c *Client) Namespace(ctx context.Context) (*NamespaceData, error) {
	var data *NamespaceData
	utf8 := c.Enabled(CapUTF8Accept)
	_, err := c.run(ctx, VerbNAMESPACE, nil, func(u *untagged) (bool, error) {
		if u.Name != "NAMESPACE" {
			return false, nil
		}
		if err := u.r.SP(); err != nil {
			return true, err
		}
		var err error
		if data, err = readNamespaceData(u.r, utf8); err != nil {
			return true, err
		}
		return true, u.r.CRLF()
	})
	return data, err
}

// ID exchanges implementation information (RFC 2971 section 3.1); nil
// sends NIL.
func (c *Client) ID(ctx context.Context, params map[string]string) (map[string]string, error) {
	var server map[string]string
	_, err := c.run(ctx, VerbID, func(w *wire.Writer) { writeIDParams(w, params) }, func(u *untagged) (bool, error) {
		if u.Name != "ID" {
			return false, nil
		}
		if err := u.r.SP(); err != nil {
			return true, err
		}
		var err error
		if server, err = readIDParams(u.r); err != nil {
			return true, err
		}
		return true, u.r.CRLF()
	})
	return server, err
}

// Enable enables extensions (RFC 5161 section 3.1) and returns those the
// server enabled. Enabling UTF8=ACCEPT switches mailbox names to UTF-8
// (RFC 6855 section 3).
func (c *Client) Enable(ctx context.Context, caps ...Cap) ([]Cap, error) {
	before := c.enabledSet()
	_, err := c.run(ctx, VerbENABLE, func(w *wire.Writer) {
		for i, name := range caps {
			w.Sep(i).Atom(string(name))
		}
	}, nil)
	if err != nil {
		return nil, err
	}
	var out []Cap
	for name := range c.enabledSet() {
		if _, ok := before[name]; !ok {
			out = append(out, name)
		}
	}
	return out, nil
}

func (c *Client) enabledSet() Caps {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(Caps, len(c.enabled))
	for k := range c.enabled {
		m[k] = struct{}{}
	}
	return m
}

// Check requests a checkpoint of the selected mailbox (RFC 3501 section
// 6.4.1).
func (c *Client) Check(ctx context.Context) error {
	_, err := c.run(ctx, VerbCHECK, nil, nil)
	return err
}

// CloseMailbox expunges \Deleted messages silently and deselects the
// mailbox (RFC 3501 section 6.4.2, the CLOSE command).
func (c *Client) CloseMailbox(ctx context.Context) error {
	_, err := c.run(ctx, VerbCLOSE, nil, nil)
	return err
}

// Unselect deselects the mailbox without expunging (RFC 3691).
func (c *Client) Unselect(ctx context.Context) error {
	_, err := c.run(ctx, VerbUNSELECT, nil, nil)
	return err
}

// Expunge removes \Deleted messages (RFC 3501 section 6.4.3) and returns
// the sequence numbers the server reported, in order.
func (c *Client) Expunge(ctx context.Context) ([]uint32, error) {
	return c.expunge(ctx, VerbEXPUNGE, nil)
}

// UIDExpunge removes the \Deleted messages among uids (RFC 4315 section
// 2.1).
func (c *Client) UIDExpunge(ctx context.Context, uids SeqSet) ([]uint32, error) {
	return c.expunge(ctx, VerbUIDEXPUNGE, &uids)
}

func (c *Client) expunge(ctx context.Context, v Verb, uids *SeqSet) ([]uint32, error) {
	var seqs []uint32
	var args func(*wire.Writer)
	if uids != nil {
		if err := checkSet(*uids); err != nil {
			return nil, err
		}
		args = func(w *wire.Writer) { w.Raw(uids.String()) }
	}
	_, err := c.run(ctx, v, args, func(u *untagged) (bool, error) {
		if u.Name == "EXPUNGE" {
			seqs = append(seqs, u.Num)
		}
		return false, nil // the handler sees them too
	})
	return seqs, err
}
