package clienttest

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Client is a package's client as Scram drives it.
type Client interface {
	// Auth runs the client's Auth (IMAP: Authenticate) with mech.
	Auth(ctx context.Context, mech sasl.Client) error
	// Ping sends a command that the client's state allows, to show that
	// it goes on: NOOP, or CAPA in POP3's AUTHORIZATION state.
	Ping(ctx context.Context) error
	// Refused reports whether err is the server's refusal of the
	// credentials (see Refusal).
	Refused(err error) bool
}

// LoginState is a Client that tells whether it is in the state after a
// login (POP3 TRANSACTION, IMAP Authenticated), which Scram then checks.
type LoginState interface {
	LoggedIn() bool
}

// Mechanisms are a package's SCRAM client constructors (smtp.ScramSHA256Auth,
// ...), so that Scram runs them and not internal/sasl's directly.
type Mechanisms struct {
	SHA256, SHA256Plus, SHA1, SHA1Plus func(username, password string) sasl.Client
}

// outcome is what Auth returns in a case.
type outcome int

const (
	succeeds outcome = iota // nil
	refused                 // the server's refusal: Client.Refused
	fails                   // the case's err (errors.Is), or any error without one
)

// Offers of the fake server in the cases.
const (
	offerAll    = "PLAIN SCRAM-SHA-1 SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-256-PLUS"
	offerSHA256 = "SCRAM-SHA-256 SCRAM-SHA-256-PLUS"
	offerNoPlus = "SCRAM-SHA-256"
)

// scramCase is one check of Scram.
type scramCase struct {
	name    string
	offer   string // the mechanisms the server offers
	version uint16 // of TLS; 0 for cleartext
	mech    func(Mechanisms) func(string, string) sasl.Client
	user    string
	pass    string
	lie     bool    // the server claims success without its proof
	used    string  // the mechanism the server saw; "" when none was sent
	outcome outcome // of Auth
	err     error   // the error of fails, if a given one
	reason  string  // the server's SCRAM error (RFC 5802 section 7), if any
	again   bool    // after the failure, a login on the same connection works
}

func sha256(m Mechanisms) func(string, string) sasl.Client     { return m.SHA256 }
func sha256Plus(m Mechanisms) func(string, string) sasl.Client { return m.SHA256Plus }
func sha1(m Mechanisms) func(string, string) sasl.Client       { return m.SHA1 }
func sha1Plus(m Mechanisms) func(string, string) sasl.Client   { return m.SHA1Plus }

// scramCases: over TLS 1.3 and 1.2 the client moves to -PLUS with
// tls-exporter or tls-server-end-point (RFC 5802 section 6, RFC 9266,
// RFC 5929), in cleartext it stays on the base mechanism; a wrong
// password is the protocol's refusal; a server that claims success
// without its proof fails Auth (RFC 5802 section 3); -PLUS needs TLS;
// over TLS without an offered -PLUS the client says "y", which the server
// sees as a downgrade (RFC 5802 section 6); an empty username is refused
// before anything is sent.
var scramCases = []scramCase{
	{"TLS 1.3", offerAll, tls.VersionTLS13, sha256, "alice", "pencil", false, "SCRAM-SHA-256-PLUS", succeeds, nil, "", false},
	{"TLS 1.2", offerAll, tls.VersionTLS12, sha256, "alice", "pencil", false, "SCRAM-SHA-256-PLUS", succeeds, nil, "", false},
	{"cleartext", offerAll, 0, sha256, "alice", "pencil", false, "SCRAM-SHA-256", succeeds, nil, "", false},
	{"SHA-1 over TLS", offerAll, tls.VersionTLS13, sha1, "alice", "pencil", false, "SCRAM-SHA-1-PLUS", succeeds, nil, "", false},
	{"-PLUS asked for", offerAll, tls.VersionTLS13, sha1Plus, "alice", "pencil", false, "SCRAM-SHA-1-PLUS", succeeds, nil, "", false},
	{"wrong password over TLS", offerSHA256, tls.VersionTLS13, sha256, "alice", "wrong", false, "SCRAM-SHA-256-PLUS", refused, nil, sasl.ScramInvalidProof, true},
	{"wrong password in cleartext", offerNoPlus, 0, sha256, "alice", "wrong", false, "SCRAM-SHA-256", refused, nil, sasl.ScramInvalidProof, true},
	{"success without proof", offerNoPlus, 0, sha256, "alice", "pencil", true, "SCRAM-SHA-256", fails, sasl.ErrServerNotVerified, "", false},
	{"-PLUS without TLS", offerSHA256, 0, sha256Plus, "alice", "pencil", false, "", fails, sasl.ErrNoChannelBinding, "", true},
	{"-PLUS removed", offerNoPlus, tls.VersionTLS13, sha256, "alice", "pencil", false, "SCRAM-SHA-256", refused, nil, sasl.ScramServerDoesSupportCB, false},
	{"no username", offerNoPlus, 0, sha256, "", "pencil", false, "", fails, nil, "", true},
}

// Scram runs the SCRAM checks of scramCases, each with a client that dial
// makes over a connection of its own to a fake server speaking d; mechs
// are the package's constructors. After a success the client is in its
// logged-in state and goes on; after a failure that the server did not
// cause, it is not, goes on, and can still log in.
func Scram(t *testing.T, d Dialect, mechs Mechanisms, dial func(t *testing.T, conn net.Conn) Client) {
	for _, tc := range scramCases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			f := &Server{Dialect: d, Mechs: strings.Fields(tc.offer), Lie: tc.lie}
			c := dial(t, f.Connect(t, tc.version))
			checkAuth(t, c, c.Auth(ctx, tc.mech(mechs)(tc.user, tc.pass)), tc)
			checkServer(t, f, tc)
			if tc.lie {
				return // what a client does after a lie is its own
			}
			requireLoggedIn(t, c, tc.outcome == succeeds)
			require.NoError(t, c.Ping(ctx), "the client goes on")
			require.Empty(t, f.Used, "nothing more was sent")
			if tc.again {
				require.NoError(t, c.Auth(ctx, mechs.SHA256("alice", "pencil")), "a login after the failure")
			}
		})
	}
}

// checkAuth checks Auth's error against the case's outcome.
func checkAuth(t *testing.T, c Client, err error, tc scramCase) {
	t.Helper()
	switch {
	case tc.outcome == succeeds:
		require.NoError(t, err)
	case tc.outcome == refused:
		require.True(t, c.Refused(err), "%v is the server's refusal", err)
	case tc.err != nil:
		require.ErrorIs(t, err, tc.err)
	default:
		require.Error(t, err)
	}
}

// checkServer checks what the fake server saw of the case's AUTH: its
// mechanism, an initial response after one space (RFC 4954 section 4,
// RFC 5034 section 4, RFC 4959 section 3), and the exchange's outcome.
func checkServer(t *testing.T, f *Server, tc scramCase) {
	t.Helper()
	if tc.used == "" {
		require.Empty(t, f.Lines, "nothing was sent")
		return
	}
	require.Equal(t, tc.used, <-f.Used)
	line := <-f.Lines
	words := strings.Fields(line)
	require.Equal(t, strings.Join(words, " "), line, "one space between words")
	require.GreaterOrEqual(t, len(words), 3, line)
	require.Equal(t, tc.used, words[len(words)-2], "the mechanism, then the initial response: %s", line)
	serverErr := <-f.Errs
	if tc.reason == "" {
		assert.NoError(t, serverErr)
		return
	}
	var se *sasl.ScramError
	require.ErrorAs(t, serverErr, &se)
	require.Equal(t, tc.reason, se.Reason)
}
