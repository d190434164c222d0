package smtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the Client against this package's Server over loopback:
// the two were written from the RFCs by different hands, so each checks the
// other's reading of the wire.

type interopMessage struct {
	from     string
	to       []string
	opts     MailOptions
	data     []byte
	identity string
	tls      bool
}

type interopBackend struct {
	mu      sync.Mutex
	msgs    []interopMessage
	discard bool // keep nothing, for benchmarks
}

func (b *interopBackend) messages() []interopMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]interopMessage(nil), b.msgs...)
}

type interopSession struct {
	b    *interopBackend
	conn *Conn
	msg  interopMessage
}

func (s *interopSession) AuthPlain(ctx context.Context, identity, user, pass string) error {
	if user == "alice" && pass == "secret" {
		return nil
	}
	return errors.New("bad credentials")
}

func (s *interopSession) Mail(ctx context.Context, from string, opts *MailOptions) error {
	s.msg = interopMessage{from: from, opts: *opts}
	return nil
}

func (s *interopSession) Rcpt(ctx context.Context, to string, _ *RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return NewReply(CodeMailboxUnavailable, EnhancedCode{5, 1, 1}, "No such user")
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *interopSession) Data(ctx context.Context, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.msg
	m.data, m.identity, m.tls = data, s.conn.Identity(), s.conn.TLS() != nil
	s.b.mu.Lock()
	if !s.b.discard {
		s.b.msgs = append(s.b.msgs, m)
	}
	s.b.mu.Unlock()
	return nil
}

func (s *interopSession) LMTPData(ctx context.Context, r io.Reader, status *LMTPStatus) error {
	if err := s.Data(ctx, r); err != nil {
		return err
	}
	for _, to := range s.msg.to {
		if strings.HasPrefix(to, "full@") {
			status.Set(to, NewReply(CodeInsufficientStorage, EnhancedCode{4, 2, 2}, "Mailbox full"))
		}
	}
	return nil
}

func (s *interopSession) Reset(ctx context.Context)        { s.msg = interopMessage{} }
func (s *interopSession) Logout(ctx context.Context) error { return nil }

func startInteropServer(t testing.TB, srv *Server) (string, *interopBackend) {
	t.Helper()
	b := &interopBackend{}
	srv.Domain = "mx.test"
	srv.AuthFailureDelay = -1 // failed AUTHs answered at once
	srv.Backend = BackendFunc(func(_ context.Context, c *Conn) (Session, error) { return &interopSession{b: b, conn: c}, nil })
	return servertest.Serve(t, srv), b
}

func TestClientServer_StartTLSAuthSend(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	addr, b := startInteropServer(t, &Server{TLSConfig: pair.ServerConfig(), AuthRequired: true})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, "client.test"))
	assert.False(t, c.Supports("AUTH"), "no AUTH offered in cleartext")
	require.NoError(t, c.StartTLS(ctx, pair.ClientConfig()))
	assert.True(t, c.Supports("AUTH"))
	r := asReply(t, c.Auth(ctx, PlainAuth("", "alice", "wrong")))
	assert.Equal(t, CodeAuthInvalid, r.Code)
	require.NoError(t, c.Auth(ctx, LoginAuth("alice", "secret")))

	msg := "Subject: interop\r\n\r\n.dot\r\n"
	err = c.Send(ctx, "a@client.test", []string{"b@mx.test", "nobody@mx.test"}, strings.NewReader(msg), &MailOptions{Size: int64(len(msg)), Body: Body8BitMIME})
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Delivered)
	require.NoError(t, c.Quit(ctx))

	m := b.messages()[0]
	assert.Equal(t, msg, string(m.data))
	assert.Equal(t, []string{"b@mx.test"}, m.to)
	assert.Equal(t, "alice", m.identity)
	assert.True(t, m.tls)
	assert.Equal(t, Body8BitMIME, m.opts.Body)
	assert.EqualValues(t, len(msg), m.opts.Size)
}

func TestClientServer_RFC3030_BinaryMIME(t *testing.T) {
	addr, b := startInteropServer(t, &Server{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, ""))
	require.True(t, c.Supports("CHUNKING"), "our server offers CHUNKING (RFC 3030)")
	body := bytes.Repeat([]byte("\x00\xff\r.\n"), 100000) // 500 kB, spans chunks
	require.NoError(t, c.Send(ctx, "a@client.test", []string{"b@mx.test"}, bytes.NewReader(body), &MailOptions{Body: BodyBinaryMIME}))
	require.NoError(t, c.Quit(ctx))
	assert.Equal(t, body, b.messages()[0].data)
}

func TestClientServer_RFC2033_LMTP(t *testing.T) {
	addr, b := startInteropServer(t, &Server{LMTP: true})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	c, err := NewLMTPClient(ctx, conn, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, ""))
	err = c.Send(ctx, "a@client.test", []string{"b@mx.test", "full@mx.test", "nobody@mx.test"}, strings.NewReader("x\r\n"), nil)
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Delivered)
	require.Len(t, se.Failed, 2)
	assert.Equal(t, "nobody@mx.test", se.Failed[0].Recipient)
	assert.Equal(t, "full@mx.test", se.Failed[1].Recipient)
	assert.Equal(t, CodeInsufficientStorage, se.Failed[1].Reply.Code)
	require.NoError(t, c.Quit(ctx))
	assert.Len(t, b.messages(), 1)
}

// BenchmarkClientSend measures a whole pipelined transaction (MAIL, two
// RCPTs, DATA, a 4 kB message) from the client's side, over loopback to
// this package's Server.
func BenchmarkClientSend(b *testing.B) {
	addr, backend := startInteropServer(b, &Server{})
	backend.mu.Lock()
	backend.discard = true
	backend.mu.Unlock()
	ctx := context.Background()
	c, err := Dial(ctx, addr, nil)
	require.NoError(b, err)
	defer c.Close()
	require.NoError(b, c.Hello(ctx, ""))
	msg := []byte("Subject: bench\r\n\r\n" + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n", 64))
	r := bytes.NewReader(msg)
	to := []string{"a@mx.test", "b@mx.test"}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		r.Reset(msg)
		if err := c.Send(ctx, "bench@client.test", to, r, nil); err != nil {
			b.Fatal(err)
		}
	}
}
