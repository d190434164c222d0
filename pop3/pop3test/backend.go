package pop3test

import (
	"context"

	"github.com/mailwire/mailwire/pop3"
)

// backend wraps the store: it counts open maildrops for WaitIdle, records
// deletions and injects FailDelete.
type backend struct{ s *Server }

// Login checks a USER/PASS or PLAIN login (RFC 1939 section 7) with the store.
func (b *backend) Login(ctx context.Context, c *pop3.Conn, user, password string) (pop3.Maildrop, error) {
	return b.wrap(user)(b.s.Store.Login(ctx, c, user, password))
}

// LoginAPOP checks an APOP digest (RFC 1939 section 7) with the store.
func (b *backend) LoginAPOP(ctx context.Context, c *pop3.Conn, user string, verify func(string) bool) (pop3.Maildrop, error) {
	return b.wrap(user)(b.s.Store.LoginAPOP(ctx, c, user, verify))
}

// ScramCredentials makes the test server a pop3.ScramBackend: the
// store's verifiers of each user's password.
func (b *backend) ScramCredentials(ctx context.Context, mech, user string) (pop3.ScramCredentials, error) {
	return b.s.Store.ScramCredentials(ctx, mech, user)
}

// OpenIdentity opens the maildrop of a user a SASL mechanism authenticated.
func (b *backend) OpenIdentity(ctx context.Context, c *pop3.Conn, user string) (pop3.Maildrop, error) {
	return b.wrap(user)(b.s.Store.OpenIdentity(ctx, c, user))
}

func (b *backend) wrap(user string) func(pop3.Maildrop, error) (pop3.Maildrop, error) {
	return func(md pop3.Maildrop, err error) (pop3.Maildrop, error) {
		if err != nil {
			return nil, err
		}
		b.s.open.Enter()
		return &maildrop{Maildrop: md, s: b.s, user: user}, nil
	}
}

type maildrop struct {
	pop3.Maildrop
	s    *Server
	user string
	msgs []pop3.MessageInfo
}

// Messages lists the maildrop and remembers the list, whose UIDs Delete records.
func (m *maildrop) Messages(ctx context.Context) ([]pop3.MessageInfo, error) {
	msgs, err := m.Maildrop.Messages(ctx)
	m.msgs = msgs
	return msgs, err
}

// Delete applies the UPDATE state's deletions (RFC 1939 section 6) unless
// FailDelete says otherwise, and records their UIDs for Deleted.
func (m *maildrop) Delete(ctx context.Context, numbers []int) error {
	m.s.mu.Lock()
	fail := m.s.failDelete
	m.s.mu.Unlock()
	if fail != nil {
		return fail
	}
	if err := m.Maildrop.Delete(ctx, numbers); err != nil {
		return err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	for _, n := range numbers {
		m.s.deleted[m.user] = append(m.s.deleted[m.user], m.msgs[n-1].UID)
	}
	return nil
}

// Close closes the maildrop and lets WaitIdle go on once none is open.
func (m *maildrop) Close(ctx context.Context) error {
	defer m.s.open.Leave()
	return m.Maildrop.Close(ctx)
}

// WaitIdle waits until no session holds a maildrop: every session that
// logged in has ended and, after QUIT, applied its deletions (RFC 1939
// section 6). It is woken by the sessions' ends, not by polling.
func (s *Server) WaitIdle(ctx context.Context) error { return s.open.Wait(ctx) }
