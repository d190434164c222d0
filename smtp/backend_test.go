package smtp

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
)

// testBackend records what its sessions receive and refuses chosen
// addresses, so transcripts can exercise the error paths:
//
//	sender reject@...   550 5.7.1       sender error@...   plain error (451 4.3.0)
//	rcpt unknown@...    550 5.1.1       rcpt full@...      452 4.2.2
//	rcpt lmtpfail@...   LMTP delivery to it fails with 552 5.2.2
//	AUTH: alice / secret
type testBackend struct {
	mu       sync.Mutex
	messages []testMessage
	logouts  int
	resets   int
}

type testMessage struct {
	From     string
	MailOpts MailOptions
	To       []string
	Data     string
	Identity string
	TLS      bool
	Protocol string
}

func (b *testBackend) NewSession(ctx context.Context, c *Conn) (Session, error) {
	if strings.HasPrefix(c.RemoteAddr().String(), "refuse") {
		return nil, NewReply(CodeTransactionFailed, EnhancedCode{5, 7, 1}, "No SMTP service here")
	}
	return &testSession{b: b, c: c}, nil
}

func (b *testBackend) Messages() []testMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]testMessage(nil), b.messages...)
}

type testSession struct {
	b   *testBackend
	c   *Conn
	msg *testMessage
}

func (s *testSession) Mail(ctx context.Context, from string, opts *MailOptions) error {
	switch {
	case strings.HasPrefix(from, "reject@"):
		return NewReply(CodeMailboxUnavailable, EnhancedCode{5, 7, 1}, "Sender rejected")
	case strings.HasPrefix(from, "error@"):
		return errors.New("database on fire at 10.0.0.7")
	}
	s.msg = &testMessage{From: from, MailOpts: *opts, Identity: s.c.Identity(), TLS: s.c.TLS() != nil, Protocol: s.c.Protocol()}
	return nil
}

func (s *testSession) Rcpt(ctx context.Context, to string, _ *RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "unknown@"):
		return NewReply(CodeMailboxUnavailable, EnhancedCode{5, 1, 1}, "No such user")
	case strings.HasPrefix(to, "full@"):
		return NewReply(CodeInsufficientStorage, EnhancedCode{4, 2, 2}, "Mailbox full")
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *testSession) Data(ctx context.Context, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = string(b)
	s.b.mu.Lock()
	s.b.messages = append(s.b.messages, *s.msg)
	s.b.mu.Unlock()
	return nil
}

func (s *testSession) LMTPData(ctx context.Context, r io.Reader, status *LMTPStatus) error {
	if err := s.Data(ctx, r); err != nil {
		return err
	}
	for _, to := range s.msg.To {
		if strings.HasPrefix(to, "lmtpfail@") {
			status.Set(to, NewReply(CodeExceededStorage, EnhancedCode{5, 2, 2}, "Mailbox full"))
		}
	}
	return nil
}

func (s *testSession) Reset(ctx context.Context) {
	s.msg = nil
	s.b.mu.Lock()
	s.b.resets++
	s.b.mu.Unlock()
}

func (s *testSession) Logout(ctx context.Context) error {
	s.b.mu.Lock()
	s.b.logouts++
	s.b.mu.Unlock()
	return nil
}

func (s *testSession) AuthPlain(ctx context.Context, identity, user, pass string) error {
	if user == "alice" && pass == "secret" && (identity == "" || identity == "alice") {
		return nil
	}
	return errors.New("bad password")
}
