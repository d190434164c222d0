package sasl

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var errIO = errors.New("connection reset")

// fakeClientTransport plays a server from a script of messages: "+text"
// is a challenge, "OK" success, anything else a failure outcome.
type fakeClientTransport struct {
	cs       *tls.ConnectionState
	offered  []string
	sendIR   bool // Start puts the initial response on the command line
	script   []string
	started  string
	written  []string
	startErr error
}

func (f *fakeClientTransport) Channel() (*tls.ConnectionState, []string) { return f.cs, f.offered }

func (f *fakeClientTransport) Start(mech, initial string) (bool, error) {
	if f.startErr != nil {
		return false, f.startErr
	}
	f.started = strings.TrimSpace(mech + " " + initial)
	if !f.sendIR && initial != "" {
		f.started = mech
		return false, nil
	}
	return initial != "", nil
}

func (f *fakeClientTransport) Read() (string, bool, error) {
	if len(f.script) == 0 {
		return "", false, errIO
	}
	m := f.script[0]
	f.script = f.script[1:]
	switch {
	case strings.HasPrefix(m, "+"):
		return m[1:], false, nil
	case m == "OK":
		return "", true, nil
	}
	return "", true, errors.New(m)
}

func (f *fakeClientTransport) Write(line string) error {
	f.written = append(f.written, line)
	return nil
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestRunClient_InitialResponse_RFC4422_5: an initial response goes on
// the command line when the transport can carry it ("=" when empty),
// else in answer to the server's first, empty challenge.
func TestRunClient_InitialResponse_RFC4422_5(t *testing.T) {
	f := &fakeClientTransport{sendIR: true, script: []string{"OK"}}
	require.NoError(t, RunClient(NewPlainClient("", "alice", "secret"), f))
	require.Equal(t, "PLAIN "+b64("\x00alice\x00secret"), f.started)
	require.Empty(t, f.written)

	f = &fakeClientTransport{sendIR: false, script: []string{"+", "OK"}}
	require.NoError(t, RunClient(NewPlainClient("", "alice", "secret"), f))
	require.Equal(t, "PLAIN", f.started)
	require.Equal(t, []string{b64("\x00alice\x00secret")}, f.written)

	f = &fakeClientTransport{sendIR: true, script: []string{"OK"}}
	require.NoError(t, RunClient(NewExternalClient(""), f))
	require.Equal(t, "EXTERNAL =", f.started, "an empty initial response is =")

	f = &fakeClientTransport{sendIR: false, script: []string{"+", "OK"}}
	require.NoError(t, RunClient(NewExternalClient(""), f))
	require.Equal(t, []string{""}, f.written, "an empty response is an empty line")

	f = &fakeClientTransport{sendIR: true, script: []string{"+" + b64("Username:"), "+" + b64("Password:"), "OK"}}
	require.NoError(t, RunClient(NewLoginClient("u", "p"), f))
	require.Equal(t, "LOGIN", f.started, "no initial response at all")
	require.Equal(t, []string{b64("u"), b64("p")}, f.written)
}

// TestRunClient_Outcomes: a failure outcome and transport errors come
// back as they are.
func TestRunClient_Outcomes(t *testing.T) {
	f := &fakeClientTransport{sendIR: true, script: []string{"535 no"}}
	require.EqualError(t, RunClient(NewPlainClient("", "a", "b"), f), "535 no")
	f = &fakeClientTransport{sendIR: true}
	require.ErrorIs(t, RunClient(NewPlainClient("", "a", "b"), f), errIO)
	f = &fakeClientTransport{startErr: errBad}
	require.ErrorIs(t, RunClient(NewPlainClient("", "a", "b"), f), errBad)
	_, _, err := NewScramClient("x", ScramClientOptions{}).Start()
	f = &fakeClientTransport{}
	require.EqualError(t, RunClient(NewScramClient("x", ScramClientOptions{}), f), err.Error())
	require.Empty(t, f.started, "a mechanism that cannot start sends nothing")
}

// TestRunClient_Cancel_RFC4422_3_5: a mechanism error or a challenge that
// is not base64 sends "*", reads the server's outcome and returns the
// reason.
func TestRunClient_Cancel_RFC4422_3_5(t *testing.T) {
	f := &fakeClientTransport{sendIR: true, script: []string{"+" + b64("more?"), "501 cancelled"}}
	err := RunClient(NewPlainClient("", "a", "b"), f)
	require.ErrorIs(t, err, ErrUnexpected)
	require.Contains(t, err.Error(), "PLAIN cancelled")
	require.Equal(t, []string{"*"}, f.written)
	require.Empty(t, f.script, "the outcome after * was read")

	f = &fakeClientTransport{script: []string{"+not base64!", "501 cancelled"}}
	err = RunClient(NewLoginClient("u", "p"), f)
	require.ErrorContains(t, err, "malformed challenge")
	require.Equal(t, []string{"*"}, f.written)

	f = &fakeClientTransport{script: []string{"+not base64!", "+" + b64("again")}}
	err = RunClient(NewLoginClient("u", "p"), f)
	require.ErrorIs(t, err, ErrOutOfSync)
}

// alwaysClient answers every challenge.
type alwaysClient struct{}

func (alwaysClient) Start() (string, []byte, error) { return "X-ALWAYS", nil, nil }
func (alwaysClient) Next([]byte) ([]byte, error)    { return []byte("again"), nil }

// TestRunClient_MaxClientRounds answers MaxClientRounds challenges and
// cancels at the next one.
func TestRunClient_MaxClientRounds(t *testing.T) {
	script := func(n int) []string {
		var s []string
		for i := 0; i < n; i++ {
			s = append(s, "+"+b64("go on"))
		}
		return append(s, "OK")
	}
	f := &fakeClientTransport{script: script(MaxClientRounds)}
	require.NoError(t, RunClient(alwaysClient{}, f))
	require.Len(t, f.written, MaxClientRounds)

	f = &fakeClientTransport{script: script(MaxClientRounds + 1)}
	err := RunClient(alwaysClient{}, f)
	require.ErrorContains(t, err, "more than 16 challenges")
	require.Len(t, f.written, MaxClientRounds+1)
	require.Equal(t, "*", f.written[MaxClientRounds])
}

// TestRunClient_MutualAuth_RFC5802_5: success before the server's
// signature is not success; the signature is answered with an empty
// response (RFC 4422 section 3.6).
func TestRunClient_MutualAuth_RFC5802_5(t *testing.T) {
	v := scramVectors[0]
	newClient := func() *scramClient {
		c := NewScramClient(v.mech, ScramClientOptions{Username: "user", Password: "pencil"}).(*scramClient)
		c.nonce = v.cnonce
		return c
	}
	f := &fakeClientTransport{sendIR: true, script: []string{"+" + b64(v.serverFirst), "OK"}}
	require.ErrorIs(t, RunClient(newClient(), f), ErrServerNotVerified)

	f = &fakeClientTransport{sendIR: true, script: []string{"+" + b64(v.serverFirst), "+" + b64(v.serverFinal), "OK"}}
	require.NoError(t, RunClient(newClient(), f))
	require.Equal(t, []string{b64(v.clientFinal), ""}, f.written)
	require.Equal(t, v.mech+" "+b64(v.clientFirst), f.started)
}

// fakeServerTransport plays a client from a script of response lines.
type fakeServerTransport struct {
	ir         string
	hasIR      bool
	responses  []string
	challenges []string
}

func (f *fakeServerTransport) InitialResponse() (string, bool) { return f.ir, f.hasIR }

func (f *fakeServerTransport) Challenge(text string) (string, error) {
	f.challenges = append(f.challenges, text)
	if len(f.responses) == 0 {
		return "", errIO
	}
	r := f.responses[0]
	f.responses = f.responses[1:]
	return r, nil
}

// TestRunServer covers the outcomes of the server loop: success with and
// without an initial response, cancel, bad base64, mechanism failures and
// transport errors.
func TestRunServer(t *testing.T) {
	plain := func() Server { return NewPlainServer(checkPlain) }
	ok := b64("\x00alice\x00secret")
	for _, tc := range []struct {
		name       string
		f          *fakeServerTransport
		challenges []string
		check      func(t *testing.T, err error)
	}{
		{"initial response", &fakeServerTransport{ir: ok, hasIR: true}, nil, noErr},
		{"no initial response: empty challenge", &fakeServerTransport{responses: []string{ok}}, []string{""}, noErr},
		{"= is an empty initial response", &fakeServerTransport{ir: "=", hasIR: true}, nil, isMech(ErrMalformed)},
		{"initial response not base64", &fakeServerTransport{ir: "AB!", hasIR: true}, nil, is(ErrBadBase64)},
		{"response not base64", &fakeServerTransport{responses: []string{"%%"}}, []string{""}, is(ErrBadBase64)},
		{"cancel", &fakeServerTransport{responses: []string{"*"}}, []string{""}, is(ErrCancelled)},
		{"bad credentials", &fakeServerTransport{ir: b64("\x00alice\x00nope"), hasIR: true}, nil, isMech(errBad)},
		{"transport error", &fakeServerTransport{}, []string{""}, is(errIO)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, RunServer(plain(), tc.f))
			require.Equal(t, tc.challenges, tc.f.challenges)
		})
	}
}

