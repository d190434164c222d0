package sasl

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// kvsep separates OAUTHBEARER key/value pairs (RFC 7628 section 3.1).
const kvsep = "\x01"

// maxOAuthBearerMessage bounds the client response a server parses; a
// bearer token is rarely above a few kilobytes.
const maxOAuthBearerMessage = 64 << 10

// OAuthBearerError is the JSON error result of RFC 7628 section 3.2.2,
// which a server sends as a challenge before failing. An authenticator
// returns one to choose what the client is told.
type OAuthBearerError struct {
	Status              string `json:"status"`
	Scope               string `json:"scope,omitempty"`
	OpenIDConfiguration string `json:"openid-configuration,omitempty"`
}

// Error names the status the server sent (RFC 7628 section 3.2.2).
func (e *OAuthBearerError) Error() string { return "sasl: OAUTHBEARER failed: " + e.Status }

// OAuthBearerOptions configures an OAUTHBEARER client.
type OAuthBearerOptions struct {
	// Username is sent as the GS2 authzid (RFC 7628 section 3.1), which
	// servers usually require; empty sends none.
	Username string
	// Token is the OAuth 2.0 bearer token (RFC 6750).
	Token string
	// Host and Port, when set, are sent as "host" and "port".
	Host string
	Port int
}

type oauthBearerClient struct {
	opts OAuthBearerOptions
	step int
}

// NewOAuthBearerClient returns an OAUTHBEARER client (RFC 7628).
func NewOAuthBearerClient(opts OAuthBearerOptions) Client { return &oauthBearerClient{opts: opts} }

// Start sends gs2-header kvsep *kvpair kvsep (RFC 7628 section 3.1).
func (c *oauthBearerClient) Start() (string, []byte, error) {
	o := c.opts
	if !isB64Token(o.Token) || !isKVValue(o.Host) || strings.ContainsAny(o.Username, "\x00\x01") || o.Port < 0 {
		return "", nil, errors.New("sasl: OAUTHBEARER token, host or username not sendable")
	}
	var b strings.Builder
	b.WriteString(formatGS2("n", o.Username))
	b.WriteString(kvsep)
	if o.Host != "" {
		b.WriteString("host=" + o.Host + kvsep)
	}
	if o.Port > 0 {
		b.WriteString("port=" + strconv.Itoa(o.Port) + kvsep)
	}
	b.WriteString("auth=Bearer " + o.Token + kvsep + kvsep)
	return OAuthBearer, []byte(b.String()), nil
}

// Next answers the server's error result with the dummy response "\x01"
// that lets it finish the exchange (RFC 7628 section 3.2.3).
func (c *oauthBearerClient) Next([]byte) ([]byte, error) {
	c.step++
	if c.step > 1 {
		return nil, ErrUnexpected
	}
	return []byte(kvsep), nil
}

// OAuthBearerRequest is what an OAUTHBEARER client sent (RFC 7628 section
// 3.1).
type OAuthBearerRequest struct {
	Authzid string
	// Token is the bearer token; empty when the client sent an empty
	// "auth" to learn the required scope (RFC 7628 section 4.3).
	Token string
	// Host and Port are the client's "host" and "port", or "" and 0. A
	// server that knows its name must check that they match (section
	// 3.2).
	Host string
	Port int
}

// OAuthBearerAuthenticator validates a request and returns the identity
// the token establishes (empty: the authzid). An *OAuthBearerError is
// sent to the client as it is; any other error as {"status":
// "invalid_token"}. A request with an empty Token always fails.
type OAuthBearerAuthenticator func(req OAuthBearerRequest) (identity string, err error)

type oauthBearerServer struct {
	auth     OAuthBearerAuthenticator
	step     int
	identity string
	failure  error
}

// NewOAuthBearerServer returns an OAUTHBEARER server (RFC 7628 section
// 3.2).
func NewOAuthBearerServer(auth OAuthBearerAuthenticator) Server {
	return &oauthBearerServer{auth: auth}
}

