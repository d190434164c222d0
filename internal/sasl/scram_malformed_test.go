package sasl

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireScramError checks that err is a *ScramError with reason.
func requireScramError(t *testing.T, err error, reason string) {
	t.Helper()
	var se *ScramError
	require.True(t, errors.As(err, &se), "want e=%s, got %v", reason, err)
	require.Equal(t, reason, se.Reason)
}

// TestScramServer_ClientFirst_RFC5802_7 feeds the server malformed or
// refused client-first-messages; each gets the server-error-value RFC
// 5802 sections 5.1, 6 and 7 call for.
func TestScramServer_ClientFirst_RFC5802_7(t *testing.T) {
	v := scramVectors[1]
	tlsExporter := []ChannelBinding{{Type: TLSExporter, Data: []byte("0123456789abcdef0123456789abcdef")}}
	for _, tc := range []struct {
		name     string
		mech     string
		bindings []ChannelBinding
		msg      string
		reason   string // "" means accepted
	}{
		{"valid", ScramSHA256, nil, "n,,n=user,r=abc", ""},
		{"extensions ignored", ScramSHA256, nil, "n,,n=user,r=abc,x=ext,y=more", ""},
		{"y without binding on the server", ScramSHA256, nil, "y,,n=user,r=abc", ""},
		{"y while the server binds: downgrade (6)", ScramSHA256, tlsExporter, "y,,n=user,r=abc", ScramServerDoesSupportCB},
		{"n while the server binds", ScramSHA256, tlsExporter, "n,,n=user,r=abc", ""},
		{"p with the base name", ScramSHA256, tlsExporter, "p=tls-exporter,,n=user,r=abc", ScramOtherError},
		{"n with -PLUS", ScramSHA256Plus, tlsExporter, "n,,n=user,r=abc", ScramOtherError},
		{"y with -PLUS", ScramSHA256Plus, tlsExporter, "y,,n=user,r=abc", ScramOtherError},
		{"p with an unknown type (6)", ScramSHA256Plus, tlsExporter, "p=tls-unique,,n=user,r=abc", ScramUnsupportedCBType},
		{"p with a known type", ScramSHA256Plus, tlsExporter, "p=tls-exporter,,n=user,r=abc", ""},
		{"bad gs2 flag (5)", ScramSHA256, nil, "x,,n=user,r=abc", ScramInvalidEncoding},
		{"bad cb-name", ScramSHA256Plus, tlsExporter, "p=tls_exporter,,n=user,r=abc", ScramInvalidEncoding},
		{"no gs2 header", ScramSHA256, nil, "n=user,r=abc", ScramInvalidEncoding},
		{"gs2 header not terminated", ScramSHA256, nil, "n,a=user", ScramInvalidEncoding},
		{"empty authzid", ScramSHA256, nil, "n,a=,n=user,r=abc", ScramInvalidEncoding},
		{"authzid without a=", ScramSHA256, nil, "n,b=x,n=user,r=abc", ScramInvalidEncoding},
		{"authzid bad escape", ScramSHA256, nil, "n,a=x=41,n=user,r=abc", ScramInvalidEncoding},
		{"mandatory extension m= (5.1)", ScramSHA256, nil, "n,,m=ext,n=user,r=abc", ScramExtensionsNotSupported},
		{"username bad escape =2X (5.1)", ScramSHA256, nil, "n,,n=us=2Xer,r=abc", ScramInvalidUsernameEncoding},
		{"username trailing =", ScramSHA256, nil, "n,,n=user=,r=abc", ScramInvalidUsernameEncoding},
		{"username invalid UTF-8 (7)", ScramSHA256, nil, "n,,n=us\xffer,r=abc", ScramInvalidUsernameEncoding},
		{"extension invalid UTF-8", ScramSHA256, nil, "n,,n=user,r=abc,x=\xff", ScramInvalidEncoding},
		{"empty username", ScramSHA256, nil, "n,,n=,r=abc", ScramInvalidEncoding},
		{"attributes out of order", ScramSHA256, nil, "n,,r=abc,n=user", ScramInvalidEncoding},
		{"no nonce", ScramSHA256, nil, "n,,n=user", ScramInvalidEncoding},
		{"nonce with DEL", ScramSHA256, nil, "n,,n=user,r=ab\x7f", ScramInvalidEncoding},
		{"nonce with NUL", ScramSHA256, nil, "n,,n=user,r=ab\x00", ScramInvalidEncoding},
		{"empty attribute", ScramSHA256, nil, "n,,n=user,,r=abc", ScramInvalidEncoding},
		{"attribute without =", ScramSHA256, nil, "n,,n=user,r=abc,xyz", ScramInvalidEncoding},
		{"at the size limit", ScramSHA256, nil, "n,,n=user,r=" + strings.Repeat("a", maxScramMessage-len("n,,n=user,r=")), ""},
		{"one past the size limit", ScramSHA256, nil, "n,,n=user,r=" + strings.Repeat("a", maxScramMessage-len("n,,n=user,r=")+1), ScramInvalidEncoding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vv := v
			vv.mech = tc.mech
			s := vectorServer(t, vv, ScramServerOptions{Bindings: tc.bindings})
			ch, done, err := s.Next([]byte(tc.msg))
			require.False(t, done)
			if tc.reason == "" {
				require.NoError(t, err)
				require.True(t, strings.HasPrefix(string(ch), "r="))
				return
			}
			requireScramError(t, err, tc.reason)
			_, _, err = s.Next([]byte("c=biws,r=x,p=eA=="))
			require.ErrorIs(t, err, ErrUnexpected, "a failed exchange stays failed")
		})
	}
}