func noErr(t *testing.T, err error) { require.NoError(t, err) }

func is(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		require.ErrorIs(t, err, target)
		var me *MechanismError
		require.False(t, errors.As(err, &me), "not a mechanism failure")
	}
}

func isMech(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		var me *MechanismError
		require.True(t, errors.As(err, &me), "%v", err)
		require.ErrorIs(t, err, target)
	}
}

// TestRunServer_AdditionalData_RFC4422_3_6: SCRAM's server-final-message
// goes out as a last challenge, whose response must be empty.
func TestRunServer_AdditionalData_RFC4422_3_6(t *testing.T) {
	v := scramVectors[1]
	for _, tc := range []struct {
		name  string
		last  string
		check func(*testing.T, error)
	}{
		{"empty response", "", noErr},
		{"= leniently", "=", noErr},
		{"non-empty response", b64("x"), isMech(ErrUnexpected)},
		{"cancel", "*", is(ErrCancelled)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServerTransport{ir: b64(v.clientFirst), hasIR: true, responses: []string{b64(v.clientFinal), tc.last}}
			tc.check(t, RunServer(vectorServer(t, v, ScramServerOptions{}), f))
			require.Equal(t, []string{b64(v.serverFirst), b64(v.serverFinal)}, f.challenges)
		})
	}
}
