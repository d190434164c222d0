package imap_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/stretchr/testify/require"
)

// twoSessions logs two sessions in and selects INBOX, holding two
// messages; b's SELECT comes second.
func twoSessions(t *testing.T, opts ...imaptest.Option) (*imaptest.Server, *rawSession, *rawSession) {
	opts = append([]imaptest.Option{imaptest.WithUser("alice", "pass"),
		imaptest.WithMessage("alice", "INBOX", sample("one")),
		imaptest.WithMessage("alice", "INBOX", sample("two"))}, opts...)
	srv := imaptest.NewServer(t, append(opts, imaptest.WithInsecureAuth())...)
	a, b := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	for _, s := range []*rawSession{a, b} {
		_, done := s.cmd("l", "LOGIN alice pass")
		require.Contains(t, done, "l OK")
		_, done = s.cmd("s", "SELECT INBOX")
		require.Contains(t, done, "s OK")
	}
	return srv, a, b
}

// TestUpdatesExistsFirst_RFC3501_7_3_1: what another session does to a
// message this one has not been told of reaches it in one batch; nothing
// names the message before the EXISTS that announces it (RFC 3501
// sections 7.3.1 and 7.4.1, RFC 2180 section 4), and a message that came
// and went in between is not named at all. Session b, notified of message
// 3 first, holds its \Recent (section 2.3.2), so a counts two.
func TestUpdatesExistsFirst_RFC3501_7_3_1(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []string // b's commands after the delivery of message 3
		want []string // a's NOOP
	}{
		{"flags changed", []string{"NOOP", `STORE 3 +FLAGS (\Flagged)`}, []string{"* 3 EXISTS", "* 2 RECENT"}},
		{"flags changed and expunged", []string{"NOOP", `STORE 3 +FLAGS.SILENT (\Deleted)`, "EXPUNGE"}, nil},
		{"known message changed too", []string{"NOOP", `STORE 2:3 +FLAGS (\Flagged)`},
			[]string{`* 2 FETCH (FLAGS (\Flagged \Recent))`, "* 3 EXISTS", "* 2 RECENT"}},
		{"known message expunged too", []string{"NOOP", `STORE 1,3 +FLAGS.SILENT (\Deleted)`, "EXPUNGE"},
			[]string{"* 1 FETCH (FLAGS (\\Deleted \\Recent))", "* 1 EXPUNGE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, a, b := twoSessions(t)
			_, err := srv.Deliver("alice", "INBOX", sample("three"))
			require.NoError(t, err)
			for i, c := range tc.b {
				_, done := b.cmd("b"+string(rune('0'+i)), c)
				require.Contains(t, done, " OK ", c)
			}
			untagged, done := a.cmd("n", "NOOP")
			require.Equal(t, tc.want, untagged)
			require.Equal(t, "n OK NOOP completed", done)
		})
	}
}

// TestExpungeBeforeHeard_RFC3501_6_4_3: EXPUNGE removes every \Deleted
// message, also one the session has not heard of yet; that message is
// not announced afterwards as if it still existed, so the session's
// count stays that of the mailbox.
func TestExpungeBeforeHeard_RFC3501_6_4_3(t *testing.T) {
	srv, a, b := twoSessions(t)
	_, err := srv.Deliver("alice", "INBOX", sample("three"))
	require.NoError(t, err)
	b.cmd("b1", "NOOP")
	b.cmd("b2", `STORE 3 +FLAGS.SILENT (\Deleted)`)
	untagged, done := a.cmd("x", "EXPUNGE")
	require.Empty(t, untagged)
	require.Equal(t, "x OK EXPUNGE completed", done)
	untagged, done = a.cmd("f", "FETCH 1:* (UID)")
	require.Equal(t, []string{"* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)"}, untagged)
	require.Equal(t, "f OK FETCH completed", done)
	untagged, _ = b.cmd("b3", "NOOP")
	require.Equal(t, []string{"* 3 EXPUNGE"}, untagged)
}

// failOpen is a backend whose messages with UID failUID cannot be
// opened: Message.Open answers err.
type failOpen struct {
	imap.Backend
	failUID uint32
	err     error
}

func (b failOpen) Login(ctx context.Context, c *imap.Conn, user, pass string) (imap.User, error) {
	u, err := b.Backend.Login(ctx, c, user, pass)
	return failUser{u, b}, err
}

type failUser struct {
	imap.User
	b failOpen
}

func (u failUser) Open(ctx context.Context, name string, readOnly bool) (imap.Mailbox, *imap.MailboxView, error) {
	mb, view, err := u.User.Open(ctx, name, readOnly)
	return failMailbox{mb, u.b}, view, err
}

type failMailbox struct {
	imap.Mailbox
	b failOpen
}

func (m failMailbox) Messages(ctx context.Context, uids []uint32) ([]imap.Message, error) {
	msgs, err := m.Mailbox.Messages(ctx, uids)
	for i, msg := range msgs {
		if msg.UID() == m.b.failUID {
			msgs[i] = failMessage{msg, m.b.err}
		}
	}
	return msgs, err
}

type failMessage struct {
	imap.Message
	err error
}

func (m failMessage) Open(context.Context) (imap.MessageReader, error) { return nil, m.err }

// TestFetchOpenFails_RFC3501_7_4_2: a message the backend cannot open
// gets no FETCH response at all rather than half a line with the tagged
// reply inside it. One that is gone (NO [EXPUNGEISSUED] from Open) is
// skipped and FETCH ends OK [EXPUNGEISSUED] (RFC 2180 section 4.1, RFC
// 5530); any other error ends NO [SERVERBUG], and the session goes on.
func TestFetchOpenFails_RFC3501_7_4_2(t *testing.T) {
	for _, tc := range []struct {
		name, items string
		err         error
		done        string
	}{
		{"expunged, body", "(UID BODY.PEEK[])", &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeExpungeIssued, Text: "gone"},
			"f OK [EXPUNGEISSUED] Some messages were expunged; FETCH completed"},
		{"expunged, structure", "(UID BODYSTRUCTURE)", &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeExpungeIssued, Text: "gone"},
			"f OK [EXPUNGEISSUED] Some messages were expunged; FETCH completed"},
		{"broken, body", "(UID FLAGS BODY.PEEK[])", errors.New("disk on fire"), "f NO [SERVERBUG] Internal error, try again later"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pass"),
				imaptest.WithMessage("alice", "INBOX", sample("one")),
				imaptest.WithMessage("alice", "INBOX", sample("two")),
				imaptest.WithServer(func(s *imap.Server) { s.Backend = failOpen{s.Backend, 2, tc.err} }))
			a := dialRaw(t, srv.Addr)
			a.nc.SetDeadline(time.Now().Add(5 * time.Second))
			a.cmd("l", "LOGIN alice pass")
			a.cmd("s", "SELECT INBOX")
			untagged, done := a.cmd("f", "FETCH 1:2 "+tc.items)
			require.Equal(t, tc.done, done)
			for _, l := range untagged {
				require.False(t, strings.HasPrefix(l, "* 2 "), "no response for message 2: %q", untagged)
			}
			if !strings.Contains(tc.done, "SERVERBUG") {
				require.True(t, strings.HasPrefix(untagged[0], "* 1 FETCH (UID 1 "), untagged[0])
			}
			_, done = a.cmd("n", "NOOP")
			require.Equal(t, "n OK NOOP completed", done)
		})
	}
}