// TestScramServer_UnknownUser: the Lookup's error comes back unchanged,
// and credentials of the wrong shape are refused.
func TestScramServer_Lookup(t *testing.T) {
	v := scramVectors[1]
	s := vectorServer(t, v, ScramServerOptions{})
	_, _, err := s.Next([]byte("n,,n=nobody,r=abc"))
	require.ErrorIs(t, err, errBad)

	sha1Creds := vectorCreds(t, scramVectors[0])
	s = vectorServer(t, v, ScramServerOptions{Lookup: func(string, string) (ScramCredentials, error) { return sha1Creds, nil }})
	_, _, err = s.Next([]byte("n,,n=user,r=abc"))
	requireScramError(t, err, ScramOtherError)

	_, err = NewScramServer(ScramSHA256Plus, ScramServerOptions{Lookup: s.opts.Lookup})
	require.ErrorIs(t, err, ErrNoChannelBinding, "-PLUS needs a binding")
	_, err = NewScramServer(ScramSHA256, ScramServerOptions{})
	require.Error(t, err, "no Lookup")
	_, err = NewScramServer("SCRAM-SHA-512", ScramServerOptions{Lookup: s.opts.Lookup})
	require.Error(t, err)
}

// proofFor computes a valid client-final-message for the vector with
// extra attributes between the nonce and the proof (RFC 5802 section 7,
// extensions), as a client would.
func proofFor(t *testing.T, v scramVector, withoutProof string) string {
	m, err := lookupScram(v.mech)
	require.NoError(t, err)
	salt, _ := base64.StdEncoding.DecodeString(v.salt)
	salted, err := m.saltedPassword(v.password, salt, v.iterations)
	require.NoError(t, err)
	ck, sk, _ := m.keys(salted)
	bare := strings.TrimPrefix(v.clientFirst, "n,,")
	auth := bare + "," + v.serverFirst + "," + withoutProof
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(xorBytes(ck, m.hmac(sk, auth)))
}

