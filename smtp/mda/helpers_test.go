package mda

import (
	"context"
	"crypto/subtle"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/smtp"
)

// table is a Users for tests: local parts (compared without regard to
// case) that name users, and the users' passwords.
type table struct {
	domain    string
	locals    map[string]string
	passwords map[string]string
	mu        sync.Mutex
	scram     map[string]smtp.ScramCredentials // by user and mech, made once
}

// newTable makes a table of "user:password" entries; "alias=user"
// entries add another local part for a user.
func newTable(domain string, entries ...string) *table {
	tb := &table{domain: domain, locals: map[string]string{}, passwords: map[string]string{}}
	for _, e := range entries {
		if alias, user, ok := strings.Cut(e, "="); ok {
			tb.locals[alias] = user
			continue
		}
		user, pw, _ := strings.Cut(e, ":")
		tb.locals[user], tb.passwords[user] = user, pw
	}
	return tb
}

func (tb *table) Lookup(login string) (string, bool) {
	local, domain, ok := strings.Cut(strings.ToLower(login), "@")
	if ok && domain != tb.domain {
		return "", false
	}
	user, ok := tb.locals[local]
	return user, ok
}

func (tb *table) Check(login, password string) (string, bool) {
	user, ok := tb.Lookup(login)
	if !ok || subtle.ConstantTimeCompare([]byte(tb.passwords[user]), []byte(password)) != 1 {
		return "", false
	}
	return user, true
}

func (tb *table) ScramCredentials(login, mech string) (smtp.ScramCredentials, bool) {
	user, ok := tb.Lookup(login)
	if !ok {
		return smtp.ScramCredentials{}, false
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if creds, ok := tb.scram[user+" "+mech]; ok {
		return creds, true
	}
	creds, err := smtp.NewScramCredentials(mech, tb.passwords[user], []byte("salt-"+user), 4096)
	if err != nil {
		return smtp.ScramCredentials{}, false
	}
	if tb.scram == nil {
		tb.scram = map[string]smtp.ScramCredentials{}
	}
	tb.scram[user+" "+mech] = creds
	return creds, true
}

// copies records what the agent delivers; a user in fail makes Deliver
// fail for them with failErr.
type copies struct {
	mu      sync.Mutex
	got     []delivered
	fail    string
	failErr error
	spool   string   // if set, the spool directory, listed at each call
	spooled []string // what spool held during each call
}

type delivered struct{ user, data string }

func (c *copies) Deliver(_ context.Context, user string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spool != "" {
		entries, err := os.ReadDir(c.spool)
		if err != nil {
			return err
		}
		for _, e := range entries {
			c.spooled = append(c.spooled, e.Name())
		}
	}
	if user == c.fail {
		return c.failErr
	}
	c.got = append(c.got, delivered{user, string(data)})
	return nil
}

var stamp = time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("", 2*3600))

// testUsers are alice (also reached as "al" and "alice.smith"), bob
// and postmaster at example.test.
func testUsers() *table {
	return newTable("example.test", "alice:secret", "bob:hunter2", "postmaster:pm", "al=alice", "alice.smith=alice")
}

// serve runs a server (SMTP, or LMTP with lmtp) with an Agent for
// example.test on box, and returns its address.
func serve(t *testing.T, box Mailboxes, spool string, lmtp bool) string {
	t.Helper()
	a := &Agent{Domain: "example.test", Users: testUsers(), Mailboxes: box, SpoolDir: spool, Now: func() time.Time { return stamp }}
	return servertest.Serve(t, &smtp.Server{Domain: "example.test", Backend: a, LMTP: lmtp, MaxMessageBytes: 1 << 20, AllowInsecureAuth: true, AuthFailureDelay: -1})
}

// requireEmpty fails unless dir has no entries.
func requireEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "spool files left in %s", dir)
}
