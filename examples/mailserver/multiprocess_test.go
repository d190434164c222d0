package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/smtp"
)

// The folders of the multi-process test besides INBOX.
const (
	mpCopies = "Copies"
	mpMoved  = "Moved"
)

var mpFolders = []string{"INBOX", mpCopies, mpMoved}

// TestMultiProcess_RFC3501_2_3_1_1 runs two mailserver processes and a
// Dovecot on one Maildir while eight writers deliver, append, copy,
// move, expunge and flag messages through all three. Afterwards every
// server shows the same UIDVALIDITY, UIDs, messages and flags in every
// folder (RFC 3501 section 2.3.1.1: a UID names one message for as long
// as the UIDVALIDITY holds), every acknowledged change is there exactly
// once, and each session saw its APPENDUIDs rise. Then the same again
// with one mailserver process killed with SIGKILL halfway through: what
// was acknowledged before the kill is still there exactly once, and a new
// process on the same files agrees with the others.
func TestMultiProcess_RFC3501_2_3_1_1(t *testing.T) {
	for _, kill := range []bool{false, true} {
		t.Run(map[bool]string{false: "all live", true: "kill -9"}[kill], func(t *testing.T) {
			w := startMultiProcess(t)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			killed := make(chan struct{})
			if kill {
				a := w.a
				time.AfterFunc(1500*time.Millisecond, func() {
					_ = a.kill()
					close(killed)
				})
			}
			w.runWriters(ctx, t)
			if kill {
				<-killed
				w.a = startChildAsNobody(t, w.bin, w.root)
			}
			w.check(t)
		})
	}
}

// mpWorld is the three servers on one Maildir.
type mpWorld struct {
	root, bin string
	a, b      *child
	// Dovecot's IMAP and POP3 addresses and its configuration (for
	// dovecot-lda).
	dovecot, dovecotPOP3, dovecotConf string

	mu     sync.Mutex
	tokens map[string]*mpExpect
}

// mpExpect is what a writer's acknowledged steps say of one message:
// the folders it must be in, those it may be in (a step was under way
// when its server died or the time was up), and flags it must have.
type mpExpect struct {
	want, allow map[string]bool
	flags       []imap.Flag
}

func startMultiProcess(t *testing.T) *mpWorld {
	t.Helper()
	peertest.Need(t, "/usr/sbin/dovecot")
	if os.Geteuid() != 0 {
		t.Skip("the servers run as nobody beside Dovecot: needs root")
	}
	root := t.TempDir()
	chownNobody(t, root)
	w := &mpWorld{root: root, bin: nobodyBinary(t), tokens: map[string]*mpExpect{}}
	w.a = startChildAsNobody(t, w.bin, root)
	w.b = startChildAsNobody(t, w.bin, root)
	c := imapLogin(t, w.a.addrs["imap"], "alice", "secret", nil)
	for _, f := range mpFolders[1:] {
		require.NoError(t, c.Create(context.Background(), f))
	}
	chownNobody(t, root)
	d := dovecottest.Start(t, dovecottest.Config{
		Protocols:    []string{"imap", "pop3"},
		MailLocation: "maildir:" + root + "/%u/Maildir",
		Extra:        "postmaster_address = postmaster@example.test\nnamespace inbox {\n  inbox = yes\n  separator = /\n}\n",
	})
	w.dovecot, w.dovecotPOP3, w.dovecotConf = d.IMAP, d.POP3, d.Conf
	return w
}

// nobodyBinary copies the test binary where the user nobody can run it.
func nobodyBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	src, err := os.Open(os.Args[0])
	require.NoError(t, err)
	defer src.Close()
	bin := filepath.Join(dir, "mailserver.test")
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
	return bin
}

// startChildAsNobody runs a mailserver process on the Maildir as the
// user Dovecot runs mail as, so that both can change the same files.
func startChildAsNobody(t *testing.T, bin, root string) *child {
	t.Helper()
	u, err := user.Lookup("nobody")
	require.NoError(t, err)
	g, err := user.LookupGroup("nogroup")
	require.NoError(t, err)
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(g.Gid)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return startChildCmd(t, cmd, root)
}

// expect records what a step means for token. It is called with
// allowed before the step and with done after its acknowledgement.
func (w *mpWorld) expect(token string, change func(e *mpExpect)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	e := w.tokens[token]
	if e == nil {
		e = &mpExpect{want: map[string]bool{}, allow: map[string]bool{}}
		w.tokens[token] = e
	}
	change(e)
}

// step runs one acknowledged change of token: before it, the folders in
// may holds the message or not; once do succeeds, after says where it is.
func (w *mpWorld) step(token string, may []string, do func() error, after func(e *mpExpect)) error {
	w.expect(token, func(e *mpExpect) {
		for _, f := range may {
			e.allow[f] = true
		}
	})
	if err := do(); err != nil {
		return err
	}
	w.expect(token, after)
	return nil
}