// TestScramServer_ClientFinal_RFC5802_7 feeds the server malformed
// client-final-messages after a valid first round.
func TestScramServer_ClientFinal_RFC5802_7(t *testing.T) {
	v := scramVectors[1]
	nonce := v.cnonce + v.snonce
	good := v.clientFinal
	proof := good[strings.LastIndex(good, ",p="):]
	for _, tc := range []struct {
		name, msg, reason string
	}{
		{"valid", good, ""},
		{"extension before the proof", proofFor(t, v, "c=biws,r="+nonce+",x=ext"), ""},
		{"channel binding differs: y,,", "c=eSws,r=" + nonce + proof, ScramChannelBindingsDontMatch},
		{"channel binding not base64", "c=b!ws,r=" + nonce + proof, ScramInvalidEncoding},
		{"nonce mismatch", "c=biws,r=" + nonce + "x" + proof, ScramOtherError},
		{"client nonce only", "c=biws,r=" + v.cnonce + proof, ScramOtherError},
		{"bad proof", "c=biws,r=" + nonce + ",p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ScramInvalidProof},
		{"proof too short", "c=biws,r=" + nonce + ",p=AAAA", ScramInvalidProof},
		{"proof not base64", "c=biws,r=" + nonce + ",p=****", ScramInvalidProof},
		{"no proof", "c=biws,r=" + nonce, ScramInvalidEncoding},
		{"proof not last", "c=biws,r=" + nonce + proof + ",x=y", ScramInvalidEncoding},
		{"order", "r=" + nonce + ",c=biws" + proof, ScramInvalidEncoding},
		{"extension changes the AuthMessage", "c=biws,r=" + nonce + ",x=ext" + proof, ScramInvalidProof},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := vectorServer(t, v, ScramServerOptions{})
			_, _, err := s.Next([]byte(v.clientFirst))
			require.NoError(t, err)
			ch, done, err := s.Next([]byte(tc.msg))
			if tc.reason == "" {
				require.NoError(t, err)
				require.True(t, done)
				require.Equal(t, v.serverFinal[:2], string(ch[:2]))
				return
			}
			require.False(t, done)
			requireScramError(t, err, tc.reason)
		})
	}
}

// TestScramServer_Authzid_RFC5802_5_1: an authzid other than the user is
// refused without an Authorize function, and its error passes through.
func TestScramServer_Authzid_RFC5802_5_1(t *testing.T) {
	creds, err := NewScramCredentials(ScramSHA1, "pw", []byte("salt"), 4096)
	require.NoError(t, err)
	lookup := func(string, string) (ScramCredentials, error) { return creds, nil }
	for _, tc := range []struct {
		name      string
		authzid   string
		authorize func(string, string) error
		check     func(t *testing.T, err error)
	}{
		{"same as user", "alice", nil, func(t *testing.T, err error) { require.NoError(t, err) }},
		{"other, no Authorize", "bob", nil, func(t *testing.T, err error) { requireScramError(t, err, ScramOtherError) }},
		{"other, refused", "bob", func(string, string) error { return errBad }, func(t *testing.T, err error) { require.ErrorIs(t, err, errBad) }},
		{"other, allowed", "bob", func(u, a string) error { return nil }, func(t *testing.T, err error) { require.NoError(t, err) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewScramServer(ScramSHA1, ScramServerOptions{Lookup: lookup, Authorize: tc.authorize})
			require.NoError(t, err)
			c := NewScramClient(ScramSHA1, ScramClientOptions{Username: "alice", Password: "pw", Authzid: tc.authzid})
			tc.check(t, runPair(t, c, s))
		})
	}
}

// clientAfterStart is a SHA-256 client with the RFC 7677 nonce, started.
func clientAfterStart(t *testing.T, opts ScramClientOptions) *scramClient {
	opts.Username, opts.Password = "user", "pencil"
	c := NewScramClient(ScramSHA256, opts).(*scramClient)
	c.nonce = scramVectors[1].cnonce
	_, _, err := c.Start()
	require.NoError(t, err)
	return c
}

