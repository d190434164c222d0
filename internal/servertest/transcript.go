package servertest

import (
	"reflect"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/internal/transcript"
)

// Transcripts plays testdata/transcripts/server/*.txt, in the format
// internal/transcript documents, each against a server that start makes
// (with the target that checks its "=" lines, and a function that takes
// the options of the protocol's own), once the options are applied to
// it: an option whose name starts with a capital letter sets the
// Server's field of that name (transcript.SetField); "@ tls" gives the
// Server a certificate, in its TLSConfig field, for STARTTLS or STLS;
// option, which may be nil, handles the others.
func Transcripts(t *testing.T, start func(t testing.TB) (srv Servable, target *transcript.Target, option func(transcript.Option) error)) {
	transcript.Server{Start: func(t testing.TB, opts []transcript.Option) (*transcript.Target, error) {
		srv, target, option := start(t)
		return serveTranscript(t, srv, opts, target, option)
	}}.Run(t, "testdata/transcripts/server/*.txt")
}

// serveTranscript applies opts to srv, a pointer to a Server, serves it
// until t ends and returns target with its Addr (and TLS) filled in.
func serveTranscript(t testing.TB, srv Servable, opts []transcript.Option, target *transcript.Target, option func(transcript.Option) error) (*transcript.Target, error) {
	for _, o := range opts {
		var err error
		switch {
		case o.IsField():
			err = transcript.SetField(srv, o)
		case o.Name == "tls":
			var pair *testcert.Pair
			if pair, err = testcert.New(); err == nil {
				reflect.ValueOf(srv).Elem().FieldByName("TLSConfig").Set(reflect.ValueOf(pair.ServerConfig()))
				target.TLS = pair.ClientConfig()
			}
		case option != nil:
			err = option(o)
		default:
			err = o.Errorf("unknown option")
		}
		if err != nil {
			return nil, err
		}
	}
	target.Addr = Serve(t, srv)
	return target, nil
}
