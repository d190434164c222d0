package relay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/mailwire/mailwire/smtp"
)

// Replies for failures to reach a destination (RFC 3463 section 3.5).
var (
	// X.4.1 no answer from host.
	replyNoAnswer = smtp.NewReply(451, smtp.EnhancedTempNoAnswer, "No answer from host")
	// X.4.2 bad connection.
	replyConnLost = smtp.NewReply(451, smtp.EnhancedTempBadConnection, "Connection lost")
	// RFC 3207 section 4: a client that requires TLS and does not get it
	// must not send; X.7.10 (RFC 5248 registry) encryption needed, and
	// retried, since the server may be fixed.
	replyNoTLS = smtp.NewReply(451, smtp.EnhancedTempEncryptionNeeded, "TLS required but not available")
)

// session is an open SMTP connection to one host.
type session struct {
	c    *smtp.Client
	host string
}

// connect tries the hops in order and returns the first session that
// greets and accepts EHLO (and STARTTLS, as the policy asks). A host
// that refuses is skipped, as RFC 5321 section 5.1 asks the client to try
// the next one.
func (r *Relay) connect(ctx context.Context, hops []hop) (*session, *smtp.Reply) {
	last := replyNoAnswer
	for _, h := range hops {
		s, reply := r.connectHop(ctx, h)
		if s != nil {
			return s, nil
		}
		r.log("relay: connect", "host", h.host, "addr", h.addr, "reply", reply)
		last = reply
	}
	if last.Permanent() {
		// A greeting of 554 from every host does not make the address
		// wrong; the mail is kept for later (RFC 5321 section 3.1).
		last = smtp.NewReply(451, smtp.EnhancedTempNoAnswer, last.Text())
	}
	return nil, last
}

func (r *Relay) connectHop(ctx context.Context, h hop) (*session, *smtp.Reply) {
	s, reply, tlsFailed := r.dialHop(ctx, h, r.TLS != TLSDisabled)
	if tlsFailed && r.TLS == TLSOpportunistic {
		// RFC 7435 section 3: opportunistic security falls back to the
		// clear when encryption cannot be had.
		s, reply, _ = r.dialHop(ctx, h, false)
	}
	return s, reply
}

// dialHop connects, greets and, when useTLS, upgrades with STARTTLS.
// tlsFailed reports a handshake that failed after the server offered it.
func (r *Relay) dialHop(ctx context.Context, h hop, useTLS bool) (s *session, reply *smtp.Reply, tlsFailed bool) {
	dctx, cancel := context.WithTimeout(ctx, orDefault(r.ConnectTimeout, DefaultConnectTimeout))
	defer cancel()
	dial := r.Dialer
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(dctx, "tcp", h.addr)
	if err != nil {
		return nil, withText(replyNoAnswer, err.Error()), false
	}
	c, err := smtp.NewClient(dctx, conn, &smtp.Options{NormalizeNewlines: true, LocalName: r.hostname()})
	if err != nil {
		conn.Close()
		return nil, asReply(err, replyNoAnswer), false
	}
	if err := c.Hello(dctx, ""); err != nil {
		c.Close()
		return nil, asReply(err, replyNoAnswer), false
	}
	if c.Supports("STARTTLS") && useTLS {
		if err := c.StartTLS(dctx, r.tlsConfig(h.host)); err != nil {
			c.Close()
			return nil, asReply(err, replyNoTLS), true
		}
	} else if r.TLS == TLSRequired {
		c.Quit(dctx)
		return nil, replyNoTLS, false
	}
	return &session{c: c, host: h.host}, nil, false
}

// tlsConfig is the configuration for host: TLSConfig with its ServerName,
// and for opportunistic TLS without a configuration, no verification.
func (r *Relay) tlsConfig(host string) *tls.Config {
	var cfg *tls.Config
	if r.TLSConfig != nil {
		cfg = r.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{InsecureSkipVerify: r.TLS == TLSOpportunistic}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

// asReply returns the *smtp.Reply in err, or def with err's text.
func asReply(err error, def *smtp.Reply) *smtp.Reply {
	var reply *smtp.Reply
	if errors.As(err, &reply) {
		return reply
	}
	return withText(def, err.Error())
}

// withText returns a copy of reply with its text followed by detail.
func withText(reply *smtp.Reply, detail string) *smtp.Reply {
	return smtp.NewReply(reply.Code, reply.Enhanced, fmt.Sprintf("%s: %s", reply.Text(), detail))
}
