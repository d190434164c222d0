package imap_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/servertest"
)

// fuzzBackend is the fuzzed server's backend: each input gets a store of
// its own, so that what earlier inputs did (a COPY 1:* INBOX doubles the
// mailbox every time it runs) cannot slow the later ones down.
type fuzzBackend struct {
	store atomic.Pointer[imapmem.Backend]
}

func (b *fuzzBackend) Login(ctx context.Context, c *imap.Conn, username, password string) (imap.User, error) {
	return b.store.Load().Login(ctx, c, username, password)
}

// FuzzServerSession feeds arbitrary bytes to a session, in the
// not-authenticated state and after LOGIN and SELECT, and requires that
// the server neither panics nor hangs: it must end the session once the
// input ends, within the connection's deadline.
func FuzzServerSession(f *testing.F) {
	servertest.TranscriptSeeds(f, nil, func(_ byte, input string) {
		f.Add(false, input)
		f.Add(true, input)
	})
	f.Add(true, "a FETCH 1:* (BODY[1.2.HEADER.FIELDS (A B)]<0.5> BODYSTRUCTURE ENVELOPE)\r\nb IDLE\r\nDONE\r\n")
	f.Add(true, "a APPEND INBOX {5+}\r\nabcde\r\nb SEARCH OR (FROM x) NOT (TEXT {2+}\r\nyz) UID 1:*\r\n")

	var msgs [][]byte
	for _, name := range []string{"simple.eml", "multipart.eml", "forward.eml"} {
		data, err := os.ReadFile(filepath.Join("testdata/server/messages", name))
		if err != nil {
			f.Fatal(err)
		}
		msgs = append(msgs, data)
	}
	backend := new(fuzzBackend)
	log := &servertest.PanicLog{}
	addr := servertest.Serve(f, &imap.Server{Backend: backend, AllowInsecureAuth: true, MaxLiteralSize: 1 << 16, Logger: log.Logger()})

	f.Fuzz(func(t *testing.T, selected bool, input string) {
		store := imapmem.New()
		store.AddUser("alice", "pass")
		for _, data := range msgs {
			store.Append("alice", "INBOX", data, nil, time.Now())
		}
		backend.store.Store(store)
		nc, err := net.Dial("tcp", addr)
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
		if log.Panics() > 0 {
			t.Fatalf("server panicked on %q", input)
		}
	})
}
