package imap

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/testutil"
)

// dovecot is a private Dovecot started by a test (internal/dovecottest)
// with one user alice/secret and special-use folders. The server tests
// reuse startDovecot to compare our server's answers with Dovecot's.
type dovecot struct {
	Addr    string // IMAP with STARTTLS
	TLSAddr string // implicit TLS (993-style)
	Maildir string // alice's Maildir root (INBOX)
	TLS     *tls.Config
}

// dovecotIMAP is the IMAP part of the configuration: special-use folders
// (RFC 6154) and COMPRESS (RFC 4978) for the client's extension tests.
const dovecotIMAP = `
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = create
  }
}
protocol imap {
  mail_plugins = $mail_plugins imap_zlib
  mail_max_userip_connections = 100
}
`

// startDovecot starts Dovecot for one test and stops it on cleanup.
func startDovecot(t testing.TB) *dovecot {
	t.Helper()
	s := dovecottest.Start(t, dovecottest.Config{Protocols: []string{"imap"}, Extra: dovecotIMAP})
	return &dovecot{Addr: s.IMAP, TLSAddr: s.IMAPS, Maildir: s.Maildir("alice"), TLS: s.ClientTLS}
}

// login dials d, logs alice in and closes the client on cleanup.
func (d *dovecot) login(t testing.TB, opts *Options) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, d.Addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	return c
}

// testCtx bounds a test's network calls so that a hung peer fails the
// test; the helper is shared by every package's tests.
var testCtx = testutil.Context