// runWriters runs the eight writers until ctx ends or their server dies.
func (w *mpWorld) runWriters(ctx context.Context, t *testing.T) {
	writers := []struct {
		name string
		run  func(ctx context.Context, t *testing.T, name string)
	}{
		{"smtp-a", func(ctx context.Context, t *testing.T, n string) { w.deliver(ctx, n, w.a) }},
		{"smtp-b", func(ctx context.Context, t *testing.T, n string) { w.deliver(ctx, n, w.b) }},
		{"append-a", func(ctx context.Context, t *testing.T, n string) { w.imapWriter(ctx, t, n, w.a.addrs["imap"], nil) }},
		{"append-dovecot", func(ctx context.Context, t *testing.T, n string) { w.imapWriter(ctx, t, n, w.dovecot, nil) }},
		{"copy-dovecot", func(ctx context.Context, t *testing.T, n string) { w.imapWriter(ctx, t, n, w.dovecot, w.copyStep) }},
		{"move-b", func(ctx context.Context, t *testing.T, n string) {
			w.imapWriter(ctx, t, n, w.b.addrs["imap"], w.moveStep)
		}},
		{"expunge-a", func(ctx context.Context, t *testing.T, n string) {
			w.imapWriter(ctx, t, n, w.a.addrs["imap"], w.expungeStep)
		}},
		{"store-b", func(ctx context.Context, t *testing.T, n string) {
			w.imapWriter(ctx, t, n, w.b.addrs["imap"], w.storeStep)
		}},
	}
	var wg sync.WaitGroup
	for _, wr := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wr.run(ctx, t, wr.name)
		}()
	}
	wg.Wait()
}

func mpMessage(token string) string {
	return "From: carol@example.org\r\nTo: alice@example.test\r\nSubject: " + token +
		"\r\n\r\nbody of " + token + "\r\n"
}

// deliver sends messages over SMTP until ctx ends or the server fails.
func (w *mpWorld) deliver(ctx context.Context, name string, srv *child) {
	for i := 0; ctx.Err() == nil; i++ {
		token := fmt.Sprintf("%s-%d", name, i)
		err := w.step(token, []string{"INBOX"}, func() error {
			return smtp.SendMail(ctx, srv.addrs["smtp"], nil, "carol@example.org",
				[]string{"alice@example.test"}, strings.NewReader(mpMessage(token)), nil)
		}, func(e *mpExpect) { e.want["INBOX"] = true })
		if err != nil {
			return
		}
	}
}

// mpStep is what an IMAP writer does to a message it appended to INBOX
// and selected, with uid its UID there.
type mpStep func(ctx context.Context, c *imap.Client, token string, uid uint32) error

// imapWriter appends messages to INBOX, then runs then on each, until
// ctx ends or the server fails. Within the session the APPENDUIDs must
// rise under one UIDVALIDITY (RFC 4315 section 3, RFC 3501 2.3.1.1).
func (w *mpWorld) imapWriter(ctx context.Context, t *testing.T, name, addr string, then mpStep) {
	c, err := imap.Dial(ctx, addr, nil)
	if err != nil {
		return
	}
	defer c.Close()
	if c.Login(ctx, "alice", "secret") != nil {
		return
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		return
	}
	var last imap.AppendData
	for i := 0; ctx.Err() == nil; i++ {
		token := fmt.Sprintf("%s-%d", name, i)
		msg := mpMessage(token)
		var got *imap.AppendData
		err := w.step(token, []string{"INBOX"}, func() (err error) {
			got, err = c.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil)
			return err
		}, func(e *mpExpect) { e.want["INBOX"] = true })
		if err != nil {
			return
		}
		if last.UID != 0 && (got.UIDValidity != last.UIDValidity || got.UID <= last.UID) {
			t.Errorf("%s: APPENDUID %d %d after %d %d", name, got.UIDValidity, got.UID, last.UIDValidity, last.UID)
		}
		last = *got
		if then != nil && then(ctx, c, token, got.UID) != nil {
			return
		}
	}
}

func (w *mpWorld) copyStep(ctx context.Context, c *imap.Client, token string, uid uint32) error {
	return w.step(token, []string{mpCopies}, func() error {
		_, err := c.UIDCopy(ctx, imap.SeqSetNum(uid), mpCopies)
		return err
	}, func(e *mpExpect) { e.want[mpCopies] = true })
}

