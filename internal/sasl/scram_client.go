package sasl

import (
	"crypto/hmac"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ScramClientOptions configures a SCRAM client.
type ScramClientOptions struct {
	// Username is the authentication identity ("n", RFC 5802 section
	// 5.1), sent as given; Password is SASLprep'd before hashing.
	Username, Password string
	// Authzid is the authorization identity ("a"), usually empty.
	Authzid string
	// MaxIterations is the highest iteration count the client accepts
	// from the server; 0 means DefaultScramMaxIterations.
	MaxIterations int
}

// scramClient runs the client side of RFC 5802 section 5: the
// client-first-message, then the client-final-message with its proof,
// then the check of the server's signature.
type scramClient struct {
	mech    scramMech
	mechErr error
	opts    ScramClientOptions

	// What Bind learnt about the channel.
	cb      *ChannelBinding
	offered []string

	nonce     string // c-nonce; set before Start by the tests
	gs2       string // the GS2 header as sent
	bare      string // client-first-message-bare
	serverSig []byte // the ServerSignature the server must send
	step      int
	verified  bool
}

// NewScramClient returns a client for mech, one of the four SCRAM names.
// A -PLUS name requires channel binding; a base name binds when it can:
// it switches to -PLUS when the connection has TLS and the server offers
// it, and otherwise tells the server with "y" that it could have bound
// (RFC 5802 section 6), so that a server that does offer -PLUS detects
// the downgrade.
func NewScramClient(mech string, opts ScramClientOptions) Client {
	m, err := lookupScram(mech)
	return &scramClient{mech: m, mechErr: err, opts: opts}
}

// Bind records the TLS channel and the offered mechanisms; see
// ChannelBinder.
func (c *scramClient) Bind(cs *tls.ConnectionState, offered []string) {
	c.cb, c.offered = nil, offered
	if cs == nil {
		return
	}
	if cb, err := ClientChannelBinding(cs); err == nil {
		c.cb = &cb
	}
}

// Verified reports whether the server proved that it knows the
// credentials (RFC 5802 section 5); see MutualClient.
func (c *scramClient) Verified() bool { return c.verified }

// offers reports whether the server listed name.
func (c *scramClient) offers(name string) bool {
	for _, m := range c.offered {
		if strings.EqualFold(m, name) {
			return true
		}
	}
	return false
}

// Start sends the client-first-message (RFC 5802 section 7). The channel
// binding flag follows section 6: "p" with -PLUS, "y" when the client
// could bind but the server offers no -PLUS, "n" without a channel.
func (c *scramClient) Start() (string, []byte, error) {
	if c.mechErr != nil {
		return "", nil, c.mechErr
	}
	if c.opts.Username == "" || !utf8.ValidString(c.opts.Username) || strings.IndexByte(c.opts.Username, 0) >= 0 {
		return "", nil, errors.New("sasl: SCRAM needs a UTF-8 username without NUL")
	}
	if c.opts.Authzid != "" && (!utf8.ValidString(c.opts.Authzid) || strings.IndexByte(c.opts.Authzid, 0) >= 0) {
		return "", nil, errors.New("sasl: SCRAM authzid must be UTF-8 without NUL")
	}
	flag := "n"
	switch {
	case c.mech.plus && c.cb == nil:
		return "", nil, fmt.Errorf("%w: %s needs a TLS channel binding", ErrNoChannelBinding, c.mech.name)
	case c.mech.plus:
		flag = "p=" + c.cb.Type
	case c.cb != nil && c.offers(c.mech.base()+"-PLUS"):
		c.mech = c.mech.withPlus(true)
		flag = "p=" + c.cb.Type
	case c.cb != nil:
		flag = "y"
	}
	if c.nonce == "" {
		c.nonce = newScramNonce()
	}
	c.gs2 = formatGS2(flag, c.opts.Authzid)
	c.bare = "n=" + escapeSASLName(c.opts.Username) + ",r=" + c.nonce
	return c.mech.name, []byte(c.gs2 + c.bare), nil
}

// Next answers the server-first-message with the client-final-message,
// then checks the server-final-message and answers it with the empty
// response that ends the exchange (RFC 4422 section 3.6).
func (c *scramClient) Next(challenge []byte) ([]byte, error) {
	c.step++
	switch c.step {
	case 1:
		return c.final(string(challenge))
	case 2:
		return []byte{}, c.verify(string(challenge))
	}
	return nil, ErrUnexpected
}

// final computes the client-final-message (RFC 5802 sections 3 and 7).
func (c *scramClient) final(serverFirst string) ([]byte, error) {
	nonce, salt, iter, err := c.parseServerFirst(serverFirst)
	if err != nil {
		return nil, err
	}
	salted, err := c.mech.saltedPassword(c.opts.Password, salt, iter)
	if err != nil {
		return nil, err
	}
	clientKey, storedKey, serverKey := c.mech.keys(salted)
	cbind := []byte(c.gs2)
	if c.mech.plus {
		cbind = append(cbind, c.cb.Data...)
	}
	withoutProof := "c=" + base64.StdEncoding.EncodeToString(cbind) + ",r=" + nonce
	authMsg := c.bare + "," + serverFirst + "," + withoutProof
	proof := xorBytes(clientKey, c.mech.hmac(storedKey, authMsg))
	c.serverSig = c.mech.hmac(serverKey, authMsg)
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

// parseServerFirst checks the server-first-message: no mandatory
// extension ("m", RFC 5802 section 5.1), the nonce starting with ours and
// extended by the server's, a salt, and an iteration count between
// MinScramIterations and the client's maximum.
func (c *scramClient) parseServerFirst(msg string) (nonce string, salt []byte, iter int, err error) {
	attrs, err := splitAttrs(msg)
	if err == nil {
		err = checkUTF8(attrs)
	}
	if err != nil {
		return "", nil, 0, fmt.Errorf("sasl: server-first-message: %w", err)
	}
	if attrs[0].name == 'm' {
		return "", nil, 0, scramErr(ScramExtensionsNotSupported)
	}
	if err := expectAttrs(attrs, "rsi"); err != nil {
		return "", nil, 0, fmt.Errorf("sasl: server-first-message: %w", err)
	}
	nonce = attrs[0].value
	if !isNonce(nonce) || len(nonce) <= len(c.nonce) || !strings.HasPrefix(nonce, c.nonce) {
		return "", nil, 0, errors.New("sasl: server nonce does not extend the client nonce (RFC 5802 section 5.1)")
	}
	if salt, err = decodeScramBase64(attrs[1].value); err != nil || len(salt) == 0 {
		return "", nil, 0, errors.New("sasl: server-first-message: invalid salt")
	}
	if iter, err = parsePositNumber(attrs[2].value); err != nil {
		return "", nil, 0, fmt.Errorf("sasl: server-first-message: %w", err)
	}
	max := c.opts.MaxIterations
	if max <= 0 {
		max = DefaultScramMaxIterations
	}
	if iter < MinScramIterations || iter > max {
		return "", nil, 0, fmt.Errorf("sasl: server asks for %d SCRAM iterations, accepted are %d to %d", iter, MinScramIterations, max)
	}
	return nonce, salt, iter, nil
}

// verify checks the server-final-message: "e=" is the server's error,
// "v=" must be the ServerSignature (RFC 5802 section 5: a client that
// finds it wrong must consider the exchange unsuccessful).
func (c *scramClient) verify(msg string) error {
	attrs, err := splitAttrs(msg)
	if err == nil {
		err = checkUTF8(attrs)
	}
	if err != nil {
		return fmt.Errorf("sasl: server-final-message: %w", err)
	}
	switch attrs[0].name {
	case 'e':
		return &ScramError{Reason: attrs[0].value}
	case 'v':
		sig, err := decodeScramBase64(attrs[0].value)
		if err != nil || !hmac.Equal(sig, c.serverSig) {
			return errors.New("sasl: the server's SCRAM signature is wrong: it does not know the credentials")
		}
		c.verified = true
		return nil
	}
	return fmt.Errorf("sasl: server-final-message: unexpected attribute %q", attrs[0].name)
}
