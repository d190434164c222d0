package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"

	"github.com/mailwire/mailwire/pop3"
)

// pop3Options say how to reach and log in to a POP3 maildrop.
type pop3Options struct {
	addr, user, pass string
	startTLS         bool        // STLS (RFC 2595) before logging in
	implicitTLS      bool        // TLS from the start (RFC 8314 section 3.3)
	tlsConfig        *tls.Config // nil: the system roots
	debug            io.Writer   // the protocol exchange, passwords redacted
}

// pop3Source is a POP3 session in the TRANSACTION state (RFC 1939 section
// 5). Message numbers are valid for this session only; the unique ids of
// UIDL (section 7) are what lasts between sessions.
type pop3Source struct {
	c       *pop3.Client
	account string
	number  map[string]int // unique id -> message number, from List
}

// Connect dials, upgrades to TLS when asked and logs in with USER and PASS
// (RFC 1939 section 7), pipelined when CAPA announces PIPELINING (RFC 2449).
func (o pop3Options) Connect(ctx context.Context) (source, error) {
	opts := &pop3.Options{TLSConfig: o.tlsConfig, Debug: o.debug}
	dial := pop3.Dial
	if o.implicitTLS {
		dial = pop3.DialTLS
	}
	c, err := dial(ctx, o.addr, opts)
	if err != nil {
		return nil, err
	}
	if err := o.login(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		host = o.addr
	}
	return &pop3Source{c: c, account: "pop3:" + o.user + "@" + host}, nil
}

// login upgrades with STLS when asked, which asks for the capabilities
// again (RFC 2595 section 4), and logs in.
func (o pop3Options) login(ctx context.Context, c *pop3.Client) error {
	if o.startTLS {
		if err := c.StartTLS(ctx, o.tlsConfig); err != nil {
			return fmt.Errorf("STLS: %w", err)
		}
	}
	if err := c.Login(ctx, o.user, o.pass); err != nil {
		return fmt.Errorf("login as %s: %w", o.user, err)
	}
	return nil
}

func (s *pop3Source) Account() string { return s.account }

// List sends UIDL. A server without it cannot tell old mail from new, so
// mailfetch refuses to go on rather than fetch everything again each run.
func (s *pop3Source) List(ctx context.Context) ([]string, error) {
	items, err := s.c.Uidl(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing unique ids (UIDL, RFC 1939 section 7): %w", err)
	}
	s.number = make(map[string]int, len(items))
	ids := make([]string, 0, len(items))
	for _, it := range items {
		if n, dup := s.number[it.UID]; dup {
			return nil, fmt.Errorf("server gave unique id %q to messages %d and %d", it.UID, n, it.Number)
		}
		s.number[it.UID] = it.Number
		ids = append(ids, it.UID)
	}
	return ids, nil
}

func (s *pop3Source) num(id string) (int, error) {
	n, ok := s.number[id]
	if !ok {
		return 0, fmt.Errorf("no message with unique id %q", id)
	}
	return n, nil
}

// Open sends RETR (RFC 1939 section 5); the reader yields the message
// unstuffed, with the CRLF line ends of the wire.
func (s *pop3Source) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	n, err := s.num(id)
	if err != nil {
		return nil, err
	}
	r, err := s.c.Retr(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("RETR %d (%s): %w", n, id, err)
	}
	return r, nil
}

// Delete sends DELE for each message, pipelined when the server allows;
// the server removes them only in the UPDATE state (RFC 1939 section 6).
func (s *pop3Source) Delete(ctx context.Context, ids []string) error {
	nums := make([]int, 0, len(ids))
	for _, id := range ids {
		n, err := s.num(id)
		if err != nil {
			return err
		}
		nums = append(nums, n)
	}
	if len(nums) == 0 {
		return nil
	}
	if err := s.c.Dele(ctx, nums...); err != nil {
		return fmt.Errorf("DELE: %w", err)
	}
	return nil
}

// Commit sends QUIT: the server enters UPDATE and removes the marked
// messages; a -ERR means it removed none (RFC 1939 section 6).
func (s *pop3Source) Commit(ctx context.Context) error {
	if err := s.c.Quit(ctx); err != nil {
		return fmt.Errorf("QUIT: %w", err)
	}
	return nil
}

// Close drops the connection without QUIT, so the server deletes nothing
// (RFC 1939 section 6).
func (s *pop3Source) Close() error { return s.c.Close() }
