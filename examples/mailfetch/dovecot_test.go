package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startDovecot starts a private Dovecot (internal/dovecottest) with
// alice/secret, whose Maildir holds files (name in new/ or cur/ ->
// contents, LF line ends as Dovecot writes them), and a Trash folder. It
// returns the IMAP address (STARTTLS), the CA file to trust and the
// Maildir.
func startDovecot(t *testing.T, files map[string]string) (addr, caFile, maildir string) {
	t.Helper()
	seeded := make(map[string]string, len(files))
	for name, data := range files {
		seeded["alice/"+name] = data
	}
	s := dovecottest.Start(t, dovecottest.Config{
		Protocols: []string{"imap"},
		Files:     seeded,
		Extra: `namespace inbox {
  inbox = yes
  separator = /
  mailbox Trash {
    special_use = \Trash
    auto = create
  }
}
`,
	})
	return s.IMAP, s.CAFile, s.Maildir("alice")
}

// listed drops the UIDVALIDITY, which Dovecot draws from the clock, from
// a line of -list and joins the rest with single spaces.
func listed(line string) string {
	f := strings.Fields(line)
	if len(f) != 5 {
		return line
	}
	return strings.Join(append(f[:3], f[4]), " ")
}

// Against a real Dovecot over STARTTLS (RFC 3501 section 6.2.1): the
// files mailfetch writes equal Dovecot's own Maildir files byte for byte,
// flags keep their info letters (\Seen S, \Flagged F, \Answered R), a
// second run fetches nothing, -list shows the STATUS counts, and -delete
// (UID EXPUNGE, RFC 4315) empties the server's INBOX.
func TestDovecot_RFC3501(t *testing.T) {
	msgs := map[string]string{
		"new/1700000001.M1P1.test":      "Subject: one\nFrom: a@example.test\n\nfirst\n",
		"cur/1700000002.M2P1.test:2,S":  "Subject: two\n\n.leading dot\n\xc3\xa9 8-bit\n",
		"cur/1700000003.M3P1.test:2,FR": "Subject: three\n\nthird\n",
	}
	addr, ca, maildir := startDovecot(t, msgs)
	dir := t.TempDir()
	args := []string{"-imap", addr, "-user", "alice", "-pass", "secret", "-starttls", "-cafile", ca}

	code, stdout, stderr := runCmd(append(args, "-dir", dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 3 new messages, 0 already present, 0 deleted\n", stdout)
	var want []string
	for _, m := range msgs {
		want = append(want, m)
	}
	assert.ElementsMatch(t, want, stored(t, dir))
	assert.Equal(t, []string{msgs["new/1700000001.M1P1.test"]}, files(t, dir, "new"))
	cur, err := os.ReadDir(filepath.Join(dir, "cur"))
	require.NoError(t, err)
	var info []string
	for _, e := range cur {
		_, i, _ := strings.Cut(e.Name(), ":2,")
		info = append(info, i)
	}
	assert.ElementsMatch(t, []string{"S", "FR"}, info)

	code, stdout, stderr = runCmd(append(args, "-dir", dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 0 new messages, 3 already present, 0 deleted\n", stdout)

	code, stdout, stderr = runCmd(append(args, "-list")...)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 3, stdout)
	assert.Equal(t, "MESSAGES UNSEEN UIDNEXT UIDVALIDITY  MAILBOX", lines[0])
	assert.ElementsMatch(t, []string{"3 2 4 INBOX", "0 0 1 Trash"},
		[]string{listed(lines[1]), listed(lines[2])})

	code, stdout, stderr = runCmd(append(args, "-dir", dir, "-delete")...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 0 new messages, 3 already present, 3 deleted\n", stdout)
	for _, sub := range []string{"new", "cur"} {
		left, err := os.ReadDir(filepath.Join(maildir, sub))
		require.NoError(t, err)
		assert.Empty(t, left, sub)
	}
}
