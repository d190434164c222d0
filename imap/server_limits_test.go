package imap_test

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// limitServer starts a server on 127.0.0.1 whose user alice has n
// messages in INBOX, with limits set by set, and returns its address.
func limitServer(t *testing.T, n int, set func(*imap.Server)) string {
	store := imapmem.New()
	store.AddUser("alice", "pass")
	for i := 0; i < n; i++ {
		_, err := store.Append("alice", imap.Inbox, sample("m"+strconv.Itoa(i)), nil, time.Now())
		require.NoError(t, err)
	}
	srv := &imap.Server{Backend: store, AllowInsecureAuth: true, AuthFailureDelay: -1}
	if set != nil {
		set(srv)
	}
	return servertest.Serve(t, srv)
}

// stuffedLiterals returns n non-synchronizing literals of size bytes,
// each preceded by prefix: the shape of the attack that reset the
// command's budget at every literal.
func stuffedLiterals(n, size int, prefix string) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(prefix + "{" + strconv.Itoa(size) + "+}\r\n" + strings.Repeat("x", size))
	}
	return sb.String()
}

// untilTagged reads lines up to the one tagged tag or a BYE, and returns
// the last one read.
func (s *rawSession) untilTagged(tag string) string {
	for {
		l := s.line()
		if strings.HasPrefix(l, tag+" ") || strings.HasPrefix(l, "* BYE") {
			return l
		}
	}
}

// TestCommandBudget_RFC7888_4 checks that MaxLineLength bounds a whole
// command, every literal read into memory included, in each place such
// literals are read: ID before login, SEARCH TEXT, LIST patterns and
// HEADER.FIELDS names after. A command of exactly the limit runs; one
// byte less of budget and the session ends with BYE, as Dovecot answers,
// where the literals used to reset the budget and pass.
func TestCommandBudget_RFC7888_4(t *testing.T) {
	tests := []struct {
		name  string
		login bool
		cmd   string
	}{
		{"ID", false, `ID (` + stuffedLiterals(3, 500, `"k" `) + `)`},
		{"SEARCH TEXT", true, `SEARCH ` + stuffedLiterals(3, 500, "TEXT ")},
		{"LIST patterns", true, `LIST "" (` + stuffedLiterals(3, 500, "") + `)`},
		{"HEADER.FIELDS", true, `FETCH 1 (BODY.PEEK[HEADER.FIELDS (` + stuffedLiterals(3, 500, "") + `)])`},
	}
	for _, tt := range tests {
		full := "a " + tt.cmd + "\r\n"
		for _, past := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: " at the limit", true: " past it"}[past], func(t *testing.T) {
				limit := len(full)
				if past {
					limit--
				}
				s := dialRaw(t, limitServer(t, 1, func(srv *imap.Server) { srv.MaxLineLength = limit }))
				if tt.login {
					_, resp := s.cmd("l", "LOGIN alice pass")
					require.Contains(t, resp, "l OK")
					_, resp = s.cmd("s", "SELECT INBOX")
					require.Contains(t, resp, "s OK")
				}
				_, _ = s.nc.Write([]byte(full))
				got := s.untilTagged("a")
				if !past {
					assert.True(t, strings.HasPrefix(got, "a OK"), got)
					return
				}
				if strings.HasPrefix(got, "a BAD [LIMIT]") {
					got = s.line()
				}
				assert.True(t, strings.HasPrefix(got, "* BYE"), got)
			})
		}
	}
}

