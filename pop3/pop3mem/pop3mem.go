// Package pop3mem is an in-memory maildrop store for pop3.Server: users
// with passwords (USER/PASS, SASL PLAIN and LOGIN, and APOP, RFC 1939
// section 7) and the SCRAM verifiers derived from them (SCRAM-SHA-256 and
// SCRAM-SHA-1, RFC 7677 and RFC 5802: a pop3.ScramBackend), messages
// delivered as bytes, unique ids that are never reused, and deletions
// applied all at once in the UPDATE state (RFC 1939 section 6).
//
// It serves tests (pop3test builds on it) and small servers that keep mail
// in memory; it is safe for concurrent use, so an SMTP backend can Deliver
// into it while POP3 sessions read.
package pop3mem

import (
	"bytes"
	"context"
	"crypto/subtle"
	"io"
	"strconv"
	"sync"

	"github.com/mailwire/mailwire/internal/sasl"
	"github.com/mailwire/mailwire/pop3"
)

// Store holds users and their maildrops. The zero value is empty and ready.
type Store struct {
	mu    sync.Mutex
	users map[string]*user
}

// Store is a pop3.APOPBackend and a pop3.ScramBackend.
var (
	_ pop3.APOPBackend  = (*Store)(nil)
	_ pop3.ScramBackend = (*Store)(nil)
)

type user struct {
	password string
	scram    map[string]pop3.ScramCredentials // by mechanism
	msgs     []*message
	nextUID  int
}

type message struct {
	uid  string
	data []byte // CRLF line ends
}

// AddUser creates a user with an empty maildrop, or changes the password of
// an existing one. It keeps the password (for Login and APOP) and the
// SCRAM verifiers of it, with a fresh salt and 4096 iterations, the
// lowest RFC 7677 section 4 allows, since tests create many users.
func (s *Store) AddUser(name, password string) {
	scram, err := sasl.NewScramVerifiers(password, 4096)
	if err != nil {
		panic(err) // only for an iteration count SCRAM refuses
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[name]; ok {
		u.password, u.scram = password, scram
		return
	}
	if s.users == nil {
		s.users = make(map[string]*user)
	}
	s.users[name] = &user{password: password, scram: scram, nextUID: 1}
}

// ErrNoSuchUser is returned by Deliver for a user AddUser did not create.
var ErrNoSuchUser = pop3.ErrResponse(pop3.CodeAuth, "No such user")

// Deliver appends msg to name's maildrop and returns its unique id. Bare LF
// and CR line ends are stored as CRLF, so that LIST gives the octets RETR
// sends (RFC 1939 section 5). Sessions already open do not see the new
// message until they log in again (message numbers never shift).
func (s *Store) Deliver(name string, msg []byte) (uid string, err error) {
	data := toCRLF(msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return "", ErrNoSuchUser
	}
	uid = "m" + strconv.Itoa(u.nextUID)
	u.nextUID++
	u.msgs = append(u.msgs, &message{uid: uid, data: data})
	return uid, nil
}

// Messages returns copies of the messages in name's maildrop, in order.
func (s *Store) Messages(name string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return nil
	}
	out := make([][]byte, len(u.msgs))
	for i, m := range u.msgs {
		out[i] = bytes.Clone(m.data)
	}
	return out
}

// UIDs returns the unique ids of the messages in name's maildrop, in order.
func (s *Store) UIDs(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return nil
	}
	out := make([]string, len(u.msgs))
	for i, m := range u.msgs {
		out[i] = m.uid
	}
	return out
}

var errAuth = pop3.ErrResponse(pop3.CodeAuth, "Invalid user name or password")

// Login implements pop3.Backend.
func (s *Store) Login(_ context.Context, _ *pop3.Conn, name, password string) (pop3.Maildrop, error) {
	return s.open(name, func(secret string) bool {
		return subtle.ConstantTimeCompare([]byte(secret), []byte(password)) == 1
	})
}

// LoginAPOP implements pop3.APOPBackend: the password is the shared secret.
func (s *Store) LoginAPOP(_ context.Context, _ *pop3.Conn, name string, verify func(secret string) bool) (pop3.Maildrop, error) {
	return s.open(name, verify)
}

// ScramCredentials implements pop3.ScramBackend: the verifiers AddUser
// derived, or pop3.ErrUnknownUser for a name it did not create, so that the exchange fails at the proof as
// a wrong password does (RFC 5802 section 9).
func (s *Store) ScramCredentials(_ context.Context, mech, name string) (pop3.ScramCredentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[name]; ok {
		return u.scram[mech], nil
	}
	return pop3.ScramCredentials{}, pop3.ErrUnknownUser
}

// OpenIdentity implements pop3.IdentityBackend: the maildrop of a user a
// SASL exchange authenticated without the password.
func (s *Store) OpenIdentity(_ context.Context, _ *pop3.Conn, name string) (pop3.Maildrop, error) {
	return s.open(name, func(string) bool { return true })
}

func (s *Store) open(name string, check func(secret string) bool) (pop3.Maildrop, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok || !check(u.password) {
		return nil, errAuth
	}
	return &maildrop{store: s, user: u, msgs: append([]*message(nil), u.msgs...)}, nil
}

// maildrop is one session's view: the messages at login.
type maildrop struct {
	store *Store
	user  *user
	msgs  []*message
}

func (m *maildrop) Messages(context.Context) ([]pop3.MessageInfo, error) {
	out := make([]pop3.MessageInfo, len(m.msgs))
	for i, msg := range m.msgs {
		out[i] = pop3.MessageInfo{Size: int64(len(msg.data)), UID: msg.uid}
	}
	return out, nil
}

func (m *maildrop) Open(_ context.Context, n int) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.msgs[n-1].data)), nil
}

// Delete removes the messages all at once under the store's lock; messages
// delivered during the session stay.
func (m *maildrop) Delete(_ context.Context, numbers []int) error {
	gone := make(map[*message]bool, len(numbers))
	for _, n := range numbers {
		gone[m.msgs[n-1]] = true
	}
	m.store.mu.Lock()
	defer m.store.mu.Unlock()
	kept := m.user.msgs[:0]
	for _, msg := range m.user.msgs {
		if !gone[msg] {
			kept = append(kept, msg)
		}
	}
	clear(m.user.msgs[len(kept):])
	m.user.msgs = kept
	return nil
}

func (m *maildrop) Close(context.Context) error { return nil }

// toCRLF returns msg with every line ending in CRLF.
func toCRLF(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+len(msg)/40)
	for i := 0; i < len(msg); i++ {
		switch c := msg[i]; {
		case c == '\r' && i+1 < len(msg) && msg[i+1] == '\n':
			out = append(out, '\r', '\n')
			i++
		case c == '\r' || c == '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	return out
}
