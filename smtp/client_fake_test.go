package smtp

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeServer is a small scripted SMTP/LMTP server for the client tests. It
// is written independently of Server so that the client is checked against
// the RFC's wire format, not against this package's own reading of it. It
// answers every command with a plausible reply unless a line in replies
// overrides it, and records what it received.
type fakeServer struct {
	ext     []string          // EHLO keywords; nil answers 502 to EHLO
	replies map[string]string // exact command line -> raw reply lines ("\n"-separated)
	lmtp    bool
	tls     *tls.Config
	// afterSTARTTLS, if set, is sent right after the 220 to STARTTLS.
	afterSTARTTLS string
	// lmtpRefuse makes the LMTP data verdict 550 for these recipients.
	lmtpRefuse map[string]bool
	// lenientData answers 354 to DATA even with no recipient, as a
	// broken server might (RFC 2920 3.1 tells the client what to do then).
	lenientData bool
	// silent makes the server read but never answer after the greeting.
	silent   bool
	greeting string

	mu       sync.Mutex
	lines    []string // every command line received, in order
	messages []fakeMessage
	raw      bytes.Buffer // every octet received
	done     chan struct{}
}

type fakeMessage struct {
	from  string
	to    []string
	data  string
	ended bool // the terminator or BDAT LAST arrived
}

// recConn records each Write of the client, to check what went out in
// which write.
type recConn struct {
	net.Conn
	mu     sync.Mutex
	writes []string
}

func (r *recConn) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.writes = append(r.writes, string(p))
	r.mu.Unlock()
	return r.Conn.Write(p)
}

func (r *recConn) Writes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

// start serves one connection over net.Pipe and returns the client end.
func (f *fakeServer) start(t *testing.T) *recConn {
	t.Helper()
	cc, sc := net.Pipe()
	f.done = make(chan struct{})
	go func() {
		defer close(f.done)
		defer sc.Close()
		f.serve(sc)
	}()
	t.Cleanup(func() {
		cc.Close()
		<-f.done
	})
	return &recConn{Conn: cc}
}

// listen serves one TCP connection on a loopback address and returns the
// address, for Dial and SendMail. wait returns once that connection has
// ended, so that Lines then holds everything the client sent.
func (f *fakeServer) listen(t *testing.T) (addr string, wait func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.done = make(chan struct{})
	go func() {
		defer close(f.done)
		conn, err := l.Accept()
		l.Close()
		if err != nil {
			return
		}
		defer conn.Close()
		f.serve(conn)
	}()
	t.Cleanup(func() {
		l.Close()
		<-f.done
	})
	return l.Addr().String(), func() { <-f.done }
}

// teeConn records the octets the server reads.
type teeConn struct {
	net.Conn
	f *fakeServer
}

func (c teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.f.mu.Lock()
	c.f.raw.Write(p[:n])
	c.f.mu.Unlock()
	return n, err
}

func (f *fakeServer) serve(conn net.Conn) {
	br := bufio.NewReader(teeConn{conn, f})
	bw := bufio.NewWriter(conn)
	say := func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			bw.WriteString(l + "\r\n")
		}
		return bw.Flush() == nil
	}
	greeting := f.greeting
	if greeting == "" {
		greeting = "220 fake.test ESMTP"
	}
	if !say(greeting) || !strings.HasPrefix(greeting, "220") {
		return
	}
	var msg fakeMessage
	inTx := false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\r\n")
		f.mu.Lock()
		f.lines = append(f.lines, line)
		f.mu.Unlock()
		if f.silent {
			continue
		}
		if r, ok := f.replies[line]; ok {
			if strings.HasPrefix(line, "BDAT ") {
				n, _ := strconv.Atoi(strings.Fields(line)[1])
				io.CopyN(io.Discard, br, int64(n))
			}
			if !say(r) || strings.HasPrefix(r, "421") {
				return
			}
			continue
		}
		verb, arg, _ := strings.Cut(line, " ")
		var reply string
		switch strings.ToUpper(verb) {
		case "EHLO", "LHLO":
			if f.ext == nil {
				reply = "502 5.5.1 EHLO not implemented"
				break
			}
			lines := append([]string{"fake.test greets " + arg}, f.ext...)
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				lines[i] = "250" + sep + l
			}
			reply = strings.Join(lines, "\n")
		case "HELO":
			reply = "250 fake.test"
		case "MAIL":
			msg = fakeMessage{from: arg}
			inTx = true
			reply = "250 2.1.0 Ok"
		case "RCPT":
			if !inTx {
				reply = "503 5.5.1 Need MAIL"
				break
			}
			msg.to = append(msg.to, arg)
			reply = "250 2.1.5 Ok"
		case "DATA":
			if len(msg.to) == 0 && !f.lenientData {
				reply = "503 5.5.1 Need RCPT"
				break
			}
			inTx = false
			if !say("354 End data with <CR><LF>.<CR><LF>") {
				return
			}
			data, ended := readDotted(br)
			msg.data, msg.ended = data, ended
			f.mu.Lock()
			f.messages = append(f.messages, msg)
			f.mu.Unlock()
			if !ended {
				return
			}
			reply = f.verdict(msg)
		case "BDAT":
			fields := strings.Fields(arg)
			n, _ := strconv.Atoi(fields[0])
			chunk := make([]byte, n)
			if _, err := io.ReadFull(br, chunk); err != nil {
				return
			}
			msg.data += string(chunk)
			reply = "250 2.0.0 Chunk accepted"
			if len(fields) > 1 {
				inTx = false
				msg.ended = true
				f.mu.Lock()
				f.messages = append(f.messages, msg)
				f.mu.Unlock()
				reply = f.verdict(msg)
			}
		case "RSET":
			msg = fakeMessage{}
			inTx = false
			reply = "250 2.0.0 Ok"
		case "NOOP":
			reply = "250 2.0.0 Ok"
		case "VRFY":
			reply = "252 2.0.0 Cannot VRFY user"
		case "QUIT":
			say("221 2.0.0 Bye")
			return
		case "STARTTLS":
			if !say("220 2.0.0 Ready to start TLS" + f.afterSTARTTLS) {
				return
			}
			tc := tls.Server(conn, f.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn = tc
			br = bufio.NewReader(teeConn{tc, f})
			bw = bufio.NewWriter(tc)
			continue
		case "AUTH":
			reply = f.auth(arg, br, say)
		case "*":
			reply = "501 5.7.0 Authentication cancelled"
		default:
			reply = "500 5.5.2 Unknown command"
		}
		if !say(reply) {
			return
		}
	}
}