// TestLiteralOverBudget_RFC7888_4 checks the two ways a literal the
// command's budget cannot hold is refused: a synchronizing one with BAD
// [LIMIT] before the continuation request, so its bytes are never sent,
// and the session goes on; a non-synchronizing one, whose bytes are on
// their way and cannot be told from commands, with BYE.
func TestLiteralOverBudget_RFC7888_4(t *testing.T) {
	addr := limitServer(t, 0, func(srv *imap.Server) { srv.MaxLineLength = 1000 })

	s := dialRaw(t, addr)
	// The user name fits; the password's 600 bytes do not fit what is
	// left, though they would fit a budget started afresh.
	_, err := s.nc.Write([]byte("a LOGIN {600+}\r\n" + strings.Repeat("u", 600) + " {600}\r\n"))
	require.NoError(t, err)
	got := s.line()
	assert.True(t, strings.HasPrefix(got, "a BAD [LIMIT]"), "no continuation request first: %q", got)
	_, resp := s.cmd("b", "NOOP")
	assert.Equal(t, "b OK NOOP completed", resp, "the session goes on")
	_, err = s.nc.Write([]byte("c LOGIN {300+}\r\n" + strings.Repeat("u", 300) + " {300}\r\n"))
	require.NoError(t, err)
	assert.Equal(t, "+ Ready for literal data", s.line(), "within the budget")
	_, err = s.nc.Write([]byte(strings.Repeat("p", 300) + "\r\n"))
	require.NoError(t, err)
	assert.Contains(t, s.untilTagged("c"), "c NO", "read in full, then the login fails")

	s = dialRaw(t, addr)
	_, err = s.nc.Write([]byte("a LOGIN {600+}\r\n" + strings.Repeat("u", 600) + " {600+}\r\n"))
	require.NoError(t, err)
	assert.Equal(t, "* BYE [TOOBIG] Literal too large", s.line())
	_, err = s.br.ReadString('\n')
	assert.Error(t, err, "closed")
}

// TestSeqRangesPerCommand_RFC3501_9 checks MaxSeqRanges in every command
// that takes a sequence set: at the limit the command runs, one range
// more gets BAD [LIMIT] and the session goes on. SEARCH counts the ranges
// of all its keys together, which used to pass key by key.
func TestSeqRangesPerCommand_RFC3501_9(t *testing.T) {
	ranges := func(n int, num string) string {
		return strings.TrimSuffix(strings.Repeat(num+",", n), ",")
	}
	tests := []struct {
		name string
		cmd  func(n int) string
	}{
		{"FETCH", func(n int) string { return "FETCH " + ranges(n, "1") + " FLAGS" }},
		{"UID FETCH", func(n int) string { return "UID FETCH " + ranges(n, "1:*") + " UID" }},
		{"STORE", func(n int) string { return "STORE " + ranges(n, "2") + " +FLAGS.SILENT (\\Seen)" }},
		{"COPY", func(n int) string { return "COPY " + ranges(n, "1") + " INBOX" }},
		{"UID MOVE", func(n int) string { return "UID MOVE " + ranges(n, "900") + " INBOX" }},
		{"UID EXPUNGE", func(n int) string { return "UID EXPUNGE " + ranges(n, "900") }},
		{"SEARCH keys", func(n int) string { return "SEARCH " + ranges(50, "1:*") + " UID " + ranges(n-50, "1:*") }},
		{"SEARCH nested", func(n int) string {
			return "SEARCH OR " + ranges(40, "1") + " NOT (UID " + ranges(40, "2") + " " + ranges(n-80, "3") + ")"
		}},
	}
	addr := limitServer(t, 3, func(srv *imap.Server) { srv.MaxSeqRanges = 100 })
	s := dialRaw(t, addr)
	_, resp := s.cmd("l", "LOGIN alice pass")
	require.Contains(t, resp, "l OK")
	_, resp = s.cmd("s", "SELECT INBOX")
	require.Contains(t, resp, "s OK")
	for _, tt := range tests {
		_, resp := s.cmd("a", tt.cmd(100))
		assert.True(t, strings.HasPrefix(resp, "a OK"), "%s at the limit: %s", tt.name, resp)
		_, resp = s.cmd("b", tt.cmd(101))
		assert.Equal(t, "b BAD [LIMIT] Too many sequence ranges in one command", resp, tt.name+" past it")
		_, resp = s.cmd("c", "NOOP")
		assert.Equal(t, "c OK NOOP completed", resp, tt.name)
	}
}

