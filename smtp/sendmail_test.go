package smtp

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSendMail_RFC3207_TLS checks SendMail's two TLS policies: with
// SendOptions.TLSConfig STARTTLS is required, without it it is used when
// offered; a certificate that does not verify is an error in both, and no
// MAIL is sent in cleartext after a failed or missing upgrade that was
// asked for.
func TestSendMail_RFC3207_TLS(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	noSTARTTLS := []string{"PIPELINING", "8BITMIME"}
	sent := []string{"MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>", "DATA", "QUIT"}
	for _, tc := range []struct {
		name   string
		ext    []string
		client *tls.Config
		ok     bool
		lines  []string // what the server received
	}{
		{"required, offered", standardExt, pair.ClientConfig(), true,
			append([]string{"EHLO localhost", "STARTTLS", "EHLO localhost"}, sent...)},
		{"required, not offered", noSTARTTLS, pair.ClientConfig(), false,
			[]string{"EHLO localhost"}},
		{"opportunistic, untrusted certificate", standardExt, nil, false, // the default roots lack the test CA
			[]string{"EHLO localhost", "STARTTLS"}},
		{"opportunistic, not offered", noSTARTTLS, nil, true,
			append([]string{"EHLO localhost"}, sent...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServer{ext: tc.ext, tls: pair.ServerConfig()}
			addr, wait := f.listen(t)
			err := SendMail(context.Background(), addr, nil, "a@b.test", []string{"c@d.test"},
				strings.NewReader("Subject: hi\r\n\r\nhi\r\n"), &SendOptions{TLSConfig: tc.client})
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
			wait()
			assert.Equal(t, tc.lines, f.Lines())
		})
	}
}

// TestSendMail_Parameters checks that SendMail sends SIZE (RFC 1870 6),
// the DSN parameters (RFC 3461 4) and SMTPUTF8 (RFC 6531 3.4) when the
// server offers them, leaves SIZE and DSN out when it does not, and
// refuses a message that needs SMTPUTF8 where it is not offered.
func TestSendMail_Parameters(t *testing.T) {
	dsn := SendOptions{Size: 19, Return: ReturnHeaders, EnvelopeID: "q1", Notify: []DSNNotify{NotifyFailure, NotifyDelay}}
	utf8 := SendOptions{SMTPUTF8: true}
	all := []string{"SIZE 1000", "DSN", "SMTPUTF8"} // no STARTTLS: this is about MAIL
	for _, tc := range []struct {
		name  string
		ext   []string
		opts  SendOptions
		err   error
		lines []string // the first lines after EHLO; none for an error
	}{
		{"offered", all, dsn, nil,
			[]string{"MAIL FROM:<a@b.test> SIZE=19 RET=HDRS ENVID=q1", "RCPT TO:<c@d.test> NOTIFY=FAILURE,DELAY"}},
		{"not offered", []string{"8BITMIME"}, dsn, nil,
			[]string{"MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>"}},
		{"SMTPUTF8 offered", all, utf8, nil,
			[]string{"MAIL FROM:<a@b.test> SMTPUTF8", "RCPT TO:<c@d.test>"}},
		{"SMTPUTF8 not offered", []string{"8BITMIME"}, utf8, ErrClientState, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServer{ext: tc.ext}
			addr, wait := f.listen(t)
			err := SendMail(context.Background(), addr, nil, "a@b.test", []string{"c@d.test"},
				strings.NewReader("Subject: hi\r\n\r\nhi\r\n"), &tc.opts)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			wait()
			lines := f.Lines()[1:] // after EHLO
			if tc.err != nil {
				assert.Empty(t, lines, "nothing sent after EHLO")
				return
			}
			assert.Equal(t, tc.lines, lines[:min(len(lines), len(tc.lines))])
		})
	}
}
