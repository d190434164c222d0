package smtp_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/smtp"
)

// discardBackend accepts everything and reads each message into nothing,
// as the benchmark harness's go-smtp peer does, so the benchmarks measure
// the server alone.
type discardBackend struct{}

func (discardBackend) NewSession(context.Context, *smtp.Conn) (smtp.Session, error) {
	return discardSession{}, nil
}

type discardSession struct{}

func (discardSession) Mail(context.Context, string, *smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(context.Context, string, *smtp.RcptOptions) error { return nil }
func (discardSession) Reset(ctx context.Context)                             {}
func (discardSession) Logout(ctx context.Context) error                      { return nil }
func (discardSession) Data(ctx context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

// startBenchServer serves discardBackend on 127.0.0.1.
func startBenchServer(b *testing.B) string {
	b.Helper()
	srv := &smtp.Server{Domain: "bench.test", Backend: discardBackend{}}
	return servertest.Serve(b, srv)
}

// benchMessage is a message of about size octets of 76-character lines,
// as base64 bodies have, already dot-stuffed and ended by the "." line.
func benchMessage(size int) []byte {
	var sb strings.Builder
	sb.WriteString("From: a@x.test\r\nTo: b@y.test\r\nSubject: bench\r\n\r\n")
	line := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 3)[:76] + "\r\n"
	for sb.Len() < size {
		sb.WriteString(line)
	}
	sb.WriteString(".\r\n")
	return []byte(sb.String())
}

// benchClient is a raw SMTP client that pipelines MAIL, RCPT and DATA in
// one write (RFC 2920 3.1), then sends the message once 354 came.
type benchClient struct {
	nc net.Conn
	br *bufio.Reader
}

func dialBench(b *testing.B, addr string) *benchClient {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Error(err)
		return nil
	}
	c := &benchClient{nc: nc, br: bufio.NewReader(nc)}
	c.write(b, "EHLO bench.test\r\n")
	c.expect(b, 2) // greeting, EHLO
	return c
}

func (c *benchClient) write(b *testing.B, s string) {
	if _, err := io.WriteString(c.nc, s); err != nil {
		b.Error(err)
	}
}

// expect reads n replies, multi-line ones whole, and checks each is 2xx or 3xx.
func (c *benchClient) expect(b *testing.B, n int) {
	for n > 0 {
		line, err := c.br.ReadSlice('\n')
		if err != nil || len(line) < 4 || line[0] > '3' {
			b.Errorf("reply %q: %v", line, err)
			return
		}
		if line[3] == ' ' {
			n--
		}
	}
}

const envelope = "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n"

// send delivers one message in a transaction.
func (c *benchClient) send(b *testing.B, msg []byte) {
	c.write(b, envelope)
	c.expect(b, 3)
	if _, err := c.nc.Write(msg); err != nil {
		b.Error(err)
	}
	c.expect(b, 1)
}

// ingest sends b.N messages over conns connections.
func ingest(b *testing.B, conns, size int) {
	addr := startBenchServer(b)
	msg := benchMessage(size)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range conns {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dialBench(b, addr)
			if c == nil {
				return
			}
			defer c.nc.Close()
			for range n {
				c.send(b, msg)
			}
			c.write(b, "QUIT\r\n")
			c.expect(b, 1)
		}()
	}
	wg.Wait()
}

// Loopback ingest through smtp.Server: one 10 KB message per operation
// over four sessions that each send one transaction after another.
func BenchmarkServerIngest_10K(b *testing.B) { ingest(b, 4, 10<<10) }

// One session, 1 MB messages: the DATA reader's cost per octet.
func BenchmarkServerIngest_1M(b *testing.B) { ingest(b, 1, 1<<20) }

// A new connection per 2 KB message (connect, EHLO, one transaction,
// QUIT): the per-session cost.
func BenchmarkServerIngest_NewConn2K(b *testing.B) {
	addr := startBenchServer(b)
	msg := benchMessage(2 << 10)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c := dialBench(b, addr)
		if c == nil {
			return
		}
		c.send(b, msg)
		c.write(b, "QUIT\r\n")
		c.expect(b, 1)
		c.nc.Close()
	}
}
