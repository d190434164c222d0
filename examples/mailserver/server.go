package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/mailwire/mailwire/examples/internal/mailstore"
	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/mda"
)

// Mailserver is the running system: the store and every server on it.
type Mailserver struct {
	Store mailstore.Store
	// Listening lists the services in the order they were started.
	Listening []Service

	cfg     *Config
	agent   *mda.Agent
	relay   *relayService // with -relay
	serving sync.WaitGroup
}

// Service is one listening server.
type Service struct {
	Name string // "smtp", "submission", "pop3s" ...
	Addr net.Addr
	srv  stopper
}

// stopper is what smtp.Server, pop3.Server and imap.Server have in common.
type stopper interface {
	Shutdown(ctx context.Context) error
	Close() error
}

// Addr returns the address of the named service, or "" when it is off.
func (m *Mailserver) Addr(name string) string {
	for _, s := range m.Listening {
		if s.Name == name {
			return s.Addr.String()
		}
	}
	return ""
}

// Start opens the store and starts a server on every address the
// configuration names. On error, what was started is stopped again.
func Start(cfg Config) (*Mailserver, error) {
	users := mailstore.NewUsers(cfg.Domain)
	if cfg.UserList != "" {
		if err := users.AddList(cfg.UserList); err != nil {
			return nil, err
		}
	}
	if cfg.UsersFile != "" {
		if err := users.AddFile(cfg.UsersFile); err != nil {
			return nil, err
		}
	}
	store, err := openStore(cfg.Maildir, users)
	if err != nil {
		return nil, err
	}
	m := &Mailserver{Store: store, cfg: &cfg}
	m.agent = &mda.Agent{Domain: cfg.Domain, Users: users, Mailboxes: store}
	if err := m.openQueue(); err != nil {
		store.Close()
		return nil, err
	}
	if err := m.startAll(); err != nil {
		m.Close()
		return nil, err
	}
	m.startRelay()
	return m, nil
}

// openStore opens the Maildir store when dir is set, else a memory one.
func openStore(dir string, users *mailstore.Users) (mailstore.Store, error) {
	if dir == "" {
		return mailstore.NewMemory(users), nil
	}
	s, err := mailstore.OpenMaildir(dir, users)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (m *Mailserver) startAll() error {
	c := m.cfg
	for _, s := range []struct {
		name, addr string
		implicit   bool
		start      func(name string, l net.Listener) stopper
	}{
		{"smtp", c.SMTP, false, m.smtpServer(false)},
		{"submission", c.Submission, false, m.smtpServer(true)},
		{"smtps", c.SMTPS, true, m.smtpServer(true)},
		{"pop3", c.POP3, false, m.pop3Server},
		{"pop3s", c.POP3S, true, m.pop3Server},
		{"imap", c.IMAP, false, m.imapServer},
		{"imaps", c.IMAPS, true, m.imapServer},
	} {
		if s.addr == "" {
			continue
		}
		l, err := m.listen(s.name, s.addr, s.implicit)
		if err != nil {
			return err
		}
		m.Listening = append(m.Listening, Service{Name: s.name, Addr: l.Addr(), srv: s.start(s.name, l)})
	}
	return nil
}

// listen opens a TCP listener, wrapped in TLS for the implicit-TLS
// ports (RFC 8314 section 3).
func (m *Mailserver) listen(name, addr string, implicit bool) (net.Listener, error) {
	if implicit && m.cfg.TLS == nil {
		return nil, fmt.Errorf("-%s needs -tls-cert and -tls-key", name)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if implicit {
		return tls.NewListener(l, m.cfg.TLS), nil
	}
	return l, nil
}

// serve runs serve in the background until the server is shut down; an
// unexpected end is logged.
func (m *Mailserver) serve(name string, serve func() error, closed error) {
	m.serving.Add(1)
	go func() {
		defer m.serving.Done()
		if err := serve(); !errors.Is(err, closed) && m.cfg.Logger != nil {
			m.cfg.Logger.Error("server stopped", "service", name, "err", err)
		}
	}()
}

// smtpServer starts an SMTP server for incoming mail or, with submission,
// one that requires AUTH before MAIL (RFC 6409 section 4.3).
func (m *Mailserver) smtpServer(submission bool) func(string, net.Listener) stopper {
	return func(name string, l net.Listener) stopper {
		srv := &smtp.Server{
			Domain:            m.cfg.Domain,
			Backend:           m.smtpBackend(),
			TLSConfig:         m.cfg.TLS,
			AllowInsecureAuth: m.cfg.insecureAuth(l),
			AuthRequired:      submission,
			MaxMessageBytes:   m.cfg.MaxMessageBytes,
			Logger:            m.cfg.Logger,
		}
		m.serve(name, func() error { return srv.Serve(l) }, smtp.ErrServerClosed)
		return srv
	}
}

func (m *Mailserver) pop3Server(name string, l net.Listener) stopper {
	srv := &pop3.Server{
		Domain:            m.cfg.Domain,
		Backend:           m.Store.POP3(),
		TLSConfig:         m.cfg.TLS,
		AllowInsecureAuth: m.cfg.insecureAuth(l),
		Logger:            m.cfg.Logger,
	}
	m.serve(name, func() error { return srv.Serve(l) }, pop3.ErrServerClosed)
	return srv
}

func (m *Mailserver) imapServer(name string, l net.Listener) stopper {
	srv := &imap.Server{
		Backend:           m.Store.IMAP(),
		TLSConfig:         m.cfg.TLS,
		AllowInsecureAuth: m.cfg.insecureAuth(l),
		Logger:            m.cfg.Logger,
	}
	m.serve(name, func() error { return srv.Serve(l) }, imap.ErrServerClosed)
	return srv
}

// Shutdown stops every server gracefully (each finishes the commands in
// progress, as its package's Shutdown documents), waits for them, then
// closes the store.
func (m *Mailserver) Shutdown(ctx context.Context) error {
	errs := make([]error, len(m.Listening))
	var wg sync.WaitGroup
	for i, s := range m.Listening {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.srv.Shutdown(ctx)
		}()
	}
	wg.Wait()
	m.serving.Wait()
	return errors.Join(append(errs, m.stopRelay(), m.Store.Close())...)
}

// Close stops every server at once, dropping their connections, and
// closes the store.
func (m *Mailserver) Close() error {
	var errs []error
	for _, s := range m.Listening {
		errs = append(errs, s.srv.Close())
	}
	m.serving.Wait()
	return errors.Join(append(errs, m.stopRelay(), m.Store.Close())...)
}
