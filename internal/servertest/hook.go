package servertest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// Hooks are a protocol's cases of the BeforeCommand family.
type Hooks struct {
	// Runs is a command that runs when the hook returns nil (its Name is
	// not used); the hook then drops the connection at that command.
	Runs HookCase
	// Refusal is the protocol's reply value the hook returns instead of
	// running a command (a *Reply, a *Response, a *StatusResponse), and
	// Refused the cases in which it does.
	Refusal error
	Refused []HookCase
	// Drop is the protocol's ErrDropConnection.
	Drop error
}

// HookCase is one session of the BeforeCommand family.
type HookCase struct {
	// Name names the subtest.
	Name string
	// Verb is the Verb of the command that the hook answers for; it lets
	// every other command run.
	Verb any
	// Send is what the client sends once greeted.
	Send string
	// Want are the replies that follow, exactly (Protocol.Reply).
	Want []string
	// First is the Command the hook sees first.
	First any
}

// BeforeCommand: the hook sees each command the state allows; the reply
// it returns is sent instead of running the command, and the protocol's
// ErrDropConnection or any other error closes the connection without a
// reply.
func BeforeCommand(t *testing.T, p Protocol) {
	h := p.Hooks
	runs := h.Runs
	runs.Name = "nil runs the command"
	drop := h.Runs
	drop.Name, drop.Want = "ErrDropConnection", []string{""} // closed
	other := drop
	other.Name = "another error"
	cases := []hookRun{{runs, nil}, {drop, h.Drop}, {other, errors.New("policy store down")}}
	for _, c := range h.Refused {
		cases = append(cases, hookRun{c, h.Refusal})
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) { hookSession(t, p, tc.HookCase, tc.err) })
	}
}

// hookRun is a HookCase and what the hook returns in it.
type hookRun struct {
	HookCase
	err error
}

// hookSession runs c against a server whose hook returns err for c.Verb.
func hookSession(t *testing.T, p Protocol, c HookCase, err error) {
	first := make(chan any, 1)
	srv := p.Start(t, Config{BeforeCommand: func(verb, cmd any) error {
		select {
		case first <- cmd:
		default:
		}
		if verb == c.Verb {
			return err
		}
		return nil
	}})
	s := p.Greeted(t, srv.Addr, "127.0.0.1")
	s.Send(c.Send)
	for _, want := range c.Want {
		require.Equal(t, want, s.Reply())
	}
	require.Equal(t, c.First, <-first)
}
