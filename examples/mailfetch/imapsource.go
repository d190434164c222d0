package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/imap"
)

// imapOptions say how to reach and log in to an IMAP account, and which
// mailbox to copy.
type imapOptions struct {
	addr, user, pass string
	mailbox          string
	startTLS         bool        // STARTTLS (RFC 3501 section 6.2.1) before logging in
	implicitTLS      bool        // TLS from the start (RFC 8314 section 3.3)
	tlsConfig        *tls.Config // nil: the system roots
	debug            io.Writer   // the protocol exchange, credentials redacted
	// write opens the mailbox with SELECT, which -delete needs; without
	// it EXAMINE opens it read-only (RFC 3501 section 6.3.2), so a fetch
	// can change nothing on the server.
	write bool
}

// imapSource is an IMAP session with one mailbox selected. A message's id
// is "UIDVALIDITY.UID": a UID names the same message across sessions only
// while the mailbox's UIDVALIDITY stays the same (RFC 3501 section
// 2.3.1.1), so a new UIDVALIDITY makes every stored id unknown, and the
// whole mailbox is fetched again.
type imapSource struct {
	c        *imap.Client
	account  string
	mailbox  string
	validity uint32
	deleted  imap.SeqSet // UIDs that Commit removes
}

// searchLine bounds a response line. A plain SEARCH answers with every
// UID on one line (RFC 3501 section 7.2.5), up to 11 octets each, so the
// codec's 64 KiB would stop at a few thousand messages; 16 MiB holds a
// mailbox of more than a million.
const searchLine = 16 << 20

// dial connects, upgrades to TLS when asked and logs in with LOGIN (RFC
// 3501 section 6.2.3).
func (o imapOptions) dial(ctx context.Context) (*imap.Client, error) {
	opts := &imap.Options{TLSConfig: o.tlsConfig, Debug: o.debug, MaxLine: searchLine}
	var c *imap.Client
	var err error
	switch {
	case o.implicitTLS:
		c, err = imap.DialTLS(ctx, o.addr, opts)
	case o.startTLS:
		c, err = imap.DialStartTLS(ctx, o.addr, opts)
	default:
		if !loopback(o.addr) {
			return nil, fmt.Errorf("%s is not a loopback address: use -starttls or -tls so that the password is not sent in cleartext", o.addr)
		}
		c, err = imap.Dial(ctx, o.addr, opts)
	}
	if err != nil {
		return nil, err
	}
	if c.State() == imap.StateNotAuthenticated { // not after PREAUTH
		if err := c.Login(ctx, o.user, o.pass); err != nil {
			c.Close()
			return nil, fmt.Errorf("login as %s: %w", o.user, err)
		}
	}
	// What List, Delete and listMailboxes look for may change with the
	// login (RFC 3501 section 6.2.3); ask when the server's OK did not
	// say.
	if _, err := c.Caps(); err != nil {
		if _, err := c.Capability(ctx); err != nil {
			c.Close()
			return nil, fmt.Errorf("CAPABILITY: %w", err)
		}
	}
	return c, nil
}

// loopback reports whether addr's host is a loopback address, the only
// place a password may go in cleartext.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// Connect logs in and opens the mailbox: with EXAMINE, or with SELECT
// when the messages are to be deleted.
func (o imapOptions) Connect(ctx context.Context) (source, error) {
	c, err := o.dial(ctx)
	if err != nil {
		return nil, err
	}
	mb, err := c.Select(ctx, o.mailbox, &imap.SelectOptions{ReadOnly: !o.write})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("opening %s: %w", o.mailbox, err)
	}
	if mb.UIDValidity == 0 { // RFC 3501 section 2.3.1.1: always sent
		c.Close()
		return nil, fmt.Errorf("opening %s: the server sent no UIDVALIDITY", o.mailbox)
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		host = o.addr
	}
	// The account names the mailbox too, so that several mailboxes of
	// one server can share a Maildir; a space would end the state
	// file's id, but the account is the rest of the line.
	return &imapSource{c: c, account: "imap:" + o.user + "@" + host + "/" + o.mailbox,
		mailbox: o.mailbox, validity: mb.UIDValidity}, nil
}

func (s *imapSource) Account() string { return s.account }

// List sends UID SEARCH ALL (RFC 3501 section 6.4.8): every UID, not only
// those above the highest stored one, because the fetcher forgets the ids
// of messages that are gone and deletes by the whole stored set. With
// ESEARCH (RFC 4731) the answer is a compact UID set; a plain SEARCH
// answer is one line of every UID, which searchLine must hold.
func (s *imapSource) List(ctx context.Context) ([]string, error) {
	var opts *imap.SearchOptions
	if s.c.Supports(imap.CapESearch) {
		opts = &imap.SearchOptions{ReturnAll: true}
	}
	res, err := s.c.UIDSearch(ctx, &imap.SearchCriteria{}, opts)
	if err != nil {
		return nil, fmt.Errorf("UID SEARCH: %w", err)
	}
	uids := res.Nums()
	slices.Sort(uids)
	ids := make([]string, len(uids))
	for i, uid := range uids {
		ids[i] = s.id(uid)
	}
	return ids, nil
}

func (s *imapSource) id(uid uint32) string {
	return strconv.FormatUint(uint64(s.validity), 10) + "." + strconv.FormatUint(uint64(uid), 10)
}