// verdict answers the end of a message: one reply, or one per recipient
// for LMTP (RFC 2033 4.2).
func (f *fakeServer) verdict(m fakeMessage) string {
	if !f.lmtp {
		return "250 2.0.0 Ok: queued as 1234"
	}
	var out []string
	for _, to := range m.to {
		addr := strings.TrimSuffix(strings.TrimPrefix(strings.Fields(to)[0], "TO:<"), ">")
		if f.lmtpRefuse[addr] {
			out = append(out, "550 5.1.1 <"+addr+"> mailbox full")
		} else {
			out = append(out, "250 2.1.5 <"+addr+"> delivered")
		}
	}
	return strings.Join(out, "\n")
}

// auth accepts PLAIN with "\0alice\0secret" and LOGIN alice/secret.
func (f *fakeServer) auth(arg string, br *bufio.Reader, say func(string) bool) string {
	mech, ir, hasIR := strings.Cut(arg, " ")
	next := func(challenge string) (string, bool) {
		if !say("334 " + challenge) {
			return "", false
		}
		l, err := br.ReadString('\n')
		l = strings.TrimSuffix(l, "\r\n")
		f.mu.Lock()
		f.lines = append(f.lines, l)
		f.mu.Unlock()
		return l, err == nil && l != "*"
	}
	dec := func(s string) string {
		if s == "=" {
			return ""
		}
		b, _ := base64.StdEncoding.DecodeString(s)
		return string(b)
	}
	switch strings.ToUpper(mech) {
	case "PLAIN":
		if !hasIR {
			var ok bool
			if ir, ok = next(""); !ok {
				return "501 5.7.0 Authentication cancelled"
			}
		}
		if dec(ir) == "\x00alice\x00secret" {
			return "235 2.7.0 Authentication successful"
		}
	case "LOGIN":
		user, ok := next(base64.StdEncoding.EncodeToString([]byte("Username:")))
		if !ok {
			return "501 5.7.0 Authentication cancelled"
		}
		pass, ok := next(base64.StdEncoding.EncodeToString([]byte("Password:")))
		if !ok {
			return "501 5.7.0 Authentication cancelled"
		}
		if dec(user) == "alice" && dec(pass) == "secret" {
			return "235 2.7.0 Authentication successful"
		}
	case "X-NOTBASE64":
		if _, ok := next("not base64!"); !ok {
			return "501 5.7.0 Authentication cancelled"
		}
	}
	return "535 5.7.8 Authentication credentials invalid"
}

// readDotted reads a DATA stream up to CRLF.CRLF and unstuffs it; ended is
// false when the connection closed first.
func readDotted(br *bufio.Reader) (string, bool) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			b.WriteString(line)
			return b.String(), false
		}
		if line == ".\r\n" {
			return b.String(), true
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}

func (f *fakeServer) Lines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lines...)
}

func (f *fakeServer) Messages() []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeMessage(nil), f.messages...)
}

func (f *fakeServer) Raw() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.raw.String()
}

// standardExt is what a modern submission server advertises.
var standardExt = []string{"PIPELINING", "SIZE 10240000", "8BITMIME", "ENHANCEDSTATUSCODES",
	"SMTPUTF8", "DSN", "CHUNKING", "BINARYMIME", "AUTH PLAIN LOGIN X-NOTBASE64", "STARTTLS"}
