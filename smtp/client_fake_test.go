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

	"github.com/mailwire/mailwire/internal/testutil"
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
	f.done = make(chan struct{})
	addr = testutil.ServeOnce(t, func(conn net.Conn) {
		defer close(f.done)
		f.serve(conn)
	})
	return addr, func() { <-f.done }
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

// fakeSession is one connection to the fake server: its buffers, which a
// STARTTLS replaces, and the transaction being built.
type fakeSession struct {
	f    *fakeServer
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	msg  fakeMessage
	inTx bool
}

func (f *fakeServer) serve(conn net.Conn) {
	s := &fakeSession{f: f}
	s.use(conn)
	greeting := f.greeting
	if greeting == "" {
		greeting = "220 fake.test ESMTP"
	}
	if !s.say(greeting) || !strings.HasPrefix(greeting, "220") {
		return
	}
	for {
		line, err := s.br.ReadString('\n')
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
		reply, ok := s.scripted(line)
		if !ok {
			verb, arg, _ := strings.Cut(line, " ")
			reply, ok = s.handle(strings.ToUpper(verb), arg)
		}
		if !ok || (reply != "" && !s.say(reply)) || strings.HasPrefix(reply, "421") {
			return
		}
	}
}

// use puts the session's buffers on conn, recording what it reads.
func (s *fakeSession) use(conn net.Conn) {
	s.conn = conn
	s.br = bufio.NewReader(teeConn{conn, s.f})
	s.bw = bufio.NewWriter(conn)
}

// say writes the reply lines of r, "\n"-separated, and flushes them.
func (s *fakeSession) say(r string) bool {
	for _, l := range strings.Split(r, "\n") {
		s.bw.WriteString(l + "\r\n")
	}
	return s.bw.Flush() == nil
}

// scripted answers a line the test gave a reply for; a scripted BDAT
// still consumes its chunk.
func (s *fakeSession) scripted(line string) (string, bool) {
	r, ok := s.f.replies[line]
	if ok && strings.HasPrefix(line, "BDAT ") {
		n, _ := strconv.Atoi(strings.Fields(line)[1])
		io.CopyN(io.Discard, s.br, int64(n))
	}
	return r, ok
}

// handle answers one command with the reply to send ("" when it was sent
// already); false ends the session.
func (s *fakeSession) handle(verb, arg string) (string, bool) {
	switch verb {
	case "EHLO", "LHLO":
		return s.f.ehlo(arg), true
	case "HELO":
		return "250 fake.test", true
	case "MAIL":
		s.msg, s.inTx = fakeMessage{from: arg}, true
		return "250 2.1.0 Ok", true
	case "RCPT":
		if !s.inTx {
			return "503 5.5.1 Need MAIL", true
		}
		s.msg.to = append(s.msg.to, arg)
		return "250 2.1.5 Ok", true
	case "DATA":
		return s.data()
	case "BDAT":
		return s.bdat(arg)
	case "RSET":
		s.msg, s.inTx = fakeMessage{}, false
		return "250 2.0.0 Ok", true
	case "NOOP":
		return "250 2.0.0 Ok", true
	case "VRFY":
		return "252 2.0.0 Cannot VRFY user", true
	case "QUIT":
		s.say("221 2.0.0 Bye")
		return "", false
	case "STARTTLS":
		return "", s.startTLS()
	case "AUTH":
		return s.f.auth(arg, s.br, s.say), true
	case "*":
		return "501 5.7.0 Authentication cancelled", true
	}
	return "500 5.5.2 Unknown command", true
}

// ehlo builds the EHLO reply from the extensions the test set; without
// any the server is an RFC 821 one that knows only HELO.
func (f *fakeServer) ehlo(arg string) string {
	if f.ext == nil {
		return "502 5.5.1 EHLO not implemented"
	}
	lines := append([]string{"fake.test greets " + arg}, f.ext...)
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		lines[i] = "250" + sep + l
	}
	return strings.Join(lines, "\n")
}

// data reads a dot-terminated message and records it, ended or not.
func (s *fakeSession) data() (string, bool) {
	if len(s.msg.to) == 0 && !s.f.lenientData {
		return "503 5.5.1 Need RCPT", true
	}
	s.inTx = false
	if !s.say("354 End data with <CR><LF>.<CR><LF>") {
		return "", false
	}
	s.msg.data, s.msg.ended = readDotted(s.br)
	s.record()
	if !s.msg.ended {
		return "", false
	}
	return s.f.verdict(s.msg), true
}

// bdat reads one chunk (RFC 3030 2); the LAST one ends the message.
func (s *fakeSession) bdat(arg string) (string, bool) {
	fields := strings.Fields(arg)
	n, _ := strconv.Atoi(fields[0])
	chunk := make([]byte, n)
	if _, err := io.ReadFull(s.br, chunk); err != nil {
		return "", false
	}
	s.msg.data += string(chunk)
	if len(fields) == 1 {
		return "250 2.0.0 Chunk accepted", true
	}
	s.inTx, s.msg.ended = false, true
	s.record()
	return s.f.verdict(s.msg), true
}

// record keeps the message for the test.
func (s *fakeSession) record() {
	s.f.mu.Lock()
	s.f.messages = append(s.f.messages, s.msg)
	s.f.mu.Unlock()
}

// startTLS answers 220 (with what the test appends to it) and runs the
// server handshake.
func (s *fakeSession) startTLS() bool {
	if !s.say("220 2.0.0 Ready to start TLS" + s.f.afterSTARTTLS) {
		return false
	}
	tc := tls.Server(s.conn, s.f.tls)
	if err := tc.Handshake(); err != nil {
		return false
	}
	s.use(tc)
	return true
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
