package relay

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
	"github.com/mailwire/mailwire/smtp/smtptest"
)

// RFC 5321 section 5.1: exchangers by preference, the equal ones in
// random order; "." entries among others are dropped.
func TestSortMX_RFC5321_5_1(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		hosts := sortMX([]*net.MX{{Host: "c.test.", Pref: 20}, {Host: "a1.test.", Pref: 10}, {Host: ".", Pref: 30}, {Host: "a2.test.", Pref: 10}})
		require.Len(t, hosts, 3)
		assert.Equal(t, "c.test", hosts[2])
		seen[hosts[0]] = true
	}
	assert.Equal(t, map[string]bool{"a1.test": true, "a2.test": true}, seen, "both equal-preference hosts come first at times")
}

type lookupFailure struct{ fakeResolver }

func (lookupFailure) LookupMX(context.Context, string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: "server misbehaving", IsTemporary: true}
}

func TestRoute_RFC5321_5_1(t *testing.T) {
	ctx := context.Background()
	r := &Relay{Port: "2525", Routes: map[string]string{"smart.test": "relay.test:587", "bare.test": "relay.test"}, Resolver: fakeResolver{
		mx:    map[string][]*net.MX{"b.test": {{Host: "mx2.b.test", Pref: 20}, {Host: "mx1.b.test", Pref: 10}}, "null.test": {{Host: "."}}},
		hosts: map[string][]string{"mx1.b.test": {"192.0.2.1", "2001:db8::1"}, "mx2.b.test": {"192.0.2.2"}, "implicit.test": {"192.0.2.9"}},
	}}
	for _, tc := range []struct {
		domain string
		hops   []hop
		reply  *smtp.Reply
	}{
		{"b.test", []hop{{"mx1.b.test", "192.0.2.1:2525"}, {"mx1.b.test", "[2001:db8::1]:2525"}, {"mx2.b.test", "192.0.2.2:2525"}}, nil},
		{"B.Test.", []hop{{"mx1.b.test", "192.0.2.1:2525"}, {"mx1.b.test", "[2001:db8::1]:2525"}, {"mx2.b.test", "192.0.2.2:2525"}}, nil},
		// No MX: the domain's address is the implicit MX.
		{"implicit.test", []hop{{"implicit.test", "192.0.2.9:2525"}}, nil},
		{"smart.test", []hop{{"relay.test", "relay.test:587"}}, nil},
		{"bare.test", []hop{{"relay.test", "relay.test:2525"}}, nil},
		{"[192.0.2.7]", []hop{{"[192.0.2.7]", "192.0.2.7:2525"}}, nil},
		{"null.test", nil, replyNullMX},
		{"nowhere.test", nil, replyNoDomain},
	} {
		hops, reply := r.route(ctx, tc.domain)
		assert.Equal(t, tc.hops, hops, tc.domain)
		assert.Equal(t, tc.reply, reply, tc.domain)
	}
	r.Resolver = lookupFailure{}
	_, reply := r.route(ctx, "b.test")
	assert.True(t, reply.Temporary(), "a failed lookup defers")
}

// RFC 5321 section 5.1: when the preferred exchanger does not answer,
// the next one is tried, and Remote-MTA names the one that answered.
func TestRelay_RFC5321_5_1_NextMXWhenFirstDown(t *testing.T) {
	b := smtptest.NewServer(t)
	a := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"a.test": a.Addr})
	r.Port = portOf(b.Addr)
	r.Resolver = fakeResolver{
		mx: map[string][]*net.MX{"b.test": {{Host: "down.b.test", Pref: 5}, {Host: "up.b.test", Pref: 10}}},
		// Nothing listens on 127.0.0.2 at that port: refused.
		hosts: map[string][]string{"down.b.test": {"127.0.0.2"}, "up.b.test": {"127.0.0.1"}},
	}
	enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test", smtp.NotifySuccess))
	run(t, r)
	assert.Equal(t, testMsg, string(waitMessages(t, b, 1)[0].Data))
	rep := parseDSN(t, waitMessages(t, a, 1)[0].Data)
	assert.Equal(t, "dns; up.b.test", rep.recipients[0].Get("Remote-MTA"))
}

// Messages due for one destination share a connection (RFC 5321 section
// 4.5.4.1).
func TestRelay_ReusesConnection(t *testing.T) {
	b := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": b.Addr})
	r.MaxPerDestination = 1
	for range 3 {
		enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	}
	run(t, r)
	msgs := waitMessages(t, b, 3)
	assert.Equal(t, msgs[0].RemoteAddr, msgs[1].RemoteAddr)
	assert.Equal(t, msgs[0].RemoteAddr, msgs[2].RemoteAddr)
}

// RFC 3207: STARTTLS is used when offered; with TLSRequired a server
// without it gets nothing and the mail waits (4.7.10).
func TestRelay_RFC3207_STARTTLS(t *testing.T) {
	tlsB := smtptest.NewServer(t, smtptest.WithTLS())
	plain := smtptest.NewServer(t)

	r := newRelay(t, map[string]string{"b.test": tlsB.Addr})
	enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	run(t, r)
	assert.NotNil(t, waitMessages(t, tlsB, 1)[0].TLS, "opportunistic TLS")

	req := newRelay(t, map[string]string{"b.test": tlsB.Addr, "c.test": plain.Addr})
	req.TLS = TLSRequired
	req.TLSConfig = tlsB.ClientTLSConfig()
	enqueue(t, req.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	id := enqueue(t, req.Queue, "alice@a.test", testMsg, rcpt("carol@c.test"))
	run(t, req)
	assert.NotNil(t, waitMessages(t, tlsB, 2)[1].TLS, "verified TLS")
	list := waitQueue(t, req.Queue, func(l []*queue.Entry) bool {
		return len(l) == 1 && l[0].Recipients[0].Attempts > 0
	})
	assert.Equal(t, id, list[0].ID)
	assert.Equal(t, smtp.EnhancedCode{4, 7, 10}, list[0].Recipients[0].Reply.Enhanced)
	assert.Empty(t, plain.Messages())
}

// RFC 1870: a message larger than the server's SIZE fails at once with
// 5.3.4 without being sent.
func TestRelay_RFC1870_TooBig(t *testing.T) {
	b := smtptest.NewServer(t, smtptest.WithServer(func(s *smtp.Server) { s.MaxMessageBytes = 10 }))
	a := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": b.Addr, "a.test": a.Addr})
	enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	run(t, r)
	rep := parseDSN(t, waitMessages(t, a, 1)[0].Data)
	waitQueue(t, r.Queue, empty)
	assert.Equal(t, "5.3.4", rep.recipients[0].Get("Status"))
	assert.Empty(t, b.Messages())
}

func portOf(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		panic(errors.New("bad address " + addr))
	}
	return p
}
