package mailstore

import (
	"sync"

	"github.com/mailwire/mailwire/pop3"
)

// dropLocks holds the exclusive-access locks of POP3 maildrops (RFC 1939
// section 8): the pop3 Server locks per server, but several POP3 servers
// (plain and implicit TLS) share one store.
type dropLocks struct {
	mu   sync.Mutex
	held map[string]bool
}

// acquire takes the lock of user's maildrop, or answers -ERR [IN-USE]
// (RFC 2449 section 8.1.1). The returned function releases it.
func (l *dropLocks) acquire(user string) (func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[user] {
		return nil, pop3.ErrResponse(pop3.CodeInUse, "Maildrop already locked")
	}
	if l.held == nil {
		l.held = make(map[string]bool)
	}
	l.held[user] = true
	return func() {
		l.mu.Lock()
		delete(l.held, user)
		l.mu.Unlock()
	}, nil
}
