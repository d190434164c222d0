package message

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// header builds a header from alternating names and values.
func header(kv ...string) Header {
	var h Header
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestNewSMTPEnvelope_RFC5322_3_6(t *testing.T) {
	tests := []struct {
		name   string
		fields []string
		want   SMTPEnvelope // zero: an error is expected
	}{
		{"From alone", []string{"From", "Mary <mary@example.net>", "To", "jdoe@example.org"},
			SMTPEnvelope{"mary@example.net", []string{"jdoe@example.org"}}},
		{"3.6.2 Sender with several From", []string{"From", "a@example.net, b@example.net", "Sender", "sec@example.net", "To", "c@example.org"},
			SMTPEnvelope{"sec@example.net", []string{"c@example.org"}}},
		{"3.6.2 Sender with one From", []string{"From", "a@example.net", "Sender", "list-bounces@example.net", "To", "c@example.org"},
			SMTPEnvelope{"list-bounces@example.net", []string{"c@example.org"}}},
		{"3.6.2 several From and no Sender", []string{"From", "a@example.net, b@example.net", "To", "c@example.org"}, SMTPEnvelope{}},
		{"two Sender mailboxes", []string{"From", "a@example.net", "Sender", "a@example.net, b@example.net", "To", "c@example.org"}, SMTPEnvelope{}},
		{"no From", []string{"To", "c@example.org"}, SMTPEnvelope{}},
		{"From without a domain", []string{"From", "mary", "To", "c@example.org"}, SMTPEnvelope{}},
		{"3.6.3 To, Cc and Bcc in order", []string{"From", "a@x.org", "Bcc", "z@x.org", "To", "t@x.org", "Cc", "c1@x.org, c2@x.org"},
			SMTPEnvelope{"a@x.org", []string{"t@x.org", "c1@x.org", "c2@x.org", "z@x.org"}}},
		{"RFC 5321 2.4 domains compare without case", []string{"From", "a@x.org", "To", "t@example.org", "Cc", "t@EXAMPLE.ORG", "Bcc", "T@example.org"},
			SMTPEnvelope{"a@x.org", []string{"t@example.org", "T@example.org"}}},
		{"groups", []string{"From", "a@x.org", "To", "Team: b@x.org, c@x.org;, d@x.org"},
			SMTPEnvelope{"a@x.org", []string{"b@x.org", "c@x.org", "d@x.org"}}},
		{"undisclosed recipients and Bcc", []string{"From", "a@x.org", "To", "undisclosed-recipients:;", "Bcc", "b@x.org"},
			SMTPEnvelope{"a@x.org", []string{"b@x.org"}}},
		{"empty Bcc", []string{"From", "a@x.org", "To", "b@x.org", "Bcc", ""},
			SMTPEnvelope{"a@x.org", []string{"b@x.org"}}},
		{"quoted local part", []string{"From", "a@x.org", "To", `"john doe"@x.org`},
			SMTPEnvelope{"a@x.org", []string{`"john doe"@x.org`}}},
		{"RFC 6531 UTF-8 addresses", []string{"From", "홍길동 <길동@예시.한국>", "To", "用户@例子.广告"},
			SMTPEnvelope{"길동@예시.한국", []string{"用户@例子.广告"}}},
		{"two To fields", []string{"From", "a@x.org", "To", "b@x.org", "To", "c@x.org"},
			SMTPEnvelope{"a@x.org", []string{"b@x.org", "c@x.org"}}},
		{"no recipient", []string{"From", "a@x.org", "Subject", "to no one"}, SMTPEnvelope{}},
		{"recipient without a domain", []string{"From", "a@x.org", "To", "b@x.org, postmaster"}, SMTPEnvelope{}},
		{"null recipient", []string{"From", "a@x.org", "To", "<>"}, SMTPEnvelope{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := header(tt.fields...)
			env, err := NewSMTPEnvelope(&h)
			if tt.want.RcptTo == nil {
				assert.ErrorIs(t, err, ErrNoEnvelope)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, env)
		})
	}
}

// TestBuilder_EnvelopeMailFrom checks that MailFrom overrides the
// reverse-path, "<>" meaning the null path of RFC 5321 section 4.5.5.
func TestBuilder_EnvelopeMailFrom(t *testing.T) {
	tests := []struct {
		mailFrom string
		want     string
		ok       bool
	}{
		{"", "a@x.org", false}, // several From: only MailFrom can say
		{"<>", "", true},
		{"bounces+123@x.org", "bounces+123@x.org", true},
		{"<bounces@x.org>", "bounces@x.org", true},
		{"Bounces <bounces@x.org>", "bounces@x.org", true},
		{"bounces", "", false},
		{"not an address <", "", false},
	}
	for _, tt := range tests {
		b := &Builder{MailFrom: tt.mailFrom, Header: header("From", "a@x.org, b@x.org", "Bcc", "c@x.org")}
		env, err := b.Envelope()
		if !tt.ok {
			assert.ErrorIs(t, err, ErrNoEnvelope, "%q", tt.mailFrom)
			continue
		}
		require.NoError(t, err, "%q", tt.mailFrom)
		assert.Equal(t, SMTPEnvelope{tt.want, []string{"c@x.org"}}, env, "%q", tt.mailFrom)
	}
}
