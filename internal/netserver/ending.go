package netserver

import (
	"errors"
	"net"
	"os"
	"time"
)

// Ending is why a session's read failed, for the goodbye its protocol
// says: SMTP's 421 (RFC 5321 3.8), POP3's -ERR [SYS/TEMP] (RFC 3206
// section 4), IMAP's BYE (RFC 3501 section 7.1.5).
type Ending int

// The endings Ending tells apart.
const (
	// EndQuiet: an I/O error or the client gone; nothing can be said.
	EndQuiet Ending = iota
	// EndShutdown: the server shuts down.
	EndShutdown
	// EndEvicted: the session was closed to make room (EvictIfIdle).
	EndEvicted
	// EndLoginTimeout: the login deadline passed.
	EndLoginTimeout
	// EndTimeout: the command timeout passed (autologout).
	EndTimeout
)

// Ending classifies err, an error of a read of the session.
func (l *Line) Ending(err error) Ending {
	switch {
	case errors.Is(err, ErrShutdown) || l.IO.shuttingDown() && IsTimeout(err):
		return EndShutdown
	case errors.Is(err, ErrEvicted):
		return EndEvicted
	case IsTimeout(err) && l.IO.LoginExpired():
		return EndLoginTimeout
	case IsTimeout(err):
		return EndTimeout
	}
	return EndQuiet
}

// FailedLogin sends the replies queued, records a failed login of the
// session's client in the server's FailureDelay and waits until its
// answer may go out (Pause). It returns nil then, and otherwise the
// error that ended the wait, for Ending: ErrShutdown, a timeout once
// the login deadline passed, or net.ErrClosed after Close. The session
// must then end without the answer.
func (l *Line) FailedLogin() error {
	l.flush()
	if l.IO.FailedLogin(l.base.delay) {
		return nil
	}
	switch {
	case l.IO.shuttingDown():
		return ErrShutdown
	case l.IO.LoginExpired():
		return os.ErrDeadlineExceeded
	}
	return net.ErrClosed
}

// LoggedIn records a successful login: the login deadline no longer
// applies, and the client's failed-login delay starts over. Server's
// LoggedIn calls it and tells the Group too (Authenticated), so that the
// session is no longer evicted to make room.
func (l *Line) LoggedIn() {
	l.base.delay.Succeed(KeyOf(l.RemoteAddr()))
	l.IO.SetLoginDeadline(time.Time{})
}

// Recover, deferred by the session's goroutine, logs a panic of the
// session instead of crashing the server; the session then ends.
func (l *Line) Recover() {
	if v := recover(); v != nil {
		l.base.Logger().Error(l.base.settings.Name+": panic serving connection", "remote", l.RemoteAddr(), "panic", v)
	}
}
