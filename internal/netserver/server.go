package netserver

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"net"
)

// Server is the part of an SMTP, POP3 or IMAP Server that does not depend
// on the protocol: the settings resolved once (Base), the listeners and
// sessions (Group), and the net/http lifecycle, Serve, ListenAndServe,
// ListenAndServeTLS, Shutdown and Close, run for the sessions of type S
// that Protocol describes. The protocol's Server keeps one in an
// unexported field, reaches it through Setup, and makes each exported
// method of the lifecycle a one-line call of the method of the same name
// here, documented with its protocol's replies and RFCs.
type Server[S comparable] struct {
	Base
	group Group[S]
	proto Protocol[S]
}

// Protocol tells a Server how the sessions of its protocol are made, run
// and ended.
type Protocol[S comparable] struct {
	// Addr and TLSAddr are where ListenAndServe and ListenAndServeTLS
	// listen when they are given "": the protocol's ports.
	Addr, TLSAddr string
	// Login says that sessions have a login phase: LoginTimeout, counted
	// from the connection and not restarted by input, bounds it (RFC 9051
	// section 5.4), and a full server makes room by closing the oldest
	// session that has not logged in and waits for a command
	// (Config.Evict).
	Login bool
	// New makes the session of an accepted connection, with a Line made
	// by OpenLine, whose buffers and hooks it sets.
	New func(net.Conn) S
	// Line returns the session's Line.
	Line func(S) *Line
	// Serve runs a session once the handshake of implicit TLS, if any,
	// is done: the greeting, then the commands until the session ends.
	// Refuse answers a session the server cannot take (too many
	// connections). The Server ends both (see end).
	Serve, Refuse func(S)
	// Done, if set, is called last, once the session's slot is free.
	Done func(S)
	// HasBackend reports whether the Server was given its Backend; Serve
	// refuses to start without one.
	HasBackend func() bool
	// ErrClosed is what Serve and ListenAndServe return after Shutdown or
	// Close.
	ErrClosed error
}

// Setup returns s, the first time it is called with its settings
// resolved and its protocol described (see Base.Setup): a protocol's
// Server reaches its Server through it, since its fields must not change
// once serving.
func (s *Server[S]) Setup(resolve func() Settings, protocol func() Protocol[S]) *Server[S] {
	s.Base.Setup(func() Settings {
		s.proto = protocol()
		return resolve()
	})
	return s
}

// ListenAndServe listens on addr, the protocol's Addr when it is "", and
// serves the listener (Serve). After Shutdown or Close it returns
// ErrClosed at once.
func (s *Server[S]) ListenAndServe(addr string) error {
	return s.group.ListenAndServe(s.settings.Name, cmp.Or(addr, s.proto.Addr), nil, s.Serve, s.proto.ErrClosed)
}

// ListenAndServeTLS is ListenAndServe for implicit TLS (RFC 8314 section
// 3), on the protocol's TLSAddr when addr is "": certFile and keyFile
// are loaded into a copy of cfg when given; otherwise cfg must hold a
// certificate.
func (s *Server[S]) ListenAndServeTLS(addr string, cfg *tls.Config, certFile, keyFile string) error {
	tf := &TLSFiles{Config: cfg, CertFile: certFile, KeyFile: keyFile}
	return s.group.ListenAndServe(s.settings.Name, cmp.Or(addr, s.proto.TLSAddr), tf, s.Serve, s.proto.ErrClosed)
}

// Serve accepts connections on l and serves each in its own goroutine
// (Group.Serve) until Shutdown or Close; l is closed on return. A
// listener made by tls.NewListener gives implicit TLS, whose handshake
// is done in the session's goroutine, bounded by TLSHandshakeTimeout.
func (s *Server[S]) Serve(l net.Listener) error {
	cfg := Config[S]{Base: &s.Base, New: s.proto.New, Serve: s.serve, Refuse: s.refuse, ErrClosed: s.proto.ErrClosed}
	if s.proto.Login {
		cfg.Evict = func(c S) bool { return s.proto.Line(c).IO.EvictIfIdle() }
	}
	if !s.proto.HasBackend() {
		cfg.Invalid = errors.New(s.settings.Name + ": Server.Backend is nil")
	}
	return s.group.Serve(l, cfg)
}

// OpenLine wraps the connection of a new session (Base.NewLine), with a
// login deadline when the protocol has a login phase.
func (s *Server[S]) OpenLine(nc net.Conn) *Line {
	return s.NewLine(nc, s.group.ShuttingDown, s.proto.Login)
}

// serve runs session c in its goroutine: the handshake of implicit TLS,
// then the protocol's Serve. A panic is logged (Line.Recover) rather
// than crashing the server, and the session ends either way.
func (s *Server[S]) serve(c S) {
	l := s.proto.Line(c)
	defer s.end(c)
	defer l.Recover()
	if l.AcceptTLS() == nil {
		s.proto.Serve(c)
	}
}

// refuse answers session c with the protocol's Refuse and ends it.
func (s *Server[S]) refuse(c S) {
	defer s.end(c)
	s.proto.Refuse(c)
}

// end closes the session's connection so that the client can read the
// last reply (Line.Finish), then frees its slot; the session stays known
// to the Group meanwhile, so that Shutdown and Close reach it.
func (s *Server[S]) end(c S) {
	s.proto.Line(c).Finish()
	s.group.Release(c)
	if s.proto.Done != nil {
		s.proto.Done(c)
	}
}

// Shutdown closes the listeners, wakes each session that waits for a
// command, so that it says the protocol's goodbye (EndShutdown) and
// ends, lets the sessions busy with a command finish it, and waits until
// every session is gone or ctx ends.
func (s *Server[S]) Shutdown(ctx context.Context) error {
	return s.group.Shutdown(ctx, func(c S) { s.proto.Line(c).IO.InterruptIfIdle() })
}

// Close closes the listeners and every session's connection at once,
// without a reply.
func (s *Server[S]) Close() error {
	return s.group.Close(func(c S) { s.proto.Line(c).IO.CloseNow() })
}

// LoggedIn records a successful login of session c: it is no longer
// evicted to make room (Group.Authenticated), its login deadline no
// longer applies and its client's failed-login delay starts over
// (Line.LoggedIn). The protocol calls it before it answers.
func (s *Server[S]) LoggedIn(c S) {
	s.group.Authenticated(c)
	s.proto.Line(c).LoggedIn()
}
