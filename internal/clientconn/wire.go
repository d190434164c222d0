package clientconn

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/mailwire/mailwire/internal/ctxio"
	"github.com/mailwire/mailwire/internal/debugtrace"
)

// Wire is the connection of a line-based client, SMTP's or POP3's: the
// buffered reader and writer, the network call running under a context
// (ctxio.Calls), the Debug trace of the lines sent, and the upgrade to
// TLS in place. What is left to each client is its protocol: how replies
// read and which command lines hold secrets.
type Wire struct {
	conn  net.Conn
	br    *bufio.Reader
	bw    *bufio.Writer
	calls ctxio.Calls

	// Debug receives the command lines sent, "C: line", with secrets
	// replaced by debugtrace.Redacted; nil traces nothing.
	Debug io.Writer
	// Redact returns a command line as the trace shows it, with its
	// secrets (a password argument, an initial response) replaced; nil
	// traces every line as sent.
	Redact func(line string) string

	secret bool // the line being written is a SASL response
}

// NewWire returns the wire of conn. prefix names the protocol in the
// errors it marks ("smtp"); onFail runs once, when the connection breaks.
func NewWire(conn net.Conn, readBuffer int, prefix string, onFail func()) *Wire {
	return &Wire{
		conn:  conn,
		br:    bufio.NewReaderSize(conn, readBuffer),
		bw:    bufio.NewWriter(conn),
		calls: ctxio.Calls{Prefix: prefix, OnFail: onFail},
	}
}

// Conn returns the connection, TLS once upgraded.
func (w *Wire) Conn() net.Conn { return w.conn }

// Reader returns the buffered reader of the server's lines.
func (w *Wire) Reader() *bufio.Reader { return w.br }

// Writer returns the buffered writer of the client's lines.
func (w *Wire) Writer() *bufio.Writer { return w.bw }

// Err returns the error that broke the connection, or nil.
func (w *Wire) Err() error { return w.calls.Err() }

// Do runs fn, which talks to the server, as one call under ctx: the
// context's deadline becomes the connection's and its cancellation makes
// blocked I/O return at once (internal/ctxio).
func (w *Wire) Do(ctx context.Context, fn func() error) error { return w.calls.Do(ctx, w.conn, fn) }

// Begin starts a call under ctx; End must follow a nil return. A context
// that is already done fails the call without breaking the client.
func (w *Wire) Begin(ctx context.Context) error { return w.calls.Begin(ctx, w.conn) }

// End finishes the call begun and returns err.
func (w *Wire) End(err error) error { return w.calls.End(err) }

// Fail breaks the client: the connection is closed and err (marked with
// the call's context error when that is why the I/O failed) is returned
// by this and every later call.
func (w *Wire) Fail(err error) error { return w.calls.Fail(err, w.conn) }

// Close closes the connection and makes closed the error of every later
// call; a connection already closed is not an error.
func (w *Wire) Close(closed error) error {
	err := w.conn.Close()
	w.calls.Fail(closed, w.conn) // records closed; closing again is harmless
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// WriteLine buffers one command line and its CRLF; Flush sends it.
func (w *Wire) WriteLine(line string) {
	if w.Debug != nil {
		shown := line
		switch {
		case w.secret:
			shown = debugtrace.Redacted
		case w.Redact != nil:
			shown = w.Redact(line)
		}
		debugtrace.Line(w.Debug, debugtrace.Client, shown)
	}
	w.bw.WriteString(line)
	w.bw.WriteString("\r\n")
}

// WriteSecret sends one SASL response line, traced as
// debugtrace.Redacted, except "*", which cancels the exchange (RFC 4422
// section 3.5) and is traced as it is.
func (w *Wire) WriteSecret(line string) error {
	w.secret = line != "*"
	w.WriteLine(line)
	w.secret = false
	return w.Flush()
}

// Flush sends what was buffered; a failure breaks the client.
func (w *Wire) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return w.Fail(err)
	}
	return nil
}

// TLS returns the connection's TLS state, and false in cleartext.
func (w *Wire) TLS() (tls.ConnectionState, bool) {
	if tc, ok := w.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Private reports whether credentials may cross the connection (see
// Private).
func (w *Wire) Private() bool { return Private(w.conn) }

// ErrTLSActive is wrapped by StartTLS on a connection already in TLS.
var ErrTLSActive = errors.New("TLS is already active")

// CheckStartTLS refuses an upgrade of a connection that is already TLS
// and returns the configuration to use (UpgradeConfig); the errors wrap
// state (TLS active) or invalid (no server name).
func (w *Wire) CheckStartTLS(cfg, fallback *tls.Config, host string, state, invalid error) (*tls.Config, error) {
	if _, ok := w.conn.(*tls.Conn); ok {
		return nil, fmt.Errorf("%w: %w", state, ErrTLSActive)
	}
	cfg, err := UpgradeConfig(cfg, fallback, host)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", invalid, err)
	}
	return cfg, nil
}

// Upgrade runs the TLS handshake inside the running call, once the
// server has accepted verb, and goes on over TLS (Handshake); a failure
// breaks the client.
func (w *Wire) Upgrade(cfg *tls.Config, prefix, verb string) error {
	tc, err := Handshake(w.calls.Context(), w.conn, cfg, w.br.Buffered(), prefix, verb)
	if err != nil {
		return w.Fail(err)
	}
	w.conn = tc
	w.br.Reset(tc)
	w.bw.Reset(tc)
	return nil
}
