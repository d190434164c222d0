package testserver

import "crypto/tls"

// Settings are what the options of every test server set, whatever its
// protocol server S (smtp.Server, pop3.Server, imap.Server): the
// WithTLS, WithImplicitTLS, WithInsecureAuth and WithServer of the One
// shape table in the packages' documentation.
type Settings[S any] struct {
	// TLS offers STARTTLS or STLS with the run-time certificate.
	TLS bool
	// ImplicitTLS serves inside TLS from the first octet (RFC 8314
	// section 3.3).
	ImplicitTLS bool
	// InsecureAuth accepts passwords over cleartext.
	InsecureAuth bool
	// Tweaks are the WithServer functions, in order.
	Tweaks []func(*S)
}

// Configure returns the configuration that opts, a test server's options,
// make of the zero one.
func Configure[C any, O ~func(*C)](opts []O) C {
	var c C
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Secure reports whether the server needs a certificate.
func (st Settings[S]) Secure() bool { return st.TLS || st.ImplicitTLS }

// Tweak runs the WithServer functions on srv, before it starts.
func (st Settings[S]) Tweak(srv *S) {
	for _, fn := range st.Tweaks {
		fn(srv)
	}
}

// Implicit returns conf, the server's TLS configuration once tweaked, for
// Core.Serve when the server speaks TLS from the first octet; else nil.
func (st Settings[S]) Implicit(conf *tls.Config) *tls.Config {
	if st.ImplicitTLS {
		return conf
	}
	return nil
}
