package netserver

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrShutdown is returned by a Deadlines read while the session waits for
// a command and the server is shutting down.
var ErrShutdown = errors.New("server shutting down")

// Deadlines is the I/O wrapper a session's bufio.Reader and bufio.Writer
// sit on. Each read gets the current read timeout, so a client that keeps
// sending survives while one that stalls for the timeout is cut off (RFC
// 5321 4.5.3.2, RFC 1939 section 3, RFC 3501 section 5.4); each write is
// bounded the same way. While the session is idle (waiting for a command)
// and the server shuts down, a read returns ErrShutdown instead of
// blocking again.
type Deadlines struct {
	conn         net.Conn
	connMu       sync.Mutex // guards conn against InterruptIfIdle and CloseNow
	writeTimeout time.Duration
	shuttingDown func() bool

	readTimeout   atomic.Int64 // time.Duration
	idle          atomic.Bool
	readDeadline  time.Time
	writeDeadline time.Time
}

// NewDeadlines wraps conn. shuttingDown reports the server's shutdown.
func NewDeadlines(conn net.Conn, readTimeout, writeTimeout time.Duration, shuttingDown func() bool) *Deadlines {
	d := &Deadlines{conn: conn, writeTimeout: writeTimeout, shuttingDown: shuttingDown}
	d.SetReadTimeout(readTimeout)
	return d
}

// Conn returns the connection.
func (d *Deadlines) Conn() net.Conn { return d.conn }

// SetConn replaces the connection, by its TLS layer after STARTTLS or STLS.
func (d *Deadlines) SetConn(c net.Conn) {
	d.connMu.Lock()
	d.conn = c
	d.connMu.Unlock()
}

// CloseNow closes the connection; safe from any goroutine.
func (d *Deadlines) CloseNow() {
	d.connMu.Lock()
	d.conn.Close()
	d.connMu.Unlock()
}

// slack is the fraction of a timeout by which a deadline may lag: setting
// one costs a timer update, so it is refreshed only when it drifted by
// more than timeout/16. A stalled client is cut off between the timeout
// and 17/16 of it.
const slack = 16

// stale reports whether a deadline that is left away must be set anew for
// timeout: it lags by more than the slack, or a shorter timeout applies.
func stale(left, timeout time.Duration) bool {
	return left < timeout-timeout/slack || left > timeout
}

// SetReadTimeout sets the timeout of the reads that follow: the command
// timeout, or a data timeout while a message arrives.
func (d *Deadlines) SetReadTimeout(t time.Duration) { d.readTimeout.Store(int64(t)) }

// SetIdle marks the session as waiting for a command, or not.
func (d *Deadlines) SetIdle(idle bool) { d.idle.Store(idle) }

// Idle reports whether the session waits for a command.
func (d *Deadlines) Idle() bool { return d.idle.Load() }

// InterruptIfIdle makes a blocked read of an idle session return now.
// It is safe from any goroutine.
func (d *Deadlines) InterruptIfIdle() {
	if d.idle.Load() {
		d.connMu.Lock()
		d.conn.SetReadDeadline(time.Unix(1, 0))
		d.connMu.Unlock()
	}
}

func (d *Deadlines) Read(p []byte) (int, error) {
	shutdown := d.shuttingDown()
	if shutdown && d.idle.Load() {
		return 0, ErrShutdown
	}
	timeout := time.Duration(d.readTimeout.Load())
	// During shutdown InterruptIfIdle may have moved the deadline into the
	// past for a session no longer idle: always set it then.
	if now := time.Now(); stale(d.readDeadline.Sub(now), timeout) || shutdown {
		d.readDeadline = now.Add(timeout)
		d.conn.SetReadDeadline(d.readDeadline)
	}
	return d.conn.Read(p)
}

func (d *Deadlines) Write(p []byte) (int, error) {
	if now := time.Now(); stale(d.writeDeadline.Sub(now), d.writeTimeout) {
		d.writeDeadline = now.Add(d.writeTimeout)
		d.conn.SetWriteDeadline(d.writeDeadline)
	}
	return d.conn.Write(p)
}

// IsTimeout reports whether err is a network timeout.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
