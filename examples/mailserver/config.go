package main

import (
	"crypto/tls"
	"log/slog"
	"net"
)

// Config is what the command line asks for. An empty address leaves that
// service off.
type Config struct {
	SMTP       string // SMTP for incoming mail, RFC 5321
	Submission string // message submission with AUTH required, RFC 6409
	SMTPS      string // submission over implicit TLS, RFC 8314 section 3.3
	POP3       string // RFC 1939
	POP3S      string // POP3 over implicit TLS, RFC 8314
	IMAP       string // RFC 3501
	IMAPS      string // IMAP over implicit TLS, RFC 8314

	// Domain is the mail domain of the users and the servers' host name.
	Domain string
	// UserList ("alice:secret,bob:secret") and UsersFile add users.
	UserList  string
	UsersFile string
	// Maildir, if set, keeps the mail on disk under that folder instead
	// of in memory.
	Maildir string
	// TLS, if set, enables STARTTLS/STLS on every plain port and is
	// needed by the implicit-TLS ports.
	TLS *tls.Config
	// InsecureAuth allows passwords without TLS on every port; on a
	// loopback address they are allowed anyway, since nobody can listen
	// on the way.
	InsecureAuth bool
	// MaxMessageBytes is the largest message SMTP accepts (RFC 1870);
	// zero keeps the smtp package's default.
	MaxMessageBytes int64

	// Relay queues and relays mail for other domains (relay.go).
	Relay RelayConfig

	Logger *slog.Logger
}

// insecureAuth reports whether passwords may cross listener l in the
// clear (RFC 8314 section 3 asks for TLS; a loopback connection cannot
// be overheard).
func (c *Config) insecureAuth(l net.Listener) bool {
	if c.InsecureAuth {
		return true
	}
	tcp, ok := l.Addr().(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