// uid returns the UID of an id of the current UIDVALIDITY.
func (s *imapSource) uid(id string) (uint32, error) {
	v, u, ok := strings.Cut(id, ".")
	validity, err1 := strconv.ParseUint(v, 10, 32)
	uid, err2 := strconv.ParseUint(u, 10, 32)
	if !ok || err1 != nil || err2 != nil || uid == 0 {
		return 0, fmt.Errorf("not an IMAP id: %q", id)
	}
	if uint32(validity) != s.validity {
		return 0, fmt.Errorf("id %s is of UIDVALIDITY %d, the mailbox has %d", id, validity, s.validity)
	}
	return uint32(uid), nil
}

// Restarted tells when the stored ids are of another UIDVALIDITY than the
// mailbox's now: the server renumbered it, and every message is fetched
// again, since no UID can be trusted to name the message it named
// (RFC 3501 section 2.3.1.1).
func (s *imapSource) Restarted(known []string) string {
	for _, id := range known {
		v, _, _ := strings.Cut(id, ".")
		if v != strconv.FormatUint(uint64(s.validity), 10) {
			return fmt.Sprintf("%s: UIDVALIDITY changed from %s to %d, fetching the whole mailbox again", s.mailbox, v, s.validity)
		}
	}
	return ""
}

// Open sends UID FETCH uid (FLAGS BODY.PEEK[]), which leaves \Seen alone
// (RFC 3501 section 6.4.5), and streams the literal: the message is never
// held whole in memory. The flags may come before or after the body.
func (s *imapSource) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	uid, err := s.uid(id)
	if err != nil {
		return nil, err
	}
	f := s.c.UIDFetch(ctx, imap.SeqSetNum(uid), &imap.FetchOptions{
		UID:         true,
		Flags:       true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	for m := f.Next(); m != nil; m = f.Next() {
		b := &imapBody{f: f, m: m}
		for item := m.Next(); item != nil; item = m.Next() {
			switch it := item.(type) {
			case imap.FetchItemDataFlags:
				b.flags = it.Flags
			case imap.FetchItemDataBodySection:
				if it.Literal != nil {
					b.r = it.Literal
					return b, nil
				}
			}
		}
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("UID FETCH %d: %w", uid, err)
	}
	// Expunged since List, by another client (RFC 3501 section 6.4.8:
	// a UID FETCH of a missing UID is no error).
	return nil, fmt.Errorf("UID FETCH %d: the server sent no message", uid)
}

// imapBody is one message's literal. Close finishes the FETCH command,
// whose tagged OK says the message was sent whole.
type imapBody struct {
	r     io.Reader
	f     *imap.FetchCommand
	m     *imap.FetchMessageData
	flags []imap.Flag
}

func (b *imapBody) Read(p []byte) (int, error) { return b.r.Read(p) }

// WriteTo lets io.Copy hand the literal's own WriteTo the destination, so
// the message goes from the connection's buffer to the file's without a
// copy buffer in between.
func (b *imapBody) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, b.r) }

func (b *imapBody) Close() error { return b.f.Close() }

// maildirInfo maps the system flags that have a Maildir info letter
// (https://cr.yp.to/proto/maildir.html), in the ASCII order the letters
// must have: \Draft D, \Flagged F, \Answered R (replied), \Seen S.
// \Deleted (T, trashed) is left out: a message being fetched is not one
// to hide.
var maildirInfo = []struct {
	flag   imap.Flag
	letter byte
}{{imap.FlagDraft, 'D'}, {imap.FlagFlagged, 'F'}, {imap.FlagAnswered, 'R'}, {imap.FlagSeen, 'S'}}

// MaildirFlags reads the items after the body, where the server may have
// put FLAGS, and returns the flags as Maildir info letters.
func (b *imapBody) MaildirFlags() string {
	for item := b.m.Next(); item != nil; item = b.m.Next() {
		if it, ok := item.(imap.FetchItemDataFlags); ok {
			b.flags = it.Flags
		}
	}
	var info []byte
	for _, mi := range maildirInfo {
		for _, f := range b.flags {
			if strings.EqualFold(string(f), string(mi.flag)) { // RFC 3501 section 9: flag names are case-insensitive
				info = append(info, mi.letter)
				break
			}
		}
	}
	return string(info)
}

// Delete only notes the UIDs: Commit marks and expunges them, so a run
// that fails leaves no message marked \Deleted, as POP3's DELE is undone
// by a session that ends without QUIT.
func (s *imapSource) Delete(ctx context.Context, ids []string) error {
	if !s.c.Supports(imap.CapUIDPlus) {
		// A plain EXPUNGE would also remove what other clients marked.
		return errors.New("-delete needs UID EXPUNGE (RFC 4315, UIDPLUS), which the server does not offer")
	}
	for _, id := range ids {
		uid, err := s.uid(id)
		if err != nil {
			return err
		}
		s.deleted.AddNum(uid)
	}
	return nil
}

// Commit marks the noted messages \Deleted and removes just them with UID
// EXPUNGE (RFC 4315 section 2.1), then logs out.
func (s *imapSource) Commit(ctx context.Context) error {
	if !s.deleted.IsEmpty() {
		flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
		if err := s.c.UIDStore(ctx, s.deleted, flags, nil).Close(); err != nil {
			s.c.Close()
			return fmt.Errorf("UID STORE +FLAGS.SILENT (\\Deleted): %w", err)
		}
		if _, err := s.c.UIDExpunge(ctx, s.deleted); err != nil {
			s.c.Close()
			return fmt.Errorf("UID EXPUNGE: %w", err)
		}
	}
	if err := s.c.Logout(ctx); err != nil {
		return fmt.Errorf("LOGOUT: %w", err)
	}
	return nil
}

// Close drops the connection without LOGOUT; nothing was changed on the
// server.
func (s *imapSource) Close() error { return s.c.Close() }
