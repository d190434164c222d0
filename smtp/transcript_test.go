package smtp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/internal/transcript"
)

// TestServerTranscripts plays testdata/transcripts/server/*.txt, exchanges
// like those of RFC 5321 appendix D, in the format internal/transcript
// documents. Options that start with a capital letter set the Server field
// of that name; "@ tls" gives the server a certificate for STARTTLS
// (RFC 3207). Checks, about the last message the backend stored:
//
//	= messages 2              the backend holds 2 messages
//	= data Subject: x\r\n     its data
//	= from a@b.test           its reverse path
//	= to a@b.test,c@d.test    its recipients
//	= identity alice          its authenticated identity
//	= tls true                whether it came over TLS
//	= protocol ESMTPSA        its Received "with" protocol (RFC 3848)
//	= body 8BITMIME           its MAIL BODY parameter (RFC 6152)
func TestServerTranscripts(t *testing.T) {
	servertest.Transcripts(t, func(testing.TB) (servertest.Servable, *transcript.Target, func(transcript.Option) error) {
		b := &testBackend{}
		return &Server{Domain: "mx.test", Backend: b, CommandTimeout: 10 * time.Second},
			&transcript.Target{Check: func(name, arg string) error { return checkTranscript(b, name, arg) }}, nil
	})
}

// checkTranscript answers a transcript's "=" line. Deliveries finish before
// their reply is written, so the messages are there when it runs.
func checkTranscript(b *testBackend, name, arg string) error {
	msgs := b.Messages()
	if name == "messages" {
		if n, err := strconv.Atoi(arg); err != nil || n != len(msgs) {
			return fmt.Errorf("the backend holds %d", len(msgs))
		}
		return nil
	}
	if len(msgs) == 0 {
		return errors.New("no message stored")
	}
	last := msgs[len(msgs)-1]
	got, ok := map[string]string{
		"data":     last.Data,
		"from":     last.From,
		"to":       strings.Join(last.To, ","),
		"identity": last.Identity,
		"tls":      strconv.FormatBool(last.TLS),
		"protocol": last.Protocol,
		"body":     string(last.MailOpts.Body),
	}[name]
	switch {
	case !ok:
		return fmt.Errorf("unknown check %q", name)
	case got != arg:
		return fmt.Errorf("got %q", got)
	}
	return nil
}