// Identity is the authenticated identity once the exchange succeeded.
func (s *oauthBearerServer) Identity() string { return s.identity }

// Next checks the client response. A rejected token gets the JSON error
// challenge; the client's "\x01" then ends the exchange with the failure
// (RFC 7628 sections 3.2.2 and 3.2.3).
func (s *oauthBearerServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.step == 0 && resp == nil:
		return []byte{}, false, nil // client-first (RFC 7628 section 3)
	case s.step == 0:
		s.step = 1
		return s.check(string(resp))
	case s.step == 1 && s.failure != nil:
		s.step = 2
		if string(resp) != kvsep {
			return nil, false, ErrMalformed
		}
		return nil, false, s.failure
	}
	return nil, false, ErrUnexpected
}

// check validates the initial client response.
func (s *oauthBearerServer) check(msg string) ([]byte, bool, error) {
	req, err := parseOAuthBearer(msg)
	if err != nil {
		s.step = 2
		return nil, false, err
	}
	id, err := "", error(&OAuthBearerError{Status: "invalid_token"})
	if req.Token != "" {
		id, err = s.auth(req)
	}
	if err != nil {
		s.failure = err
		var oe *OAuthBearerError
		if !errors.As(err, &oe) {
			oe = &OAuthBearerError{Status: "invalid_token"}
		}
		js, _ := json.Marshal(oe)
		return js, false, nil
	}
	s.step = 2
	s.identity = id
	if id == "" {
		s.identity = req.Authzid
	}
	return nil, true, nil
}

// parseOAuthBearer parses client-resp = gs2-header kvsep *kvpair kvsep
// (RFC 7628 section 3.1). Channel binding is not defined for OAUTHBEARER,
// so the flag is "n" or "y"; unknown keys are ignored.
func parseOAuthBearer(msg string) (OAuthBearerRequest, error) {
	var req OAuthBearerRequest
	if len(msg) > maxOAuthBearerMessage {
		return req, ErrMalformed
	}
	h, rest, err := parseGS2Header(msg)
	if err != nil || h.flag == 'p' {
		return req, ErrMalformed
	}
	req.Authzid = h.authzid
	body, ok := strings.CutPrefix(rest, kvsep)
	if !ok || !strings.HasSuffix(body, kvsep) {
		return req, ErrMalformed
	}
	body = body[:len(body)-1]
	auth := ""
	for body != "" {
		pair, more, ok := strings.Cut(body, kvsep)
		key, value, found := strings.Cut(pair, "=")
		if !ok || !found || !isKVKey(key) || !isKVValue(value) {
			return req, ErrMalformed
		}
		body = more
		switch key {
		case "auth":
			auth = value
		case "host":
			req.Host = value
		case "port":
			if req.Port, err = parsePositNumber(value); err != nil || req.Port > 65535 {
				return req, ErrMalformed
			}
		}
	}
	req.Token = bearerToken(auth)
	return req, nil
}

// bearerToken extracts the b64token of "Bearer" 1*SP b64token (RFC 6750
// section 2.1); the scheme is matched without regard to case (RFC 7628
// section 4). Anything else gives "".
func bearerToken(auth string) string {
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	tok = strings.TrimLeft(tok, " ")
	if !isB64Token(tok) {
		return ""
	}
	return tok
}

// isB64Token is b64token of RFC 6750 section 2.1: 1*( ALPHA / DIGIT /
// "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && !strings.ContainsRune("-._~+/", rune(c)) {
			return false
		}
	}
	return body != ""
}

// isKVKey is key = 1*(ALPHA) (RFC 7628 section 3.1).
func isKVKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) {
			return false
		}
	}
	return s != ""
}

// isKVValue is value = *(VCHAR / SP / HTAB / CR / LF) (RFC 7628 section
// 3.1).
func isKVValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 0x20 && c <= 0x7e) && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
