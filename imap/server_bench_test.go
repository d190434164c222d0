package imap_test

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imaptest"
)

// benchMessages lists the messages the benchmarks store: the .eml files
// of the folder MAILWIRE_BENCH_CORPUS names (../shared/bench's gencorpus
// writes realistic ones, some with the words the search benchmarks look
// for), or else the sample messages of testdata.
func benchMessages(b *testing.B) []string {
	dir := os.Getenv("MAILWIRE_BENCH_CORPUS")
	if dir == "" {
		dir = "testdata/server/messages"
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no .eml files in %s", dir)
	}
	return files
}

// benchServer starts a server whose INBOX holds n of the benchmark
// messages, cycling through them, and returns a logged-in connection with
// INBOX selected.
func benchServer(b *testing.B, n int) (net.Conn, *bufio.Reader) {
	var opts []imaptest.Option
	opts = append(opts, imaptest.WithUser("alice", "pass"))
	files := benchMessages(b)
	for i := 0; i < n; i++ {
		data, err := os.ReadFile(files[i%len(files)])
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, imaptest.WithMessage("alice", "INBOX", data))
	}
	srv := imaptest.NewServer(b, append(opts, imaptest.WithInsecureAuth())...)
	nc, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { nc.Close() })
	br := bufio.NewReaderSize(nc, 64<<10)
	br.ReadString('\n')
	benchCmd(b, nc, br, "l", "LOGIN alice pass")
	benchCmd(b, nc, br, "s", "SELECT INBOX")
	return nc, br
}

// benchCmd sends a command and reads to its tagged response.
func benchCmd(b *testing.B, nc net.Conn, br *bufio.Reader, tag, cmd string) {
	nc.SetDeadline(time.Now().Add(time.Minute))
	if _, err := nc.Write([]byte(tag + " " + cmd + "\r\n")); err != nil {
		b.Fatal(err)
	}
	for {
		line, err := br.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull {
			b.Fatal(err)
		}
		if strings.HasPrefix(string(line), tag+" ") {
			if !strings.HasPrefix(string(line), tag+" OK") {
				b.Fatalf("%s: %s", cmd, line)
			}
			return
		}
	}
}

// BenchmarkServerFetch measures FETCH over loopback on 1000 messages,
// the workloads of ../shared/bench (RFC 3501 section 6.4.5).
func BenchmarkServerFetch(b *testing.B) {
	nc, br := benchServer(b, 1000)
	for _, bc := range []struct{ name, items string }{
		{"Metadata", "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)"},
		{"BodyStructure", "(BODYSTRUCTURE)"},
		{"BodyPeek", "(BODY.PEEK[])"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				benchCmd(b, nc, br, "f"+strconv.Itoa(i), "FETCH 1:* "+bc.items)
			}
		})
	}
	// The words of ../shared/bench's search workloads (RFC 3501 section
	// 6.4.4: TEXT searches the header and the decoded text).
	for _, bc := range []struct{ name, criteria string }{
		{"SearchText", "TEXT kumquat"},
		{"SearchBody", "BODY quarterly"},
		{"SearchHeader", "HEADER Subject invoice"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				benchCmd(b, nc, br, "s"+strconv.Itoa(i), "UID SEARCH "+bc.criteria)
			}
		})
	}
	b.Run("Store", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			benchCmd(b, nc, br, "t"+strconv.Itoa(i), "STORE 1:* +FLAGS.SILENT (\\Flagged)")
		}
	})
}

// BenchmarkServerAppend measures APPEND of a small message with a
// non-synchronizing literal (RFC 7888).
func BenchmarkServerAppend(b *testing.B) {
	nc, br := benchServer(b, 0)
	msg, _ := os.ReadFile("testdata/server/messages/multipart.eml")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		benchCmd(b, nc, br, "a"+strconv.Itoa(i), "APPEND INBOX {"+strconv.Itoa(len(msg))+"+}\r\n"+string(msg))
	}
}
