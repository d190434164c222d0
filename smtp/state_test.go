package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestTransition_RFC5321_4_1_4_EveryStateVerbAndOutcome checks every
// state x verb x outcome against rules written out here by hand from RFC
// 5321 3.3, 4.1.1 and 4.1.4, RFC 3030 2, RFC 3207 4.2 and RFC 4954 4,
// independently of the code that builds the package's table: the legal
// verbs of each state, the moves that change the state, OutcomeClosed to
// StateClosed from everywhere, and every other input keeping the state.
func TestTransition_RFC5321_4_1_4_EveryStateVerbAndOutcome(t *testing.T) {
	const (
		G = StateGreeted
		R = StateReady
		M = StateMail
		P = StateRcpt
		B = StateBDAT
		C = StateClosed
	)
	always := []Verb{VerbEHLO, VerbHELO, VerbLHLO, VerbNOOP, VerbHELP, VerbVRFY, VerbEXPN, VerbRSET, VerbQUIT}
	legal := map[State][]Verb{
		G: always,
		R: append([]Verb{VerbMAIL, VerbSTARTTLS, VerbAUTH}, always...),
		M: append([]Verb{VerbRCPT}, always...),
		P: append([]Verb{VerbRCPT, VerbDATA, VerbBDAT}, always...),
		B: append([]Verb{VerbBDAT}, always...),
		C: nil,
	}
	type input struct {
		s State
		v Verb
		o Outcome
	}
	moves := map[input]State{
		{R, VerbMAIL, OutcomeAccepted}:       M,
		{M, VerbRCPT, OutcomeAccepted}:       P,
		{P, VerbBDAT, OutcomeAccepted}:       B, // RFC 3030 2
		{P, VerbDATA, OutcomeMessageEnded}:   R, // 4.1.1.4: whatever the answer
		{P, VerbBDAT, OutcomeMessageEnded}:   R,
		{B, VerbBDAT, OutcomeMessageEnded}:   R,
		{B, VerbBDAT, OutcomeRefused}:        R, // RFC 3030 2: the transaction failed
		{R, VerbSTARTTLS, OutcomeTLSStarted}: G, // RFC 3207 4.2
	}
	for _, s := range []State{G, R, M, P, B} {
		for _, v := range []Verb{VerbEHLO, VerbHELO, VerbLHLO} {
			moves[input{s, v, OutcomeAccepted}] = R // 4.1.4: a greeting resets
		}
		moves[input{s, VerbQUIT, OutcomeAccepted}] = C // 4.1.1.10
		if s != G {
			moves[input{s, VerbRSET, OutcomeAccepted}] = R // 4.1.1.5
		}
	}
	allVerbs := []Verb{VerbUnknown, VerbEHLO, VerbHELO, VerbLHLO, VerbMAIL, VerbRCPT, VerbDATA, VerbBDAT,
		VerbRSET, VerbNOOP, VerbQUIT, VerbVRFY, VerbEXPN, VerbHELP, VerbSTARTTLS, VerbAUTH}
	allOutcomes := []Outcome{OutcomeAccepted, OutcomeRefused, OutcomeTLSStarted, OutcomeClosed, OutcomeMessageEnded}
	assert.Len(t, allVerbs, int(numVerbs), "a verb was added: extend this test")
	assert.Len(t, allOutcomes, int(numOutcomes), "an outcome was added: extend this test")
	assert.Len(t, legal, int(numStates), "a state was added: extend this test")
	inputs := 0
	for s, verbs := range legal {
		isLegal := map[Verb]bool{}
		for _, v := range verbs {
			isLegal[v] = true
		}
		for _, v := range allVerbs {
			assert.Equal(t, isLegal[v], Allowed(s, v), "Allowed(%s, %s)", s, v)
			for _, o := range allOutcomes {
				inputs++
				want, moved := moves[input{s, v, o}]
				switch {
				case o == OutcomeClosed:
					want = C
				case !moved:
					want = s
				}
				got, ok := Transition(s, v, o)
				assert.Equal(t, isLegal[v], ok, "%s in state %s: legal", v, s)
				assert.Equal(t, want, got, "%s %s in state %s: next state", v, o, s)
			}
		}
	}
	assert.Equal(t, 480, inputs)
}

