package sasl

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// ScramLookup returns the stored credentials of username for mech, the
// base name (SCRAM-SHA-1 or SCRAM-SHA-256: a -PLUS variant shares its
// base's credentials). The server keeps verifiers, never the password
// (RFC 5802 section 3); NewScramCredentials derives them. For a name it
// does not know it returns ErrUnknownUser, and the exchange goes on with
// decoy credentials until the proof fails; any other error fails the
// exchange at once and is returned by the Server as it is, so that a
// backend can choose the protocol reply.
type ScramLookup func(mech, username string) (ScramCredentials, error)

// ScramServerOptions configures a SCRAM server.
type ScramServerOptions struct {
	// Lookup is required.
	Lookup ScramLookup
	// Authorize decides whether username may act as authzid, when the
	// client asks for an authorization identity other than its own
	// ("a", RFC 5802 section 5.1). Nil refuses every such request.
	Authorize func(username, authzid string) error
	// Bindings are the channel bindings this connection can check
	// (ServerChannelBindings). Any binding means the server supports
	// channel binding: it may offer the -PLUS variants and it must fail
	// a client that says "y" (RFC 5802 section 6).
	Bindings []ChannelBinding
}

// scramServer runs the server side of RFC 5802 section 5.
type scramServer struct {
	mech scramMech
	opts ScramServerOptions

	nonce string // s-nonce; set before the first message by the tests
	step  int

	gs2       gs2Header
	username  string
	fullNonce string
	authPart  string // client-first-message-bare "," server-first-message
	creds     ScramCredentials
}

// NewScramServer returns a server for mech, one of the four SCRAM names.
// A -PLUS name needs at least one binding in opts.Bindings.
func NewScramServer(mech string, opts ScramServerOptions) (Server, error) {
	m, err := lookupScram(mech)
	if err != nil {
		return nil, err
	}
	if opts.Lookup == nil {
		return nil, errors.New("sasl: SCRAM server needs a Lookup")
	}
	if m.plus && len(opts.Bindings) == 0 {
		return nil, ErrNoChannelBinding
	}
	return &scramServer{mech: m, opts: opts}, nil
}

// Identity is the authorization identity once the exchange succeeded:
// the authzid when the client sent one, else the username.
func (s *scramServer) Identity() string {
	if s.gs2.authzid != "" {
		return s.gs2.authzid
	}
	return s.username
}

// Next answers the client-first-message with the server-first-message,
// then checks the client-final-message and returns the
// server-final-message as additional data with success. A failure
// returns a *ScramError (or the Lookup's or Authorize's error); RFC 5802
// section 5.1 ("e") lets the server end without a server-final-message.
func (s *scramServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.step == 0 && resp == nil:
		return []byte{}, false, nil // SCRAM is client-first (RFC 4422 section 5)
	case s.step == 0:
		s.step = 1
		first, err := s.first(string(resp))
		if err != nil {
			s.step = 3
			return nil, false, err
		}
		return []byte(first), false, nil
	case s.step == 1:
		s.step = 2
		final, err := s.final(string(resp))
		if err != nil {
			s.step = 3
			return nil, false, err
		}
		return []byte(final), true, nil
	}
	return nil, false, ErrUnexpected
}

// checkFlag applies RFC 5802 section 6 to the channel binding flag.
func (s *scramServer) checkFlag(h gs2Header) error {
	switch {
	case s.mech.plus && h.flag != 'p':
		return scramErr(ScramOtherError) // -PLUS means binding
	case !s.mech.plus && h.flag == 'p':
		return scramErr(ScramOtherError) // binding needs the -PLUS name
	case h.flag == 'y' && len(s.opts.Bindings) > 0:
		return scramErr(ScramServerDoesSupportCB) // a downgrade
	case h.flag == 'p':
		if _, ok := bindingOf(s.opts.Bindings, h.cbName); !ok {
			return scramErr(ScramUnsupportedCBType)
		}
	}
	return nil
}

