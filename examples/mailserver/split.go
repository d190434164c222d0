package main

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

// smtpBackend is the backend of the SMTP ports: the delivery agent, and
// with -relay a split between it and the queue.
func (m *Mailserver) smtpBackend() smtp.Backend {
	if m.relay == nil {
		return m.agent
	}
	return &splitBackend{
		local:  m.agent,
		queue:  &queue.Backend{Queue: m.relay.queue, Hostname: m.cfg.Domain},
		domain: m.cfg.Domain,
	}
}

// splitBackend gives local recipients to the delivery agent and queues
// the mail of authenticated clients for other domains (RFC 6409 section
// 4.3 and RFC 5321 section 3.6.2: relaying only for known senders, so
// the server is no open relay).
type splitBackend struct {
	local  smtp.Backend
	queue  smtp.Backend
	domain string
}

func (b *splitBackend) NewSession(ctx context.Context, c *smtp.Conn) (smtp.Session, error) {
	local, err := b.local.NewSession(ctx, c)
	if err != nil {
		return nil, err
	}
	queued, err := b.queue.NewSession(ctx, c)
	if err != nil {
		return nil, err
	}
	return &splitSession{b: b, c: c, local: local, queued: queued}, nil
}

// splitSession runs a local and a queueing session side by side.
type splitSession struct {
	b               *splitBackend
	c               *smtp.Conn
	local, queued   smtp.Session
	nLocal, nQueued int
}

func (s *splitSession) Mail(ctx context.Context, from string, opts *smtp.MailOptions) error {
	if err := s.local.Mail(ctx, from, opts); err != nil {
		return err
	}
	return s.queued.Mail(ctx, from, opts)
}

// Rcpt sends a recipient of another domain to the queue when the client
// authenticated; everything else is the delivery agent's to accept or
// refuse.
func (s *splitSession) Rcpt(ctx context.Context, to string, opts *smtp.RcptOptions) error {
	_, domain, ok := strings.Cut(to, "@")
	if ok && !strings.EqualFold(domain, s.b.domain) && s.c.Identity() != "" {
		if err := s.queued.Rcpt(ctx, to, opts); err != nil {
			return err
		}
		s.nQueued++
		return nil
	}
	if err := s.local.Rcpt(ctx, to, opts); err != nil {
		return err
	}
	s.nLocal++
	return nil
}

// Data hands the message to the side that has recipients, or to both
// from one copy; the 250 comes once both stored it.
func (s *splitSession) Data(ctx context.Context, r io.Reader) error {
	switch {
	case s.nQueued == 0:
		return s.local.Data(ctx, r)
	case s.nLocal == 0:
		return s.queued.Data(ctx, r)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	if err := s.queued.Data(ctx, bytes.NewReader(buf.Bytes())); err != nil {
		return err
	}
	return s.local.Data(ctx, bytes.NewReader(buf.Bytes()))
}

func (s *splitSession) Reset(ctx context.Context) {
	s.local.Reset(ctx)
	s.queued.Reset(ctx)
	s.nLocal, s.nQueued = 0, 0
}

func (s *splitSession) Logout(ctx context.Context) error {
	s.queued.Logout(ctx)
	return s.local.Logout(ctx)
}

// AuthPlain lets the delivery agent's users log in (RFC 4954); its
// sessions are smtp.AuthSessions.
func (s *splitSession) AuthPlain(ctx context.Context, identity, username, password string) error {
	return s.local.(smtp.AuthSession).AuthPlain(ctx, identity, username, password)
}

// ScramCredentials lets the delivery agent's users log in with SCRAM
// (RFC 5802); its sessions are smtp.ScramSessions.
func (s *splitSession) ScramCredentials(ctx context.Context, mech, username string) (smtp.ScramCredentials, error) {
	return s.local.(smtp.ScramSession).ScramCredentials(ctx, mech, username)
}
