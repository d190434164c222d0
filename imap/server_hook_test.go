package imap

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
// *StatusResponse it returns is sent as the tagged reply instead of
// running the command (its arguments are skipped), and
// ErrDropConnection or any other error closes the connection without a
// reply (the same test in smtp and pop3).
func TestBeforeCommand(t *testing.T) {
	later := &StatusResponse{Type: StatusNO, Code: CodeUnavailable, Text: "Try later"}
	for _, tc := range []struct {
		name    string
		command Verb
		err     error
		send    string
		want    []string // tagged responses after the greeting; "" for a closed connection
	}{
		{"nil runs the command", VerbNOOP, nil, "a NOOP\r\n", []string{"a OK NOOP completed"}},
		{"a response instead", VerbLOGIN, later, "a LOGIN alice secret\r\na NOOP\r\n",
			[]string{"a NO [UNAVAILABLE] Try later", "a OK NOOP completed"}},
		{"ErrDropConnection", VerbNOOP, ErrDropConnection, "a NOOP\r\n", []string{""}},
		{"another error", VerbNOOP, errors.New("policy store down"), "a NOOP\r\n", []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := make(chan Command, 1)
			_, addr := guessServer(t, func(s *Server) {
				s.BeforeCommand = func(_ *Conn, cmd Command) error {
					select {
					case first <- cmd:
					default:
					}
					if cmd.Verb == tc.command {
						return tc.err
					}
					return nil
				}
			})
			nc, br := attack.DialFrom(t, "127.0.0.1", addr)
			nc.SetDeadline(time.Now().Add(5 * time.Second))
			require.True(t, strings.HasPrefix(readLine(br), "* OK"))
			io.WriteString(nc, tc.send)
			for _, want := range tc.want {
				require.Equal(t, want, tagged(br))
			}
			fields := strings.Fields(tc.send)
			require.Equal(t, Command{Tag: fields[0], Verb: lookupVerb("", []byte(fields[1]))}, <-first)
		})
	}
}
