package main

import (
	"context"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// sink is the Backend: every session accepts everything.
type sink struct {
	dir string // "" discards messages
	out *lineWriter
	seq atomic.Uint64 // numbers the messages, so file names never collide
}

// bufPool holds the buffers messages are streamed through: one per
// message being received, whatever its size.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (s *sink) NewSession(ctx context.Context, c *smtp.Conn) (smtp.Session, error) {
	return &session{sink: s, conn: c}, nil
}

// session collects one transaction's envelope (RFC 5321 3.3).
type session struct {
	sink *sink
	conn *smtp.Conn
	from string
	opts smtp.MailOptions
	to   []string
}

func (s *session) Mail(ctx context.Context, from string, opts *smtp.MailOptions) error {
	s.from, s.opts = from, *opts
	return nil
}

func (s *session) Rcpt(ctx context.Context, to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Data streams the message to its file or into nothing. It reads r to the
// end, as the server requires, and returns r's error (size limit, bare
// line ends, client gone) so the server answers with the matching reply.
func (s *session) Data(ctx context.Context, r io.Reader) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	now := time.Now().UTC()
	var size int64
	var err error
	if s.sink.dir == "" {
		size, err = copyBuffer(io.Discard, r, *bp)
	} else {
		size, err = s.store(r, *bp, now)
	}
	if err != nil {
		return err
	}
	s.sink.out.WriteLine(s.summary(now, size))
	return nil
}

// summary is the message's line: time, reverse path, recipients, size.
func (s *session) summary(now time.Time, size int64) []byte {
	b := make([]byte, 0, 128)
	b = now.AppendFormat(b, time.RFC3339Nano)
	b = append(b, " from=<"...)
	b = append(b, s.from...)
	b = append(b, "> to="...)
	for i, to := range s.to {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '<')
		b = append(b, to...)
		b = append(b, '>')
	}
	b = append(b, " size="...)
	return strconv.AppendInt(b, size, 10)
}

func (s *session) Reset(ctx context.Context) {
	s.from, s.opts, s.to = "", smtp.MailOptions{}, s.to[:0]
}

func (s *session) Logout(ctx context.Context) error { return nil }
