// Package imapmem is an in-memory mail store for the imap Server: users
// with passwords, a mailbox hierarchy with subscriptions and special-use
// attributes (RFC 6154), messages with flags, keywords, internal dates and
// UIDs that follow RFC 3501 section 2.3.1.1, and change notifications
// that reach every session at once, IDLE included.
//
// It is safe for concurrent use. Deliver lets other code (an SMTP backend,
// a test) drop mail in; Messages and WaitMessages let a test look at what
// arrived. Each message's MIME structure is parsed once, the first time
// FETCH or SEARCH needs it, and kept: APPEND stays a copy, and later FETCH
// ENVELOPE, BODYSTRUCTURE and body sections cost no parsing.
package imapmem

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/imap"
)

// Backend is the store. The zero value is not usable; call New.
type Backend struct {
	mu       sync.Mutex
	users    map[string]*user
	validity uint32 // last UIDVALIDITY handed out
	changed  chan struct{}
}

type user struct {
	name, password string
	scram          map[string]imap.ScramCredentials // by mechanism
	mailboxes      map[string]*mailbox
}

// New returns an empty store.
func New() *Backend {
	return &Backend{
		users:    make(map[string]*user),
		validity: uint32(time.Now().Unix()),
		changed:  make(chan struct{}),
	}
}

// ErrNoUser reports an unknown user name.
var ErrNoUser = errors.New("imapmem: no such user")

// AddUser adds a user with an empty INBOX, or changes the password of an
// existing one. It keeps the password (for Login) and the SCRAM
// verifiers of it (see ScramCredentials).
func (b *Backend) AddUser(username, password string) {
	scram := scramVerifiers(password)
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.users[username]; ok {
		u.password, u.scram = password, scram
		return
	}
	u := &user{name: username, password: password, scram: scram, mailboxes: make(map[string]*mailbox)}
	b.users[username] = u
	b.newMailbox(u, imap.Inbox, "")
}

// newMailbox creates a mailbox; the caller holds b.mu.
func (b *Backend) newMailbox(u *user, name string, specialUse imap.MailboxAttr) *mailbox {
	b.validity++
	mb := &mailbox{name: name, uidValidity: b.validity, uidNext: 1, specialUse: specialUse}
	u.mailboxes[name] = mb
	return mb
}

// CreateMailbox creates a mailbox for a user, with its superiors, outside
// any session; specialUse may be "" or an RFC 6154 attribute.
func (b *Backend) CreateMailbox(username, name string, specialUse imap.MailboxAttr) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[username]
	if !ok {
		return ErrNoUser
	}
	return b.create(u, name, specialUse)
}

func (b *Backend) create(u *user, name string, specialUse imap.MailboxAttr) error {
	if mb, ok := u.mailboxes[name]; ok && !mb.noSelect {
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAlreadyExists, Text: "Mailbox already exists"}
	}
	// RFC 3501 section 6.3.3: superiors needed to place the name in the
	// hierarchy are created too.
	levels := strings.Split(name, string(imap.Delimiter))
	for i := 1; i < len(levels); i++ {
		parent := strings.Join(levels[:i], string(imap.Delimiter))
		if _, ok := u.mailboxes[parent]; !ok {
			b.newMailbox(u, parent, "")
		}
	}
	if mb, ok := u.mailboxes[name]; ok {
		mb.noSelect = false
		mb.specialUse = specialUse
		return nil
	}
	b.newMailbox(u, name, specialUse)
	return nil
}

// Deliver stores a message read from r in a user's mailbox with no flags
// and the current time as internal date, and tells the sessions that have
// the mailbox selected at once. It returns the new UID.
func (b *Backend) Deliver(username, mailboxName string, r io.Reader) (uint32, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return 0, err
	}
	// ReadAll leaves up to a quarter of the buffer unused, and the store
	// keeps the message for good: keep an exact copy instead.
	if cap(data)-len(data) > len(data)/16 {
		data = bytes.Clone(data)
	}
	return b.Append(username, mailboxName, data, nil, time.Now())
}

