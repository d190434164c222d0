package pop3

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// TestBeforeCommand: the hook sees each command the state allows; a
// *Response it returns is sent instead of running the command, and
// ErrDropConnection or any other error closes the connection without a
// reply (the same test in smtp and imap).
func TestBeforeCommand(t *testing.T) {
	later := ErrResponse(CodeSysTemp, "Try later")
	for _, tc := range []struct {
		name string
		verb Verb
		err  error
		send string
		want []string // responses after the greeting; "" for a closed connection
	}{
		{"nil runs the command", VerbUSER, nil, "USER alice\r\n", []string{"+OK Send PASS"}},
		{"a response instead", VerbUSER, later, "USER alice\r\nNOOP\r\n",
			[]string{"-ERR [SYS/TEMP] Try later", "-ERR NOOP not allowed in the AUTHORIZATION state"}},
		{"ErrDropConnection", VerbUSER, ErrDropConnection, "USER alice\r\n", []string{""}},
		{"another error", VerbUSER, errors.New("policy store down"), "USER alice\r\n", []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := make(chan Command, 1)
			_, _, addr := guessServer(t, func(s *Server) {
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
			require.True(t, strings.HasPrefix(readLine(br), "+OK"))
			io.WriteString(nc, tc.send)
			for _, want := range tc.want {
				require.Equal(t, want, readLine(br))
			}
			require.Equal(t, Command{Verb: VerbUSER, Args: []string{"alice"}}, <-first)
		})
	}
}
