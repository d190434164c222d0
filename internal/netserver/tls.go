package netserver

import (
	"context"
	"crypto/tls"
)

// handshake runs the server side of a TLS handshake on tc, bounded by
// TLSHandshakeTimeout and by Ctx, and sets TLS. A failure is logged, and
// the caller ends the session: nothing can be said to a client whose
// TLS failed.
func (l *Line) handshake(tc *tls.Conn) error {
	ctx, cancel := context.WithTimeout(l.Ctx, l.base.settings.TLSHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		l.base.Logger().Info(l.base.settings.Name+": TLS handshake failed", "remote", l.RemoteAddr(), "err", err)
		return err
	}
	st := tc.ConnectionState()
	l.TLS = &st
	return nil
}

// AcceptTLS does the handshake of implicit TLS (RFC 8314 section 3) when
// the listener made a TLS connection; on a plain one it does nothing.
func (l *Line) AcceptTLS() error {
	tc, ok := l.IO.Conn().(*tls.Conn)
	if !ok {
		return nil
	}
	return l.handshake(tc)
}

// StartTLS turns the connection into TLS once the protocol has queued
// its go-ahead (RFC 3207 section 4, RFC 2595 section 4, RFC 3501 section
// 6.2.1): it sends the replies queued, throws away any input the client
// pipelined after the command, unread, since an attacker could have
// injected it into the cleartext stream (RFC 3207 section 6, the
// STARTTLS command injection of CVE-2011-0411), puts the buffers on
// the TLS layer and runs the handshake, which sets TLS. On an error the
// caller ends the session.
func (l *Line) StartTLS(cfg *tls.Config) error {
	if err := l.flush(); err != nil {
		return err
	}
	if n := l.BR.Buffered(); n > 0 {
		l.Debugf("C: [%d octets sent before the TLS handshake discarded]", n)
	}
	tc := tls.Server(l.IO.Conn(), cfg)
	l.IO.SetConn(tc)
	l.BR.Reset(l.transport())
	l.BW.Reset(l.transport())
	return l.handshake(tc)
}
