package pop3

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"io"
)

// Backend opens maildrops for a Server. It is called from many goroutines
// at once.
//
// The Server keeps one session per user name at a time on its own (a
// second login gets -ERR [IN-USE], RFC 2449 8.1.1); a Backend shared by
// several servers or processes must lock maildrops itself and return
// ErrResponse(CodeInUse, ...) when one is taken.
//
// Every call of a Backend or a Maildrop gets the session's context,
// canceled once the connection ended (Maildrop.Close still gets it live),
// as the SMTP and IMAP backends' calls do: a backend passes it on to the
// stores and services it calls, so that their work stops with the
// session.
type Backend interface {
	// Login checks a user name and password (USER/PASS, RFC 1939 section 7,
	// or SASL PLAIN and LOGIN, RFC 5034) and returns the user's maildrop.
	// A *Response error is sent as it is; any other error is logged and the
	// client sees -ERR [AUTH] (wrong credentials are no system error).
	Login(ctx context.Context, c *Conn, username, password string) (Maildrop, error)
}

// APOPBackend is a Backend that knows users' shared secrets, which enables
// APOP (RFC 1939 section 7).
type APOPBackend interface {
	Backend
	// LoginAPOP looks up the secret of username and, if verify(secret)
	// reports true, returns the maildrop. verify compares the client's
	// digest with MD5(timestamp + secret) in constant time.
	LoginAPOP(ctx context.Context, c *Conn, username string, verify func(secret string) bool) (Maildrop, error)
}

// SASLBackend is a Backend that offers SASL mechanisms of its own (RFC
// 5034), such as XOAUTH2, besides PLAIN and LOGIN, which every Backend
// gets through Login, and those of ScramBackend, ExternalBackend and
// OAuthBearerBackend. CAPA lists them after SCRAM, EXTERNAL and
// OAUTHBEARER and before PLAIN and LOGIN; a name it shares with those is
// served by Auth.
type SASLBackend interface {
	Backend
	// AuthMechanisms lists the mechanisms to advertise.
	AuthMechanisms() []string
	// Auth starts an exchange for mech. Once the exchange succeeds, the
	// server calls open for the authenticated user's maildrop. The
	// exchange must implement interface{ Identity() string }: the name it
	// returns is the user whose maildrop the server locks.
	Auth(ctx context.Context, c *Conn, mech string) (exchange SASLServer, open func() (Maildrop, error), err error)
}

// MessageInfo describes one message of a maildrop.
type MessageInfo struct {
	// Size is the size in octets of the message as RETR sends it, with
	// CRLF line ends and before dot-stuffing (RFC 1939 section 5, LIST).
	Size int64
	// UID is the unique-id listing of the message (RFC 1939 section 7,
	// UIDL): 1 to 70 characters in the range 0x21 to 0x7E, never reused
	// for another message of the maildrop.
	UID string
}

// Maildrop is one user's mailbox for the length of a session; the Server
// calls its methods from the session's goroutine only.
type Maildrop interface {
	// Messages lists the messages as they were at login; message number n
	// is element n-1, and numbers never change during a session (RFC 1939
	// section 5). Called once, right after login.
	Messages(ctx context.Context) ([]MessageInfo, error)
	// Open returns the content of message number n (1-based). The server
	// turns bare LF into CRLF and dot-stuffs it as it streams (RFC 1939
	// section 3), so it may be stored either way.
	Open(ctx context.Context, n int) (io.ReadCloser, error)
	// Delete removes the given messages (numbers, 1-based, ascending). It
	// is called only in the UPDATE state after QUIT, and only when the
	// client marked messages (RFC 1939 section 6). It must remove all or
	// none: an error makes QUIT answer -ERR and the client is told that
	// the messages stay.
	Delete(ctx context.Context, numbers []int) error
	// Close releases the maildrop (and any lock); it is called once when
	// the session ends, however it ends, with a context that is not yet
	// canceled.
	Close(ctx context.Context) error
}

// APOPDigest returns the APOP digest of timestamp (the "<...>" of the
// greeting, brackets included) and secret: MD5(timestamp + secret) in lower
// case hexadecimal (RFC 1939 section 7).
func APOPDigest(timestamp, secret string) string {
	sum := md5.Sum([]byte(timestamp + secret))
	return hex.EncodeToString(sum[:])
}

// verifyAPOP compares digest with the expected one in constant time.
func verifyAPOP(timestamp, digest, secret string) bool {
	want := APOPDigest(timestamp, secret)
	return subtle.ConstantTimeCompare([]byte(want), []byte(digest)) == 1
}