// first parses the client-first-message and builds the
// server-first-message (RFC 5802 section 7).
func (s *scramServer) first(msg string) (string, error) {
	if len(msg) > maxScramMessage {
		return "", scramErr(ScramInvalidEncoding)
	}
	h, bare, err := parseGS2Header(msg)
	if err != nil {
		return "", scramErr(ScramInvalidEncoding)
	}
	if err := s.checkFlag(h); err != nil {
		return "", err
	}
	attrs, err := splitAttrs(bare)
	if err != nil {
		return "", scramErr(ScramInvalidEncoding)
	}
	if attrs[0].name == 'm' {
		return "", scramErr(ScramExtensionsNotSupported)
	}
	if expectAttrs(attrs, "nr") != nil || !isNonce(attrs[1].value) {
		return "", scramErr(ScramInvalidEncoding)
	}
	if s.username, err = unescapeSASLName(attrs[0].value); err != nil {
		return "", scramErr(ScramInvalidUsernameEncoding)
	}
	if checkUTF8(attrs) != nil {
		return "", scramErr(ScramInvalidEncoding)
	}
	if s.creds, err = s.opts.Lookup(s.mech.base(), s.username); errors.Is(err, ErrUnknownUser) {
		s.creds = decoyCredentials(s.mech, s.username) // fails at the proof
	} else if err != nil {
		return "", err
	}
	if !s.creds.valid(s.mech) {
		return "", scramErr(ScramOtherError)
	}
	if s.nonce == "" {
		s.nonce = newScramNonce()
	}
	s.gs2 = h
	s.fullNonce = attrs[1].value + s.nonce
	first := "r=" + s.fullNonce + ",s=" + base64.StdEncoding.EncodeToString(s.creds.Salt) +
		",i=" + strconv.Itoa(s.creds.Iterations)
	s.authPart = bare + "," + first
	return first, nil
}

// final checks the client-final-message: the channel binding, the nonce,
// the proof, the authorization; and returns the server-final-message
// (RFC 5802 sections 3, 6 and 7).
func (s *scramServer) final(msg string) (string, error) {
	attrs, err := splitAttrs(msg)
	if err != nil || checkUTF8(attrs) != nil || expectAttrs(attrs, "cr") != nil || len(attrs) < 3 || attrs[len(attrs)-1].name != 'p' {
		return "", scramErr(ScramInvalidEncoding)
	}
	cbind, err := decodeScramBase64(attrs[0].value)
	if err != nil {
		return "", scramErr(ScramInvalidEncoding)
	}
	want := []byte(s.gs2.raw)
	if s.gs2.flag == 'p' {
		cb, _ := bindingOf(s.opts.Bindings, s.gs2.cbName)
		want = append(want, cb.Data...)
	}
	if !bytes.Equal(cbind, want) {
		return "", scramErr(ScramChannelBindingsDontMatch)
	}
	if attrs[1].value != s.fullNonce {
		return "", scramErr(ScramOtherError) // not the nonce of this exchange
	}
	proof, err := decodeScramBase64(attrs[len(attrs)-1].value)
	if err != nil || len(proof) != s.mech.size() {
		return "", scramErr(ScramInvalidProof)
	}
	authMsg := s.authPart + "," + msg[:strings.LastIndex(msg, ",p=")]
	clientKey := xorBytes(proof, s.mech.hmac(s.creds.StoredKey, authMsg))
	if subtle.ConstantTimeCompare(s.mech.sum(clientKey), s.creds.StoredKey) != 1 {
		return "", scramErr(ScramInvalidProof)
	}
	if err := s.authorize(); err != nil {
		return "", err
	}
	return "v=" + base64.StdEncoding.EncodeToString(s.mech.hmac(s.creds.ServerKey, authMsg)), nil
}

// authorize checks an authzid other than the username (RFC 5802 section
// 5.1, "a": the server verifies it per the protocol's policy).
func (s *scramServer) authorize() error {
	if s.gs2.authzid == "" || s.gs2.authzid == s.username {
		return nil
	}
	if s.opts.Authorize == nil {
		return scramErr(ScramOtherError)
	}
	return s.opts.Authorize(s.username, s.gs2.authzid)
}