// TestScramClient_ServerFirst_RFC5802_5_1 feeds the client malformed or
// hostile server-first-messages; each cancels the exchange.
func TestScramClient_ServerFirst_RFC5802_5_1(t *testing.T) {
	v := scramVectors[1]
	n := v.cnonce + v.snonce
	for _, tc := range []struct {
		name string
		max  int
		msg  string
		ok   bool
	}{
		{"valid", 0, v.serverFirst, true},
		{"extension ignored", 0, v.serverFirst + ",x=y", true},
		{"mandatory extension", 0, "m=ext," + v.serverFirst, false},
		{"nonce does not extend ours", 0, "r=zz" + v.snonce + ",s=" + v.salt + ",i=4096", false},
		{"nonce is ours alone", 0, "r=" + v.cnonce + ",s=" + v.salt + ",i=4096", false},
		{"nonce with a space", 0, "r=" + n + " x,s=" + v.salt + ",i=4096", false},
		{"salt not base64", 0, "r=" + n + ",s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096", false},
		{"iterations 4095, below the minimum", 0, "r=" + n + ",s=" + v.salt + ",i=4095", false},
		{"iterations at the configured maximum", 4096, "r=" + n + ",s=" + v.salt + ",i=4096", true},
		{"iterations one past the configured maximum", 4096, "r=" + n + ",s=" + v.salt + ",i=4097", false},
		{"iterations at the default maximum", 0, "r=" + n + ",s=" + v.salt + ",i=1048576", true},
		{"iterations one past the default maximum", 0, "r=" + n + ",s=" + v.salt + ",i=1048577", false},
		{"iterations with a leading zero", 0, "r=" + n + ",s=" + v.salt + ",i=04096", false},
		{"iterations ten digits", 0, "r=" + n + ",s=" + v.salt + ",i=1000000000", false},
		{"iterations not a number", 0, "r=" + n + ",s=" + v.salt + ",i=40x6", false},
		{"missing iterations", 0, "r=" + n + ",s=" + v.salt, false},
		{"order", 0, "s=" + v.salt + ",r=" + n + ",i=4096", false},
		{"too long", 0, "r=" + n + ",s=" + v.salt + ",i=4096,x=" + strings.Repeat("a", maxScramMessage), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientAfterStart(t, ScramClientOptions{MaxIterations: tc.max})
			resp, err := c.Next([]byte(tc.msg))
			if tc.ok {
				require.NoError(t, err)
				require.True(t, strings.HasPrefix(string(resp), "c=biws,r="+n+",p="))
				return
			}
			require.Error(t, err)
		})
	}
	c := clientAfterStart(t, ScramClientOptions{})
	_, err := c.Next([]byte("m=ext," + v.serverFirst))
	requireScramError(t, err, ScramExtensionsNotSupported)
}

// TestScramClient_ServerFinal_RFC5802_5 checks the server-final-message:
// the server's error, a wrong signature, a third challenge.
func TestScramClient_ServerFinal_RFC5802_5(t *testing.T) {
	v := scramVectors[1]
	for _, tc := range []struct {
		name, msg string
		check     func(t *testing.T, err error)
	}{
		{"e=invalid-proof", "e=invalid-proof", func(t *testing.T, err error) { requireScramError(t, err, ScramInvalidProof) }},
		{"e= an unknown value", "e=too-tired", func(t *testing.T, err error) { requireScramError(t, err, "too-tired") }},
		{"wrong signature", "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=", func(t *testing.T, err error) { require.Error(t, err) }},
		{"signature not base64", "v=6rriTRBi23WpRR", func(t *testing.T, err error) { require.Error(t, err) }},
		{"other attribute", "x=1", func(t *testing.T, err error) { require.Error(t, err) }},
		{"not attributes", "hello", func(t *testing.T, err error) { require.Error(t, err) }},
		{"not UTF-8", "e=\xff", func(t *testing.T, err error) {
			var se *ScramError
			require.False(t, errors.As(err, &se))
			require.Error(t, err)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientAfterStart(t, ScramClientOptions{})
			_, err := c.Next([]byte(v.serverFirst))
			require.NoError(t, err)
			_, err = c.Next([]byte(tc.msg))
			tc.check(t, err)
			require.False(t, c.Verified())
		})
	}
	c := clientAfterStart(t, ScramClientOptions{})
	_, err := c.Next([]byte(v.serverFirst))
	require.NoError(t, err)
	_, err = c.Next([]byte(v.serverFinal + ",x=ext"))
	require.NoError(t, err, "extensions after v= are ignored")
	require.True(t, c.Verified())
	_, err = c.Next([]byte("more"))
	require.ErrorIs(t, err, ErrUnexpected)
}

