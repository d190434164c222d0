package netserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"time"
)

// Line is the line connection of one server session, the part of an
// SMTP, POP3 or IMAP session that does not depend on the protocol: the
// connection with its timeouts (IO), the buffers on it, bounded line
// reading, the wait for the next command, the Debug tap, the TLS
// handshake, the session's context and the lingering close. The
// protocol sets BR and BW (it chooses their sizes, or pools them) and
// the hooks, then reads and writes through them.
type Line struct {
	IO *Deadlines
	BR *bufio.Reader
	BW *bufio.Writer
	// Ctx is the session's context: every backend call gets it, and
	// Finish cancels it when the session ends.
	Ctx context.Context
	// TLS is the TLS state once a handshake completed (AcceptTLS,
	// StartTLS), or nil.
	TLS *tls.ConnectionState
	// Transport is what BR and BW sit on, again after STARTTLS: IO, or a
	// Debug tap around it (IMAP's); nil means IO.
	Transport io.ReadWriter
	// Flush sends the replies queued; nil means BW.Flush. IMAP's writer
	// sits on BW and keeps an error of its own.
	Flush func() error
	// OnBadLine answers a command line that ReadLine refused; the
	// session goes on.
	OnBadLine func(BadLine)

	base   *Base
	cancel context.CancelFunc
}

// NewLine wraps an accepted connection with the read timeout
// CommandTimeout and the write timeout WriteTimeout. When login is
// true the session has a login phase: LoginTimeout, counted from now
// and not restarted by input, bounds it, so that a client trickling
// bytes cannot hold a slot past it (RFC 9051 section 5.4).
func (b *Base) NewLine(nc net.Conn, shuttingDown func() bool, login bool) *Line {
	s := &b.settings
	l := &Line{IO: NewDeadlines(nc, s.CommandTimeout, s.WriteTimeout, shuttingDown), base: b}
	l.Ctx, l.cancel = context.WithCancel(context.Background())
	if login && s.LoginTimeout > 0 {
		l.IO.SetLoginDeadline(time.Now().Add(s.LoginTimeout))
	}
	return l
}

// transport returns what the buffers sit on.
func (l *Line) transport() io.ReadWriter {
	if l.Transport != nil {
		return l.Transport
	}
	return l.IO
}

// flush sends the replies queued.
func (l *Line) flush() error {
	if l.Flush != nil {
		return l.Flush()
	}
	return l.BW.Flush()
}

// BadLine is why ReadLine refused a command line.
type BadLine int

// The lines ReadLine refuses: over the length limit (RFC 5321
// 4.5.3.1.4, RFC 2449 section 4), or holding a NUL octet, which no
// command may carry.
const (
	LineTooLong BadLine = iota + 1
	LineWithNUL
)

// Text is the human-readable text of the protocol's error reply.
func (b BadLine) Text() string {
	if b == LineWithNUL {
		return "NUL octet in command"
	}
	return "Line too long"
}

// ReadLine reads one line of at most max octets, line end included, and
// returns it without the line end; a bare LF ends a line too, as most
// servers accept. A longer line is read to its end and, like a line
// holding NUL, is shown to Debug as a note, handed to OnBadLine and
// yields nil, so that the session stays in step.
func (l *Line) ReadLine(max int) ([]byte, error) {
	line, err := l.BR.ReadSlice('\n')
	tooLong := len(line) > max
	for err == bufio.ErrBufferFull {
		tooLong = true
		_, err = l.BR.ReadSlice('\n')
	}
	if err != nil {
		return nil, l.readFailed(err)
	}
	switch line = TrimEOL(line); {
	case tooLong:
		l.Debugf("C: [line of more than %d octets]", max)
		l.OnBadLine(LineTooLong)
	case bytes.IndexByte(line, 0) >= 0:
		l.Debugf("C: [line with NUL]")
		l.OnBadLine(LineWithNUL)
	default:
		return line, nil
	}
	return nil, nil
}

// TrimEOL removes a trailing LF and the CR before it.
func TrimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	return line
}

// ReadCommand waits for the next command line (see idle) and reads it
// with ReadLine.
func (l *Line) ReadCommand(max int) ([]byte, error) {
	if err := l.idle(); err != nil {
		return nil, err
	}
	defer l.IO.SetIdle(false)
	return l.ReadLine(max)
}

// WaitCommand waits (see idle) until the first octet of the next command
// arrives, for a protocol that reads its commands with a parser of its
// own (IMAP).
func (l *Line) WaitCommand() error {
	if err := l.idle(); err != nil {
		return err
	}
	defer l.IO.SetIdle(false)
	if _, err := l.BR.Peek(1); err != nil {
		return l.readFailed(err)
	}
	return nil
}

// readFailed sends the replies still queued before a read error ends
// the session: a client that sends its last command and then closes
// its side, or ends its input in the middle of a line, is still owed
// the answers to the commands before (a 250 after message data, RFC
// 5321 4.1.1.4). Whether they arrive is up to the client.
func (l *Line) readFailed(err error) error {
	if l.BW.Buffered() > 0 {
		l.flush()
	}
	return err
}

// idle begins the wait for a command: it marks the session idle, so
// that Shutdown and a full server's eviction can reach it, flushes the
// replies queued when no more input is buffered, which batches the
// replies of pipelined commands (RFC 2920 3.2, RFC 2449 6.6, RFC 3501
// section 5.5), and starts the command timeout. The mark comes first:
// a client that read its reply may act at once, and the session must
// count as waiting by then. During shutdown it returns ErrShutdown. On
// success the caller ends the idle mark.
func (l *Line) idle() error {
	l.IO.SetIdle(true)
	var err error
	if l.BR.Buffered() == 0 {
		err = l.flush()
	}
	if err == nil && l.IO.shuttingDown() {
		err = ErrShutdown
	}
	if err != nil {
		l.IO.SetIdle(false)
		return err
	}
	l.IO.SetReadTimeout(l.base.settings.CommandTimeout)
	return nil
}

// RemoteAddr returns the client's address.
func (l *Line) RemoteAddr() net.Addr { return l.IO.Conn().RemoteAddr() }

// LocalAddr returns the address the client connected to.
func (l *Line) LocalAddr() net.Addr { return l.IO.Conn().LocalAddr() }

// Finish ends the session: it cancels Ctx and closes the connection so
// that the client can read the last reply (CloseLingering).
func (l *Line) Finish() {
	l.cancel()
	l.IO.CloseLingering()
}
