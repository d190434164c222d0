package pop3_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
)

// TestServerTranscripts plays testdata/transcripts/server/*.txt, exchanges
// like those of RFC 1939 section 10, in the format internal/transcript
// documents. Options that start with a capital letter set the Server field
// of that name; the others:
//
//	@ tls                          STLS offered (RFC 2595 section 4)
//	@ user alice secret            a user and password (also APOP secret)
//	@ msg alice Subject: a\r\n     a message preloaded for the user
//	@ fail RETR -ERR [SYS/TEMP] x  pop3test.FailCommand with that response
//	@ faildelete                   pop3test.FailDelete
//
// ${timestamp} matches the greeting's <...> (RFC 1939 section 7) and
// ${apop SECRET} is the APOP digest of that timestamp and SECRET. Checks:
//
//	= uids alice m2,m3             the maildrop holds these messages, once
//	                               every session has ended
//	= deleted alice m1             UPDATE removed these messages
func TestServerTranscripts(t *testing.T) {
	transcript.Server{Start: startTranscriptServer, Placeholders: transcript.Placeholders{
		Patterns: map[string]string{"timestamp": `<[^<>]+@[^<>]+>`},
		Funcs: map[string]func(map[string]string, string) (string, error){
			"apop": func(vars map[string]string, secret string) (string, error) {
				return pop3.APOPDigest(vars["timestamp"], secret), nil
			},
		},
	}}.Run(t, "testdata/transcripts/server/*.txt")
}

func startTranscriptServer(t testing.TB, opts []transcript.Option) (*transcript.Target, error) {
	var fields []transcript.Option
	serverOpts := []pop3test.Option{}
	var users []string // in order, as WithUser keeps them
	passwords, msgs := map[string]string{}, map[string][][]byte{}
	var after []func(*pop3test.Server)
	for _, o := range opts {
		f := strings.Fields(o.Arg)
		switch {
		case o.IsField():
			if err := transcript.SetField(&pop3.Server{}, o); err != nil {
				return nil, err
			}
			fields = append(fields, o)
		case o.Name == "tls":
			serverOpts = append(serverOpts, pop3test.WithTLS())
		case o.Name == "user" && len(f) == 2:
			users, passwords[f[0]] = append(users, f[0]), f[1]
		case o.Name == "msg" && len(f) > 0:
			user, msg, _ := strings.Cut(o.Arg, " ")
			msgs[user] = append(msgs[user], []byte(msg))
		case o.Name == "fail" && len(f) > 1:
			cmd, err := pop3.ParseCommand([]byte(f[0]))
			if err != nil {
				return nil, o.Errorf("%v", err)
			}
			resp, err := pop3.ParseResponse([]byte(strings.TrimPrefix(o.Arg, f[0]+" ")))
			if err != nil {
				return nil, o.Errorf("%v", err)
			}
			after = append(after, func(s *pop3test.Server) { s.FailCommand(cmd.Verb, resp) })
		case o.Name == "faildelete":
			after = append(after, func(s *pop3test.Server) { s.FailDelete(errors.New("disk full")) })
		default:
			return nil, o.Errorf("unknown option, or wrong arguments")
		}
	}
	config := pop3test.WithServer(func(s *pop3.Server) {
		s.Domain, s.CommandTimeout = "pop.test", 10*time.Second
		for _, o := range fields {
			transcript.SetField(s, o) // checked above
		}
	})
	for _, u := range users {
		serverOpts = append(serverOpts, pop3test.WithUser(u, passwords[u], msgs[u]...))
	}
	ts := pop3test.NewServer(t, append(serverOpts, config, pop3test.WithInsecureAuth())...)
	for _, f := range after {
		f(ts)
	}
	return &transcript.Target{Addr: ts.Addr, TLS: ts.ClientTLSConfig(),
		Check: func(name, arg string) error { return checkTranscript(t, ts, name, arg) }}, nil
}

// checkTranscript answers a transcript's "=" line.
func checkTranscript(t testing.TB, ts *pop3test.Server, name, arg string) error {
	user, list, _ := strings.Cut(arg, " ")
	want := []string{}
	if list != "" {
		want = strings.Split(list, ",")
	}
	var got []string
	switch name {
	case "uids":
		if err := ts.WaitIdle(testutil.Context(t)); err != nil {
			return err
		}
		got = ts.UIDs(user)
	case "deleted":
		got = ts.Deleted(user)
	default:
		return fmt.Errorf("unknown check %q", name)
	}
	if !slices.Equal(want, got) {
		return fmt.Errorf("want %v, got %v", want, got)
	}
	return nil
}
