package pop3

import (
	"context"
	"encoding/base64"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
)

// oneUser accepts alice/secret with an empty maildrop.
type oneUser struct{}

func (oneUser) Login(_ context.Context, _ *Conn, user, pass string) (Maildrop, error) {
	if user != "alice" || pass != "secret" {
		return nil, ErrResponse(CodeAuth, "no")
	}
	return emptyMaildrop{}, nil
}

type emptyMaildrop struct{}

func (emptyMaildrop) Messages(context.Context) ([]MessageInfo, error)  { return nil, nil }
func (emptyMaildrop) Open(context.Context, int) (io.ReadCloser, error) { return nil, io.EOF }
func (emptyMaildrop) Delete(context.Context, []int) error              { return nil }
func (emptyMaildrop) Close(context.Context) error                      { return nil }

// TestAuthFailureDelay_RFC1939_13: each failed login, and only a failed
// one, waits before its -ERR: AuthFailureDelay for the client's first
// failure, doubled for the next. The delays are recorded, not timed.
func TestAuthFailureDelay_RFC1939_13(t *testing.T) {
	var mu sync.Mutex
	var delays []time.Duration
	srv := &Server{Backend: oneUser{}, AllowInsecureAuth: true, sleep: func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		delays = append(delays, d)
	}}
	x := servertest.Raw(t, servertest.Serve(t, srv))
	x.Expect(t, "", "+OK*")
	x.Expect(t, "USER alice\r\nPASS guess\r\nAUTH PLAIN AGFsaWNlAGd1ZXNz\r\nUSER alice\r\nPASS secret",
		"+OK Send PASS", "-ERR [AUTH] no", "-ERR [AUTH] no", "+OK Send PASS", "+OK Maildrop has 0 messages (0 octets)")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []time.Duration{DefaultAuthFailureDelay, 2 * DefaultAuthFailureDelay}, delays)
}

// TestDefaults_RFC1939_3_RFC2449_4 pins the limits the RFCs set: the
// autologout timer of at least 10 minutes and 255-octet command lines.
func TestDefaults_RFC1939_3_RFC2449_4(t *testing.T) {
	require.GreaterOrEqual(t, DefaultCommandTimeout, 10*time.Minute)
	require.Equal(t, 255, DefaultMaxLineLength)
}

// TestAuthLongResponse_RFC5034_4: a SASL response line may be far longer
// than a command line (here 6000 octets of base64), up to
// MaxAuthLineLength.
func TestAuthLongResponse_RFC5034_4(t *testing.T) {
	srv := &Server{Backend: oneUser{}, AllowInsecureAuth: true, AuthFailureDelay: -1}
	x := servertest.Raw(t, servertest.Serve(t, srv))
	x.Expect(t, "", "+OK*")
	long := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00" + strings.Repeat("p", 4500)))
	x.Expect(t, "AUTH PLAIN\r\n"+long+"\r\nAUTH PLAIN\r\n"+strings.Repeat("A", DefaultMaxAuthLineLength),
		"+ ", "-ERR [AUTH] no", "+ ", "-ERR Line too long")
}
