package imap_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
)

// panicHandler is a slog handler that counts the server's panic reports.
type panicHandler struct{ panics *atomic.Int64 }

func (h panicHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h panicHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		h.panics.Add(1)
	}
	return nil
}
func (h panicHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panicHandler) WithGroup(string) slog.Handler      { return h }

// FuzzServerSession feeds arbitrary bytes to a session, in the
// not-authenticated state and after LOGIN and SELECT, and requires that
// the server neither panics nor hangs: it must end the session once the
// input ends.
func FuzzServerSession(f *testing.F) {
	files, _ := filepath.Glob("testdata/server/*.txt")
	for _, file := range files {
		raw, _ := os.ReadFile(file)
		var sb strings.Builder
		for _, line := range strings.Split(string(raw), "\n") {
			if c, ok := strings.CutPrefix(line, "C: "); ok {
				sb.WriteString(unescape(c) + "\r\n")
			}
		}
		f.Add(false, sb.String())
		f.Add(true, sb.String())
	}
	f.Add(true, "a FETCH 1:* (BODY[1.2.HEADER.FIELDS (A B)]<0.5> BODYSTRUCTURE ENVELOPE)\r\nb IDLE\r\nDONE\r\n")
	f.Add(true, "a APPEND INBOX {5+}\r\nabcde\r\nb SEARCH OR (FROM x) NOT (TEXT {2+}\r\nyz) UID 1:*\r\n")

	store := imapmem.New()
	store.AddUser("alice", "pass")
	for _, name := range []string{"simple.eml", "multipart.eml", "forward.eml"} {
		data, err := os.ReadFile(filepath.Join("testdata/server/messages", name))
		if err != nil {
			f.Fatal(err)
		}
		store.Append("alice", "INBOX", data, nil, time.Now())
	}
	var panics atomic.Int64
	srv := &imap.Server{Backend: store, AllowInsecureAuth: true, MaxLiteralSize: 1 << 16,
		Logger: slog.New(panicHandler{&panics})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	go srv.Serve(l)
	f.Cleanup(func() { srv.Close() })

	f.Fuzz(func(t *testing.T, selected bool, input string) {
		nc, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		prefix := ""
		if selected {
			prefix = "p1 LOGIN alice pass\r\np2 SELECT INBOX\r\n"
		}
		done := make(chan error, 1)
		go func() {
			_, err := io.Copy(io.Discard, nc)
			done <- err
		}()
		nc.Write([]byte(prefix + input))
		nc.(*net.TCPConn).CloseWrite()
		if err := <-done; err != nil {
			t.Fatalf("session did not end: %v", err)
		}
		if panics.Load() > 0 {
			t.Fatalf("server panicked on %q", input)
		}
	})
}