// TestRefusedNestingRestoresDepth_RFC5530_3 checks that a SEARCH refused
// for nesting too deep leaves nothing behind: after 40 of them, a SEARCH
// NOT ALL, well within MaxDepth, runs. The depth used to leak one level
// per refusal until every nested key got BAD [LIMIT].
func TestRefusedNestingRestoresDepth_RFC5530_3(t *testing.T) {
	s := dialRaw(t, limitServer(t, 2, func(srv *imap.Server) { srv.MaxDepth = 8; srv.MaxErrors = 100 }))
	_, resp := s.cmd("l", "LOGIN alice pass")
	require.Contains(t, resp, "l OK")
	_, resp = s.cmd("s", "SELECT INBOX")
	require.Contains(t, resp, "s OK")
	_, resp = s.cmd("a", "SEARCH "+strings.Repeat("NOT ", 7)+"ALL")
	assert.Equal(t, "a OK SEARCH completed", resp, "at the limit: the key and 7 NOTs")
	for i := 0; i < 40; i++ {
		_, resp = s.cmd("b", "SEARCH "+strings.Repeat("NOT ", 8)+"ALL")
		require.Equal(t, "b BAD [LIMIT] Too many nested parentheses", resp, "past it")
	}
	untagged, resp := s.cmd("c", "SEARCH NOT NOT ALL")
	assert.Equal(t, "c OK SEARCH completed", resp)
	assert.Equal(t, []string{"* SEARCH 1 2"}, untagged)
}

// TestSkipStopsAtLimit_RFC3501_7_1_5 checks that after a syntax error
// the rest of the line is skipped under the command's budget: a line
// that goes on without LF gets BAD and BYE as soon as the budget is
// spent, not silence until an LF comes.
func TestSkipStopsAtLimit_RFC3501_7_1_5(t *testing.T) {
	s := dialRaw(t, limitServer(t, 0, nil))
	s.nc.SetDeadline(time.Now().Add(10 * time.Second)) // no hang
	go func() {
		chunk := []byte(strings.Repeat("x", 64<<10))
		if _, err := s.nc.Write([]byte("a NOOP ")); err != nil {
			return
		}
		for i := 0; i < 1600; i++ { // 100 MB, never an LF
			if _, err := s.nc.Write(chunk); err != nil {
				return
			}
		}
	}()
	assert.Equal(t, "a BAD [LIMIT] Command line too long", s.line())
	assert.Equal(t, "* BYE [LIMIT] Command line too long, closing connection", s.line())

	// Within the budget, the skipped line ends the command as before. A
	// connection of its own: the writer above may still be using s.
	s2 := dialRaw(t, limitServer(t, 0, nil))
	_, resp := s2.cmd("a", "NOOP "+strings.Repeat("x", 60<<10))
	assert.True(t, strings.HasPrefix(resp, "a BAD"), resp)
	_, resp = s2.cmd("b", "NOOP")
	assert.Equal(t, "b OK NOOP completed", resp)
}

// TestSeqSetMemory_RFC3501_9 checks that commands taking a sequence set
// work on its ranges: 10,000 copies of "1:*" (at the MaxSeqRanges limit)
// over 2,000 messages allocate a few hundred KB in the whole process, as
// one "1:*" does, where expanding each range into UIDs took 80 MB and
// more per command.
func TestSeqSetMemory_RFC3501_9(t *testing.T) {
	s := dialRaw(t, limitServer(t, 2000, nil))
	_, resp := s.cmd("l", "LOGIN alice pass")
	require.Contains(t, resp, "l OK")
	_, resp = s.cmd("s", "SELECT INBOX")
	require.Contains(t, resp, "s OK")
	set := strings.TrimSuffix(strings.Repeat("1:*,", 10000), ",")
	for _, cmd := range []string{
		"FETCH " + set + " FLAGS",
		"STORE " + set + " +FLAGS.SILENT (\\Seen)",
		"SEARCH " + set,
		"UID SEARCH UID " + set,
		"COPY " + set + " INBOX",
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		untagged, resp := s.cmd("a", cmd)
		runtime.ReadMemStats(&after)
		name, _, _ := strings.Cut(cmd, " 1:*")
		require.True(t, strings.HasPrefix(resp, "a OK"), "%s: %s", name, resp)
		if strings.HasPrefix(cmd, "FETCH") {
			assert.Len(t, untagged, 2000, "each message once")
		}
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), name)
	}
}