// TestTransition_OutOfRange: inputs outside the table change nothing.
func TestTransition_OutOfRange(t *testing.T) {
	servertest.Unchanged(t, Transition, []servertest.Input[State, Verb, Outcome]{
		{S: numStates, V: VerbNOOP, O: OutcomeAccepted}, {S: StateReady, V: numVerbs, O: OutcomeAccepted}, {S: StateReady, V: VerbNOOP, O: numOutcomes},
	}...)
	assert.False(t, Allowed(numStates, VerbNOOP))
	assert.False(t, Allowed(StateReady, numVerbs))
	assert.Equal(t, "invalid", State(99).String())
	assert.Equal(t, "invalid", Outcome(99).String())
}

func TestState_String(t *testing.T) {
	for s, name := range map[State]string{StateGreeted: "greeted", StateReady: "ready", StateMail: "mail",
		StateRcpt: "rcpt", StateBDAT: "bdat", StateClosed: "closed"} {
		assert.Equal(t, name, s.String())
	}
	for o, name := range map[Outcome]string{OutcomeAccepted: "accepted", OutcomeRefused: "refused",
		OutcomeTLSStarted: "tls-started", OutcomeClosed: "closed", OutcomeMessageEnded: "message-ended"} {
		assert.Equal(t, name, o.String())
	}
}

// commandLines are command lines, without their CRLF, for the verbs the
// table can refuse in a session that is still open. A refused BDAT
// carries a chunk, "QUIT" CRLF, that the server must throw away (RFC 3030
// 2), not run.
var commandLines = map[Verb]string{
	VerbMAIL:     "MAIL FROM:<a@client.test>",
	VerbRCPT:     "RCPT TO:<b@mx.test>",
	VerbDATA:     "DATA",
	VerbBDAT:     "BDAT 6\r\nQUIT",
	VerbSTARTTLS: "STARTTLS",
	VerbAUTH:     "AUTH PLAIN AGFsaWNlAHNlY3JldA==",
}

// reachable are the states a session sits in between commands, with the
// commands that lead there and those that go on to deliver a message.
var reachable = []struct {
	state       State
	reach, rest []string
}{
	{StateGreeted, nil, []string{"EHLO client.test", commandLines[VerbMAIL], commandLines[VerbRCPT]}},
	{StateReady, []string{"EHLO client.test"}, []string{commandLines[VerbMAIL], commandLines[VerbRCPT]}},
	{StateMail, []string{"EHLO client.test", commandLines[VerbMAIL]}, []string{commandLines[VerbRCPT]}},
	{StateRcpt, []string{"EHLO client.test", commandLines[VerbMAIL], commandLines[VerbRCPT]}, nil},
}

// TestServer_RFC5321_4_1_4_RefusedInEveryState sends, in every state a
// session reaches between commands, each verb the table refuses there:
// the server answers 503 5.5.1 (RFC 5321 4.1.4) and the session goes on
// in the same state, so that the rest of a transaction delivers a
// message. VerbUnknown gets 500 instead (RFC 5321 4.2.4, a transcript
// test); StateBDAT lasts only while the server reads chunks, and nothing
// is legal once closed.
func TestServer_RFC5321_4_1_4_RefusedInEveryState(t *testing.T) {
	addr, b := startInteropServer(t, &Server{})
	for _, r := range reachable {
		for v := VerbUnknown + 1; v < numVerbs; v++ {
			if Allowed(r.state, v) {
				continue
			}
			t.Run(r.state.String()+"/"+v.String(), func(t *testing.T) {
				line, ok := commandLines[v]
				require.True(t, ok, "no command line for %s: extend commandLines", v)
				conn, err := net.Dial("tcp", addr)
				require.NoError(t, err)
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(conn)
				say := func(line string, code int) *Reply {
					t.Helper()
					if line != "" {
						_, err := io.WriteString(conn, line+"\r\n")
						require.NoError(t, err)
					}
					reply, err := readReply(br, 100)
					require.NoError(t, err)
					require.Equal(t, code, reply.Code, "reply to %q: %s", line, reply)
					return reply
				}
				say("", CodeReady)
				for _, l := range r.reach {
					say(l, CodeOK)
				}
				refusal := say(line, CodeBadSequence)
				assert.Equal(t, EnhancedInvalidCommand, refusal.Enhanced)
				say("NOOP", CodeOK)
				for _, l := range r.rest {
					say(l, CodeOK)
				}
				n := len(b.messages())
				say("DATA", CodeStartMailInput)
				say("Subject: still in step\r\n\r\nhi\r\n.", CodeOK)
				assert.Len(t, b.messages(), n+1)
				say("QUIT", CodeClosing)
			})
		}
	}
}

