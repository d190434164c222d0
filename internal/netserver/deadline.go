package netserver

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// The errors of a Deadlines read that the protocol answers with its
// goodbye (see Ending).
var (
	// ErrShutdown is returned while the session waits for a command and
	// the server is shutting down.
	ErrShutdown = errors.New("server shutting down")
	// ErrEvicted is returned by every read once EvictIfIdle took the
	// session's slot for a new client.
	ErrEvicted = errors.New("session evicted to make room")
)

// Deadlines is the I/O wrapper a session's bufio.Reader and bufio.Writer
// sit on. Each read gets the current read timeout, so a client that keeps
// sending survives while one that stalls for the timeout is cut off (RFC
// 5321 4.5.3.2, RFC 1939 section 3, RFC 3501 section 5.4); each write is
// bounded the same way. Before the client logs in, a login deadline set
// once from the time of connection bounds every read as well, so that a
// client trickling a byte at a time cannot hold a slot for longer. While
// the session is idle (waiting for a command) and the server shuts down,
// a read returns ErrShutdown instead of blocking again.
type Deadlines struct {
	conn         net.Conn
	connMu       sync.Mutex // guards conn against InterruptIfIdle and CloseNow
	writeTimeout time.Duration
	shuttingDown func() bool

	readTimeout   atomic.Int64 // time.Duration
	idle          atomic.Bool
	evicted       atomic.Bool
	readDeadline  time.Time
	writeDeadline time.Time
	// loginDeadline is the absolute end of the pre-login phase, zero
	// when none applies; only the session's goroutine uses it.
	loginDeadline time.Time

	wake     chan struct{} // closed to end a Pause: Close, Shutdown
	wakeOnce sync.Once
}

// NewDeadlines wraps conn. shuttingDown reports the server's shutdown.
func NewDeadlines(conn net.Conn, readTimeout, writeTimeout time.Duration, shuttingDown func() bool) *Deadlines {
	d := &Deadlines{conn: conn, writeTimeout: writeTimeout, shuttingDown: shuttingDown, wake: make(chan struct{})}
	d.SetReadTimeout(readTimeout)
	return d
}

// SetLoginDeadline sets the absolute time by which the client must have
// logged in (RFC 9051 section 5.4 allows a shortened pre-authentication
// timer against denial of service); the zero time, set after a login,
// removes it. Unlike the read timeout it is not restarted by input.
func (d *Deadlines) SetLoginDeadline(t time.Time) { d.loginDeadline = t }

// LoginExpired reports whether a login deadline is set and has passed.
func (d *Deadlines) LoginExpired() bool {
	return !d.loginDeadline.IsZero() && !time.Now().Before(d.loginDeadline)
}

// Conn returns the connection.
func (d *Deadlines) Conn() net.Conn { return d.conn }

// SetConn replaces the connection, by its TLS layer after STARTTLS or STLS.
func (d *Deadlines) SetConn(c net.Conn) {
	d.connMu.Lock()
	d.conn = c
	d.connMu.Unlock()
}

// CloseNow closes the connection and ends a Pause; safe from any
// goroutine.
func (d *Deadlines) CloseNow() {
	d.connMu.Lock()
	d.conn.Close()
	d.connMu.Unlock()
	d.wakeUp()
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

// InterruptIfIdle makes a blocked read of an idle session return now,
// and ends a Pause: Shutdown calls it to reach sessions that wait. It is
// safe from any goroutine.
func (d *Deadlines) InterruptIfIdle() {
	d.wakeUp()
	if d.idle.Load() {
		d.connMu.Lock()
		d.conn.SetReadDeadline(time.Unix(1, 0))
		d.connMu.Unlock()
	}
}

// EvictIfIdle ends a session that waits for a command, to give its slot
// to a new client: its reads return ErrEvicted from now on, so that it
// says the protocol's goodbye and ends. A session busy with a command,
// or pausing after a failed login, is left alone and EvictIfIdle reports
// false: cutting a pause short would free the slot early and let a
// client that guesses passwords skip the delay. Safe from any goroutine.
func (d *Deadlines) EvictIfIdle() bool {
	if !d.idle.Load() {
		return false
	}
	d.evicted.Store(true)
	d.connMu.Lock()
	d.conn.SetReadDeadline(time.Unix(1, 0))
	d.connMu.Unlock()
	return true
}

// Read reads from the connection within the command timeout; an evicted
// connection reads nothing more.
func (d *Deadlines) Read(p []byte) (int, error) {
	if d.evicted.Load() {
		return 0, ErrEvicted
	}
	shutdown := d.shuttingDown()
	if shutdown && d.idle.Load() {
		return 0, ErrShutdown
	}
	now := time.Now()
	timeout := time.Duration(d.readTimeout.Load())
	if !d.loginDeadline.IsZero() {
		timeout = min(timeout, d.loginDeadline.Sub(now))
	}
	// During shutdown InterruptIfIdle may have moved the deadline into the
	// past for a session no longer idle: always set it then.
	if stale(d.readDeadline.Sub(now), timeout) || shutdown {
		d.readDeadline = now.Add(timeout)
		d.conn.SetReadDeadline(d.readDeadline)
	}
	n, err := d.conn.Read(p)
	if err != nil && d.evicted.Load() {
		err = ErrEvicted
	}
	return n, err
}

// Write writes to the connection within the write timeout.
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