func (w *mpWorld) moveStep(ctx context.Context, c *imap.Client, token string, uid uint32) error {
	w.expect(token, func(e *mpExpect) { e.allow["INBOX"] = true; e.want["INBOX"] = false })
	return w.step(token, []string{mpMoved}, func() error {
		_, err := c.UIDMove(ctx, imap.SeqSetNum(uid), mpMoved)
		return err
	}, func(e *mpExpect) { e.want[mpMoved] = true; e.allow["INBOX"] = false })
}

func (w *mpWorld) expungeStep(ctx context.Context, c *imap.Client, token string, uid uint32) error {
	w.expect(token, func(e *mpExpect) { e.allow["INBOX"] = true; e.want["INBOX"] = false })
	return w.step(token, nil, func() error {
		if _, err := c.UIDStore(ctx, imap.SeqSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect(); err != nil {
			return err
		}
		_, err := c.UIDExpunge(ctx, imap.SeqSetNum(uid))
		return err
	}, func(e *mpExpect) { e.allow["INBOX"] = false })
}

func (w *mpWorld) storeStep(ctx context.Context, c *imap.Client, token string, uid uint32) error {
	flags := []imap.Flag{"$Label1", imap.FlagFlagged}
	return w.step(token, nil, func() error {
		_, err := c.UIDStore(ctx, imap.SeqSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: flags}, nil).Collect()
		return err
	}, func(e *mpExpect) { e.flags = flags })
}

// mpEntry is one message as a server lists it.
type mpEntry struct {
	UID   uint32
	Token string
	Flags []imap.Flag
}

// mpView is a folder as one server shows it.
type mpView struct {
	Validity uint32
	Messages []mpEntry
}

func readView(t *testing.T, addr, folder string) mpView {
	t.Helper()
	ctx := context.Background()
	c := imapLogin(t, addr, "alice", "secret", nil)
	defer c.Logout(ctx)
	sel, err := c.Select(ctx, folder, &imap.SelectOptions{ReadOnly: true})
	require.NoError(t, err)
	v := mpView{Validity: sel.UIDValidity}
	if sel.NumMessages == 0 {
		return v
	}
	msgs, err := c.Fetch(ctx, imap.SeqSetRange(1, sel.NumMessages), &imap.FetchOptions{UID: true, Flags: true, Envelope: true}).Collect()
	require.NoError(t, err)
	for _, m := range msgs {
		flags := slices.DeleteFunc(slices.Clone(m.Flags), func(f imap.Flag) bool { return f == imap.FlagRecent })
		slices.Sort(flags)
		if len(flags) == 0 {
			flags = nil
		}
		v.Messages = append(v.Messages, mpEntry{UID: m.UID, Token: m.Envelope.Subject, Flags: flags})
	}
	return v
}

// settle waits until the folders stop changing: a command whose client
// gave up when the time was up may still be running in its server.
func (w *mpWorld) settle(t *testing.T) {
	t.Helper()
	read := func() []mpView {
		var views []mpView
		for _, folder := range mpFolders {
			views = append(views, readView(t, w.dovecot, folder))
		}
		return views
	}
	last := read()
	for range 50 {
		time.Sleep(200 * time.Millisecond)
		now := read()
		if reflect.DeepEqual(now, last) {
			return
		}
		last = now
	}
	t.Fatal("the folders were still changing 10 s after the writers stopped")
}

// check compares the three servers' views and the writers' records.
func (w *mpWorld) check(t *testing.T) {
	w.settle(t)
	servers := map[string]string{"mailserver a": w.a.addrs["imap"], "mailserver b": w.b.addrs["imap"], "dovecot": w.dovecot}
	total := 0
	for _, folder := range mpFolders {
		want := readView(t, w.dovecot, folder)
		for name, addr := range servers {
			require.Equal(t, want, readView(t, addr, folder), "%s shows %s otherwise than Dovecot", name, folder)
		}
		count := map[string]int{}
		for _, m := range want.Messages {
			count[m.Token]++
			e := w.tokens[m.Token]
			require.NotNil(t, e, "%s holds %q, which no writer wrote", folder, m.Token)
			for _, f := range e.flags {
				require.Contains(t, m.Flags, f, "%s UID %d (%s) lost its flags", folder, m.UID, m.Token)
			}
		}
		for token, e := range w.tokens {
			n := count[token]
			require.LessOrEqual(t, n, 1, "%s holds %s %d times", folder, token, n)
			if e.want[folder] {
				require.Equal(t, 1, n, "%s lost %s, which was acknowledged", folder, token)
			} else if !e.allow[folder] {
				require.Zero(t, n, "%s holds %s, which should not be there", folder, token)
			}
		}
		total += len(want.Messages)
	}
	t.Logf("%d writer messages, %d messages in %d folders, the same on 3 servers", len(w.tokens), total, len(mpFolders))
}