// TestScramClient_Start checks what the client refuses to send and the
// channel binding flag it picks (RFC 5802 section 6).
func TestScramClient_Start(t *testing.T) {
	_, _, err := NewScramClient("SCRAM-SHA-512", ScramClientOptions{Username: "u"}).Start()
	require.Error(t, err)
	_, _, err = NewScramClient(ScramSHA1, ScramClientOptions{}).Start()
	require.Error(t, err, "empty username")
	_, _, err = NewScramClient(ScramSHA1, ScramClientOptions{Username: "a\x00b"}).Start()
	require.Error(t, err)
	_, _, err = NewScramClient(ScramSHA1, ScramClientOptions{Username: "u", Authzid: "\xff"}).Start()
	require.Error(t, err)
	_, _, err = NewScramClient(ScramSHA256Plus, ScramClientOptions{Username: "u"}).Start()
	require.ErrorIs(t, err, ErrNoChannelBinding, "-PLUS without a channel")

	cb := &ChannelBinding{Type: TLSExporter, Data: []byte("x")}
	for _, tc := range []struct {
		name    string
		mech    string
		cb      *ChannelBinding
		offered []string
		want    string // mechanism and GS2 header
	}{
		{"no channel", ScramSHA256, nil, []string{ScramSHA256Plus}, "SCRAM-SHA-256 n,,"},
		{"channel, -PLUS offered", ScramSHA256, cb, []string{"PLAIN", "scram-sha-256-plus"}, "SCRAM-SHA-256-PLUS p=tls-exporter,,"},
		{"channel, no -PLUS offered: y", ScramSHA256, cb, []string{ScramSHA256, ScramSHA1Plus}, "SCRAM-SHA-256 y,,"},
		{"channel, offer unknown: y", ScramSHA1, cb, nil, "SCRAM-SHA-1 y,,"},
		{"-PLUS asked for", ScramSHA1Plus, cb, nil, "SCRAM-SHA-1-PLUS p=tls-exporter,,"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewScramClient(tc.mech, ScramClientOptions{Username: "u"}).(*scramClient)
			c.cb, c.offered = tc.cb, tc.offered
			mech, ir, err := c.Start()
			require.NoError(t, err)
			require.Equal(t, tc.want, mech+" "+c.gs2)
			require.True(t, strings.HasPrefix(string(ir), c.gs2+"n=u,r="))
		})
	}
}

// TestSASLName_RFC5802_5_1 checks the saslname escapes both ways.
func TestSASLName_RFC5802_5_1(t *testing.T) {
	for _, tc := range []struct{ raw, wire string }{
		{"user", "user"},
		{"a,b", "a=2Cb"},
		{"a=b", "a=3Db"},
		{"=,=", "=3D=2C=3D"},
	} {
		require.Equal(t, tc.wire, escapeSASLName(tc.raw))
		got, err := unescapeSASLName(tc.wire)
		require.NoError(t, err)
		require.Equal(t, tc.raw, got)
	}
	for _, bad := range []string{"", "a=", "a=2", "a=2c", "a=3d", "a=41", "=", "a\x00b", "\xc3"} {
		_, err := unescapeSASLName(bad)
		require.Error(t, err, "%q", bad)
	}
}
