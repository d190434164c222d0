package relay

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

// job is the recipients of one entry that share a domain: one mail
// transaction (RFC 5321 section 3.3).
type job struct {
	entry *queue.Entry
	rcpts []int // indexes into entry.Recipients
}

var (
	replyOK = smtp.NewReply(250, smtp.EnhancedOK, "OK")
	// RFC 3463 section 3.4: X.3.4 message too big for system.
	replyTooBig = smtp.NewReply(552, smtp.EnhancedTooBig, "Message too big for destination")
	// X.6.3 conversion required but not supported: the next hop lacks
	// 8BITMIME or BINARYMIME (RFC 6152 section 3, RFC 3030 section 3).
	replyNeeds8Bit = smtp.NewReply(554, smtp.EnhancedConversionNotSupported, "Destination does not accept 8-bit or binary data")
	// RFC 6531 section 3.4 and 3.6: X.6.7 non-ASCII addresses not
	// permitted by the destination.
	replyNeedsUTF8 = smtp.NewReply(553, smtp.EnhancedNonASCIIAddress, "Destination does not support SMTPUTF8")
	// X.3.0 local error: the queued message cannot be read.
	replyLocal = smtp.NewReply(451, smtp.EnhancedTempLocalError, "Local error reading queued message")
)

// deliver runs the jobs of one domain over one connection, reconnecting
// when a transaction broke it.
func (r *Relay) deliver(ctx context.Context, domain string, jobs []job) {
	hops, reply := r.route(ctx, domain)
	if ctx.Err() != nil {
		return
	}
	if reply != nil {
		for _, j := range jobs {
			r.record(j, same(reply, len(j.rcpts)), "", false)
		}
		return
	}
	// A transaction under way when ctx ends is finished, not cut off:
	// cut off after the message went out, the next hop may have taken it
	// without this side knowing, and it would be sent twice (RFC 5321
	// section 6.1).
	finishing := context.WithoutCancel(ctx)
	var s *session
	defer func() {
		if s != nil {
			qctx, cancel := context.WithTimeout(finishing, 5*time.Second)
			s.c.Quit(qctx)
			cancel()
		}
	}()
	for k, j := range jobs {
		if ctx.Err() != nil {
			return
		}
		if s == nil {
			if s, reply = r.connect(ctx, hops); reply != nil {
				if ctx.Err() != nil {
					return
				}
				for _, j := range jobs[k:] {
					r.record(j, same(reply, len(j.rcpts)), "", false)
				}
				return
			}
		}
		replies, broken := r.transact(finishing, s, j)
		dsn := s.c.Supports("DSN")
		r.record(j, replies, s.host, dsn)
		if broken {
			s.c.Close()
			s = nil
		}
	}
}

// same returns n copies of reply.
func same(reply *smtp.Reply, n int) []*smtp.Reply {
	rs := make([]*smtp.Reply, n)
	for i := range rs {
		rs[i] = reply
	}
	return rs
}

// transact sends one message to the recipients of j and returns a reply
// for each; broken reports a connection that cannot be used again.
func (r *Relay) transact(ctx context.Context, s *session, j job) ([]*smtp.Reply, bool) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(r.Timeout, DefaultTimeout))
	defer cancel()
	e, n := j.entry, len(j.rcpts)
	if reply := fits(s.c, e); reply != nil {
		return same(reply, n), false
	}
	msg, err := r.Queue.Open(e.ID)
	if err != nil {
		return same(withText(replyLocal, err.Error()), n), false
	}
	defer msg.Close()
	opts := e.Options
	opts.Size = e.Size
	// Not authenticated to the next hop (RFC 4954 section 5).
	opts.Auth = ""
	dsn := s.c.Supports("DSN")
	if !dsn {
		// RFC 3461 section 6.2: the parameters are dropped, and a
		// requested success notice says "relayed".
		opts.Return, opts.EnvelopeID = "", ""
	}
	if dsn && hasRcptOptions(e, j.rcpts) {
		return r.transactOneByOne(ctx, s.c, j, &opts, msg)
	}
	to := make([]string, n)
	for k, i := range j.rcpts {
		to[k] = e.Recipients[i].Addr
	}
	// Send pipelines MAIL, RCPT and DATA when PIPELINING is offered (RFC
	// 2920 section 3.1).
	err = s.c.Send(ctx, e.From, to, msg, &opts)
	return sendReplies(err, to)
}

// fits checks what the next hop must support for the message.
func fits(c *smtp.Client, e *queue.Entry) *smtp.Reply {
	if max, ok := c.MaxMessageSize(); ok && max > 0 && e.Size > max {
		return replyTooBig
	}
	if e.Options.UTF8 && !c.Supports("SMTPUTF8") {
		return replyNeedsUTF8
	}
	switch e.Options.Body {
	case smtp.Body8BitMIME:
		if !c.Supports("8BITMIME") {
			return replyNeeds8Bit
		}
	case smtp.BodyBinaryMIME:
		if !c.Supports("BINARYMIME") {
			return replyNeeds8Bit
		}
	}
	return nil
}

func hasRcptOptions(e *queue.Entry, idx []int) bool {
	for _, i := range idx {
		o := e.Recipients[i].Options
		if o.Notify != nil || o.OriginalRecipient != "" {
			return true
		}
	}
	return false
}

// sendReplies turns the result of Client.Send into a reply per recipient.
func sendReplies(err error, to []string) ([]*smtp.Reply, bool) {
	if err == nil {
		return same(replyOK, len(to)), false
	}
	var se *smtp.SendError
	if errors.As(err, &se) {
		replies := same(replyOK, len(to))
		for _, f := range se.Failed {
			for k, addr := range to {
				if addr == f.Recipient {
					replies[k] = f.Reply
				}
			}
		}
		return replies, false
	}
	return fail(err, len(to))
}

// transactOneByOne sends MAIL, each RCPT with its DSN parameters (RFC
// 3461 section 4), and the message, one command at a time.
func (r *Relay) transactOneByOne(ctx context.Context, c *smtp.Client, j job, opts *smtp.MailOptions, msg io.Reader) ([]*smtp.Reply, bool) {
	e, n := j.entry, len(j.rcpts)
	if err := c.Mail(ctx, e.From, opts); err != nil {
		return fail(err, n)
	}
	replies := make([]*smtp.Reply, n)
	accepted := 0
	for k, i := range j.rcpts {
		rc := e.Recipients[i]
		if err := c.Rcpt(ctx, rc.Addr, &rc.Options); err != nil {
			var reply *smtp.Reply
			if !errors.As(err, &reply) {
				return fail(err, n)
			}
			replies[k] = reply
			continue
		}
		accepted++
	}
	if accepted == 0 {
		return replies, c.Reset(ctx) != nil
	}
	verdict, broken := dataReply(ctx, c, msg)
	for k := range replies {
		if replies[k] == nil {
			replies[k] = verdict
		}
	}
	return replies, broken
}

// dataReply sends the message and returns the server's verdict.
func dataReply(ctx context.Context, c *smtp.Client, msg io.Reader) (*smtp.Reply, bool) {
	w, err := c.Data(ctx)
	if err == nil {
		if _, err = io.Copy(w, msg); err == nil {
			err = w.Close()
		}
	}
	if err == nil {
		return replyOK, false
	}
	rs, broken := fail(err, 1)
	return rs[0], broken
}

// fail gives n recipients the reply in err, or a lost connection.
func fail(err error, n int) ([]*smtp.Reply, bool) {
	var reply *smtp.Reply
	if errors.As(err, &reply) {
		return same(reply, n), false
	}
	return same(withText(replyConnLost, err.Error()), n), true
}