// Append stores a message with flags and an internal date, as preloading
// a store for a test needs. data is kept, not copied.
func (b *Backend) Append(username, mailboxName string, data []byte, flags []imap.Flag, date time.Time) (uint32, error) {
	m := newMessage(data, flags, date)
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[username]
	if !ok {
		return 0, ErrNoUser
	}
	mb, err := u.selectable(mailboxName)
	if err != nil {
		return 0, err
	}
	uid := b.add(mb, m)
	return uid, nil
}

// newMessage builds a message; its structure is parsed when first needed.
func newMessage(data []byte, flags []imap.Flag, date time.Time) *msg {
	return &msg{data: data, flags: normalize(flags), date: date, st: &structure{}}
}

// add appends m to mb with the next UID, notifies every session that has
// mb selected, the one that added it included, and returns the UID; the
// caller holds b.mu.
func (b *Backend) add(mb *mailbox, m *msg) uint32 {
	m.uid = mb.uidNext
	mb.uidNext++
	mb.msgs = append(mb.msgs, m)
	mb.learn(m.flags)
	for _, h := range mb.handles {
		h.push(imap.Update{Type: imap.UpdateNew, UID: m.uid, Flags: slices.Clone(m.flags)})
	}
	b.notify()
	return m.uid
}

// notify wakes WaitMessages callers; the caller holds b.mu.
func (b *Backend) notify() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// Message is a stored message as Messages returns it.
type Message struct {
	UID          uint32
	Flags        []imap.Flag
	InternalDate time.Time
	Data         []byte // shared with the store: do not modify
}

// Messages returns the messages of a user's mailbox, for a test to
// inspect.
func (b *Backend) Messages(username, mailboxName string) ([]Message, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[username]
	if !ok {
		return nil, ErrNoUser
	}
	mb, err := u.selectable(mailboxName)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(mb.msgs))
	for i, m := range mb.msgs {
		out[i] = Message{UID: m.uid, Flags: slices.Clone(m.flags), InternalDate: m.date, Data: m.data}
	}
	return out, nil
}

// WaitMessages waits until a user's mailbox holds at least n messages or
// ctx ends. It wakes on each change to the store, never by polling.
func (b *Backend) WaitMessages(ctx context.Context, username, mailboxName string, n int) error {
	for {
		b.mu.Lock()
		ch := b.changed
		count := -1
		if u, ok := b.users[username]; ok {
			if mb, err := u.selectable(mailboxName); err == nil {
				count = len(mb.msgs)
			}
		}
		b.mu.Unlock()
		if count >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Login implements imap.Backend.
func (b *Backend) Login(_ context.Context, _ *imap.Conn, username, password string) (imap.User, error) {
	return b.open(username, func(u *user) bool { return u.password == password })
}

// errCredentials answers a failed login (RFC 5530 section 3).
var errCredentials = &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAuthenticationFailed, Text: "Invalid credentials"}

// open starts a session of username if the user exists and check lets it.
func (b *Backend) open(username string, check func(*user) bool) (imap.User, error) {
	b.mu.Lock()
	u, ok := b.users[username]
	b.mu.Unlock()
	if !ok || !check(u) {
		return nil, errCredentials
	}
	return &session{b: b, u: u}, nil
}

// selectable returns a mailbox that can hold messages; the caller holds
// b.mu.
func (u *user) selectable(name string) (*mailbox, error) {
	mb, ok := u.mailboxes[name]
	if !ok || mb.noSelect {
		return nil, &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeTryCreate, Text: "No such mailbox"}
	}
	return mb, nil
}

// normalize removes duplicate flags and \Recent, which is per session.
func normalize(flags []imap.Flag) []imap.Flag {
	var out []imap.Flag
	for _, f := range flags {
		if f == imap.FlagRecent || containsFlag(out, f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func containsFlag(list []imap.Flag, f imap.Flag) bool {
	for _, g := range list {
		if g.Equal(f) {
			return true
		}
	}
	return false
}

// sortedNames returns the mailbox names in order.
func (u *user) sortedNames() []string {
	names := make([]string, 0, len(u.mailboxes))
	for n := range u.mailboxes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
