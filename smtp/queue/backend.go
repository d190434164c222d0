package queue

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/smtp"
)

// Backend is an smtp.Backend that queues every accepted message: Data
// returns, and the server answers 250, only once the message is in the
// Queue's store (RFC 5321 section 6.1). The optional hooks are where an
// MTA puts its policy.
type Backend struct {
	// Queue receives the messages. Required.
	Queue *Queue
	// Hostname is this server's name in the Received field.
	Hostname string

	// CheckSender, if set, accepts (nil) or refuses MAIL FROM; a
	// *smtp.Reply is sent as it is (e.g. 550 5.7.1), another error gives
	// 451 4.3.0. from is "" for the null path.
	CheckSender func(c *smtp.Conn, from string, opts *smtp.MailOptions) error
	// CheckRecipient, if set, accepts or refuses each RCPT TO the same
	// way; this is where an MTA refuses to be an open relay (RFC 5321
	// section 3.6.2).
	CheckRecipient func(c *smtp.Conn, from, to string, opts *smtp.RcptOptions) error
	// RewriteHeader, if set, may change the message's header section
	// before it is queued (address rewriting, removing Bcc, adding a
	// Message-ID to a submission as RFC 6409 section 8.3 allows).
	RewriteHeader func(c *smtp.Conn, h *message.Header) error
	// Sign, if set, reads the message as it will be queued (after
	// RewriteHeader, without the Received field) and returns header
	// fields, with their CRLFs, to prepend: the place for DKIM (RFC 6376).
	Sign func(msg io.Reader) ([]byte, error)
	// TempDir holds the copy of a message that Sign reads; "" is the
	// system's.
	TempDir string
	// Now returns the time for Received and Arrived; nil is time.Now.
	Now func() time.Time
}

// NewSession implements smtp.Backend.
func (b *Backend) NewSession(ctx context.Context, c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, c: c}, nil
}

// session is one connection's transactions.
type session struct {
	b     *Backend
	c     *smtp.Conn
	entry *Entry
}

func (s *session) now() time.Time {
	if s.b.Now != nil {
		return s.b.Now()
	}
	return time.Now()
}

func (s *session) Mail(ctx context.Context, from string, opts *smtp.MailOptions) error {
	if s.b.CheckSender != nil {
		if err := s.b.CheckSender(s.c, from, opts); err != nil {
			return err
		}
	}
	s.entry = &Entry{From: from}
	if opts != nil {
		s.entry.Options = *opts
	}
	return nil
}

func (s *session) Rcpt(ctx context.Context, to string, opts *smtp.RcptOptions) error {
	if s.b.CheckRecipient != nil {
		if err := s.b.CheckRecipient(s.c, s.entry.From, to, opts); err != nil {
			return err
		}
	}
	r := Recipient{Addr: to}
	if opts != nil {
		r.Options = *opts
	}
	s.entry.Recipients = append(s.entry.Recipients, r)
	return nil
}

// Data queues the message behind a Received field. It reads r to its end
// whatever happens, as smtp.Session requires.
func (s *session) Data(ctx context.Context, r io.Reader) error {
	defer io.Copy(io.Discard, r)
	e := s.entry
	e.ID = s.b.Queue.newID()
	e.Arrived = s.now()
	t := smtp.TraceOf(s.c)
	t.By, t.ID, t.Date = s.b.Hostname, e.ID, e.Arrived
	if len(e.Recipients) == 1 {
		t.For = e.Recipients[0].Addr
	}
	msg, cleanup, err := s.prepare(r)
	if err != nil {
		return err
	}
	defer cleanup()
	_, err = s.b.Queue.Enqueue(e, io.MultiReader(strings.NewReader(t.Received()), msg))
	return err
}

// prepare applies RewriteHeader and Sign to the message.
func (s *session) prepare(r io.Reader) (io.Reader, func(), error) {
	nothing := func() {}
	if s.b.RewriteHeader != nil {
		br := bufio.NewReader(r)
		h, err := message.ReadHeader(br)
		if err != nil {
			return nil, nothing, err
		}
		if err := s.b.RewriteHeader(s.c, &h); err != nil {
			return nil, nothing, err
		}
		var hb bytes.Buffer
		h.WriteTo(&hb)
		r = io.MultiReader(&hb, br)
	}
	if s.b.Sign == nil {
		return r, nothing, nil
	}
	f, err := os.CreateTemp(s.b.TempDir, "mailwire-sign-*")
	if err != nil {
		return nil, nothing, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	sig, err := s.sign(f, r)
	if err != nil {
		cleanup()
		return nil, nothing, err
	}
	return io.MultiReader(bytes.NewReader(sig), f), cleanup, nil
}

// sign copies r into f, signs f's contents and rewinds f.
func (s *session) sign(f *os.File, r io.Reader) ([]byte, error) {
	if _, err := io.Copy(f, r); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	sig, err := s.b.Sign(f)
	if err != nil {
		return nil, err
	}
	_, err = f.Seek(0, io.SeekStart)
	return sig, err
}

func (s *session) Reset(ctx context.Context) { s.entry = nil }

func (s *session) Logout(ctx context.Context) error { return nil }
