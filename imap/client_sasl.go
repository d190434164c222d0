package imap

import (
	"context"
	"crypto/tls"

	"github.com/mailwire/mailwire/internal/sasl"
)

// SASLClient is the client side of a SASL mechanism (RFC 4422) that
// Client.Authenticate runs (RFC 3501 section 6.2.2). Implement it for a
// mechanism this package does not provide:
//
//	Start() (mech string, initial []byte, err error)
//	Next(challenge []byte) (response []byte, err error)
//
// Start names the mechanism and returns the initial response, or nil when
// it has none; a non-nil empty slice is an empty initial response, sent as
// "=" with SASL-IR (RFC 4959 section 3). Next answers one decoded server
// challenge; an error cancels the exchange with "*".
type SASLClient = sasl.Client

// SASLServer runs the server side of one SASL exchange (RFC 4422):
//
//	Next(response []byte) (challenge []byte, done bool, err error)
//
// Next takes the client's latest response (nil when the client sent no
// initial response) and returns the next challenge, or done once the
// client is authenticated; a challenge returned with done is additional
// data with success, which IMAP sends as a last continuation (RFC 3501
// section 6.2.2). An error fails the authentication.
type SASLServer = sasl.Server

// PlainAuth returns a PLAIN mechanism (RFC 4616); identity is the
// authorization identity, usually empty (act as username).
func PlainAuth(identity, username, password string) SASLClient {
	return sasl.NewPlainClient(identity, username, password)
}

// LoginAuth returns the LOGIN mechanism (draft-murchison-sasl-login).
func LoginAuth(username, password string) SASLClient {
	return sasl.NewLoginClient(username, password)
}

// XOAuth2Auth returns the XOAUTH2 mechanism with an OAuth 2.0 bearer
// token, as Gmail and Microsoft 365 accept.
func XOAuth2Auth(username, token string) SASLClient {
	return sasl.NewXOAuth2Client(username, token)
}

// OAuthBearerAuth returns an OAUTHBEARER client (RFC 7628) for an OAuth
// 2.0 bearer token; username is sent as the authorization identity.
func OAuthBearerAuth(username, token string) SASLClient {
	return sasl.NewOAuthBearerClient(sasl.OAuthBearerOptions{Username: username, Token: token})
}

// ExternalAuth returns an EXTERNAL client (RFC 4422 appendix A), which
// asks the server to use the TLS client certificate; an empty authzid
// acts as the certificate's identity.
func ExternalAuth(authzid string) SASLClient { return sasl.NewExternalClient(authzid) }

// ScramSHA256Auth returns a SCRAM-SHA-256 client (RFC 7677). Over TLS it
// switches to SCRAM-SHA-256-PLUS when the server offers it, binding the
// exchange to the channel (RFC 5802 section 6, RFC 9266); otherwise it
// tells the server it could have, so that a removed -PLUS is noticed. The
// server must prove that it knows the password, or Authenticate fails.
func ScramSHA256Auth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA256, sasl.ScramClientOptions{Username: username, Password: password})
}

// ScramSHA256PlusAuth returns a SCRAM-SHA-256-PLUS client, which insists on
// channel binding: it fails without TLS.
func ScramSHA256PlusAuth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA256Plus, sasl.ScramClientOptions{Username: username, Password: password})
}

// ScramSHA1Auth returns a SCRAM-SHA-1 client (RFC 5802), which binds like
// ScramSHA256Auth. Prefer SCRAM-SHA-256 where the server has it.
func ScramSHA1Auth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA1, sasl.ScramClientOptions{Username: username, Password: password})
}

// ScramSHA1PlusAuth returns a SCRAM-SHA-1-PLUS client, which insists on
// channel binding.
func ScramSHA1PlusAuth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA1Plus, sasl.ScramClientOptions{Username: username, Password: password})
}

// authTransport carries a SASL exchange in AUTHENTICATE (RFC 3501 section
// 6.2.2): challenges are continuations, responses lines of their own, the
// tagged response is the outcome. From Start to the outcome it holds the
// write lock, so that the continuations are this command's.
type authTransport struct {
	c    *Client
	ctx  context.Context
	caps Caps
	cmd  *command
}

// Channel returns the TLS state, nil in cleartext, and the AUTH=
// mechanisms the server announced, for channel binding (RFC 5802 section
// 6).
func (t *authTransport) Channel() (*tls.ConnectionState, []string) {
	offered := t.caps.AuthMechanisms()
	t.c.mu.Lock()
	tc, ok := t.c.conn.(*tls.Conn)
	t.c.mu.Unlock()
	if !ok {
		return nil, offered
	}
	cs := tc.ConnectionState()
	return &cs, offered
}

// Start writes the command, with the initial response only when the
// server has SASL-IR (RFC 4959 section 3).
func (t *authTransport) Start(mech, initial string) (bool, error) {
	cmd, err := t.c.begin(t.ctx, VerbAUTHENTICATE, nil)
	if err != nil {
		return false, err
	}
	t.cmd = cmd
	t.c.saslLines = true // until finish
	t.c.w.SP().Atom(mech)
	sent := initial != "" && t.caps.Has(CapSASLIR)
	if sent {
		t.c.w.SP().Raw(initial)
	}
	t.c.w.CRLF()
	return sent, nil
}

// Read flushes what was written and waits for a continuation or the
// tagged response: OK is success, NO and BAD come back as a
// *StatusResponse.
func (t *authTransport) Read() (string, bool, error) {
	text, err := t.c.continuation(t.ctx, t.cmd)
	if err == nil {
		return text, false, nil
	}
	if !isCommandDone(t.cmd) {
		return "", false, err
	}
	if t.cmd.err != nil {
		return "", true, t.cmd.err
	}
	return "", true, t.cmd.resp.Err()
}

// Write queues one response line; "*" cancels (RFC 3501 section 6.2.2).
func (t *authTransport) Write(line string) error {
	t.c.w.Raw(line).CRLF()
	return nil
}
