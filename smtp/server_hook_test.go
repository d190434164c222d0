package smtp

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// TestBeforeCommand: the hook sees each command the state allows; a
// *Reply it returns is sent instead of running the command (a refused
// BDAT chunk is read and thrown away, RFC 3030 section 2, so the
// session stays in step), and ErrDropConnection or any other error
// closes the connection without a reply (the same test in pop3 and
// imap).
func TestBeforeCommand(t *testing.T) {
	later := NewReply(CodeLocalError, EnhancedCode{4, 3, 0}, "Try later")
	for _, tc := range []struct {
		name string
		verb Verb
		err  error
		send string
		want []string // replies after EHLO; "" for a closed connection
	}{
		{"nil runs the command", VerbNOOP, nil, "NOOP\r\n", []string{"250 2.0.0 OK"}},
		{"a reply instead", VerbMAIL, later, "MAIL FROM:<a@b.test>\r\nNOOP\r\n",
			[]string{"451 4.3.0 Try later", "250 2.0.0 OK"}},
		{"a refused chunk is skipped", VerbBDAT, later, "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT 5 LAST\r\nhelloNOOP\r\n",
			[]string{"250 2.1.0 Sender OK", "250 2.1.5 Recipient OK", "451 4.3.0 Try later", "250 2.0.0 OK"}},
		{"ErrDropConnection", VerbNOOP, ErrDropConnection, "NOOP\r\n", []string{""}},
		{"another error", VerbNOOP, errors.New("policy store down"), "NOOP\r\n", []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := make(chan Command, 1)
			_, _, addr := submission(t, func(s *Server) {
				s.AuthRequired = false
				s.BeforeCommand = func(_ *Conn, cmd Command) error {
					select {
					case first <- cmd:
					default:
					}
					if cmd.Verb == tc.verb {
						return tc.err
					}
					return nil
				}
			})
			nc, br := attack.DialFrom(t, "127.0.0.1", addr)
			nc.SetDeadline(time.Now().Add(5 * time.Second))
			require.True(t, hello(nc, br))
			io.WriteString(nc, tc.send)
			for _, want := range tc.want {
				require.Equal(t, want, lastLine(br))
			}
			require.Equal(t, Command{Verb: VerbEHLO, Arg: "client.test"}, <-first)
		})
	}
}