// TestClient_RFC5321_4_1_4_RefusedInEveryState calls, in every state a
// client reaches between calls, each method whose verb the table refuses
// there: it returns ErrClientState naming the verb and the state, and
// writes nothing. The server offers every extension, so that the state is
// the only reason. StateBDAT lasts only while a DataWriter is open, which
// refuses every call, and a closed client returns ErrClosed.
func TestClient_RFC5321_4_1_4_RefusedInEveryState(t *testing.T) {
	ctx := context.Background()
	calls := map[Verb][]func(c *Client) error{
		VerbMAIL: {
			func(c *Client) error { return c.Mail(ctx, "a@client.test", nil) },
			func(c *Client) error {
				return c.Send(ctx, "a@client.test", []string{"b@mx.test"}, strings.NewReader("hi\r\n"), nil)
			},
		},
		VerbRCPT:     {func(c *Client) error { return c.Rcpt(ctx, "b@mx.test", nil) }},
		VerbDATA:     {func(c *Client) error { _, err := c.Data(ctx); return err }},
		VerbBDAT:     {func(c *Client) error { _, err := c.Bdat(ctx); return err }},
		VerbSTARTTLS: {func(c *Client) error { return c.StartTLS(ctx, &tls.Config{ServerName: "mx.test"}) }},
		VerbAUTH:     {func(c *Client) error { return c.Auth(ctx, PlainAuth("", "alice", "secret")) }},
	}
	reach := map[State]func(c *Client){
		StateGreeted: func(*Client) {},
		StateReady:   func(c *Client) { require.NoError(t, c.Hello(ctx, "client.test")) },
		StateMail: func(c *Client) {
			require.NoError(t, c.Hello(ctx, "client.test"))
			require.NoError(t, c.Mail(ctx, "a@client.test", nil))
		},
		StateRcpt: func(c *Client) {
			require.NoError(t, c.Hello(ctx, "client.test"))
			require.NoError(t, c.Mail(ctx, "a@client.test", nil))
			require.NoError(t, c.Rcpt(ctx, "b@mx.test", nil))
		},
	}
	for _, r := range reachable {
		for v := VerbUnknown + 1; v < numVerbs; v++ {
			if Allowed(r.state, v) {
				continue
			}
			require.NotEmpty(t, calls[v], "no client call sends %s: extend calls", v)
			for i, call := range calls[v] {
				t.Run(r.state.String()+"/"+v.String()+"/"+strconv.Itoa(i), func(t *testing.T) {
					f := &fakeServer{ext: []string{"PIPELINING", "STARTTLS", "AUTH PLAIN", "CHUNKING", "BINARYMIME", "8BITMIME"}}
					c, rc := fakeClient(t, f, nil)
					reach[r.state](c)
					require.Equal(t, r.state, c.state)
					before := len(rc.Writes())
					err := call(c)
					require.ErrorIs(t, err, ErrClientState)
					assert.ErrorContains(t, err, v.String()+" in state "+r.state.String())
					assert.Len(t, rc.Writes(), before, "wrote to the network")
					assert.Equal(t, r.state, c.state, "a refused call keeps the state")
				})
			}
		}
	}
}
