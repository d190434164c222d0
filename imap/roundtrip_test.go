package imap

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/message"
)

// The server writes ENVELOPE, BODY and BODYSTRUCTURE from the message
// package's structure summary (server_structure.go) and the client reads
// them into Envelope and BodyStructure values. These helpers join the
// two: what the server writes for a summary, the client must read as the
// values the summary holds (RFC 3501 section 7.4.2).

// structureItems is what FETCH (ENVELOPE BODY BODYSTRUCTURE) writes for
// st, as the server writes it.
func structureItems(t testing.TB, st *message.Structure) string {
	t.Helper()
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	w.Raw("ENVELOPE ")
	writeMessageEnvelope(w, st.Envelope)
	w.Raw(" BODY ")
	writeMessageStructure(w, st, false)
	w.Raw(" BODYSTRUCTURE ")
	writeMessageStructure(w, st, true)
	require.NoError(t, w.Flush())
	return buf.String()
}

// readStructureItems reads what structureItems wrote with the client's
// parser.
func readStructureItems(t testing.TB, items string) (env *Envelope, body, bs *BodyStructure) {
	t.Helper()
	r := wire.NewReader(bytes.NewReader([]byte(items)), wire.Limits{})
	got := make([]FetchItemData, 3)
	for i := range got {
		if i > 0 {
			require.NoError(t, r.SP(), items)
		}
		var err error
		got[i], err = readFetchItem(r)
		require.NoError(t, err, items)
	}
	b, bok := got[1].(FetchItemDataBodyStructure)
	s, sok := got[2].(FetchItemDataBodyStructure)
	require.True(t, bok && sok && !b.Extended && s.Extended, "%#v", got)
	return got[0].(FetchItemDataEnvelope).Envelope, b.BodyStructure, s.BodyStructure
}

// assertServerRoundTrip writes st as the server does, reads it back as
// the client does, and checks that every field arrived.
func assertServerRoundTrip(t testing.TB, st *message.Structure) {
	t.Helper()
	items := structureItems(t, st)
	env, body, bs := readStructureItems(t, items)
	assert.Equal(t, wantEnvelope(st.Envelope), env, items)
	assert.Equal(t, wantBodyStructure(st, false), body, items)
	assert.Equal(t, wantBodyStructure(st, true), bs, items)
}

// wantEnvelope is the Envelope a client must read for env; an absent
// envelope is all NIL.
func wantEnvelope(env *message.Envelope) *Envelope {
	if env == nil {
		env = &message.Envelope{}
	}
	return &Envelope{
		Date: env.Date, Subject: env.Subject,
		From: wantAddresses(env.From), Sender: wantAddresses(env.Sender), ReplyTo: wantAddresses(env.ReplyTo),
		To: wantAddresses(env.To), Cc: wantAddresses(env.Cc), Bcc: wantAddresses(env.Bcc),
		InReplyTo: env.InReplyTo, MessageID: env.MessageID,
	}
}

func wantAddresses(list []message.EnvelopeAddress) []Address {
	var out []Address
	for _, a := range list {
		out = append(out, Address{Name: a.Name, ADL: a.Route, Mailbox: a.Mailbox, Host: a.Host})
	}
	return out
}

// wantBodyStructure is the BodyStructure a client must read for s, as
// BODYSTRUCTURE (ext) or BODY.
func wantBodyStructure(s *message.Structure, ext bool) *BodyStructure {
	b := &BodyStructure{Type: s.Type, Subtype: s.Subtype}
	if ext {
		b.Ext = 4
		b.Language, b.Location = s.Language, s.Location
		if s.Disposition != "" {
			b.Disposition = &Disposition{Value: s.Disposition, Params: wantParams(s.DispositionParams)}
		}
	}
	if s.IsMultipart() {
		for _, p := range s.Parts {
			b.Children = append(b.Children, wantBodyStructure(p, ext))
		}
		if ext {
			b.Params = wantParams(s.Params)
		}
		return b
	}
	b.Params, b.ID, b.Description, b.Encoding = wantParams(s.Params), s.ID, s.Description, s.Encoding
	b.Size = uint32(s.Size)
	switch {
	case s.Message != nil && s.Type == "message":
		b.Envelope, b.Body, b.Lines = wantEnvelope(s.Message.Envelope), wantBodyStructure(s.Message, ext), uint32(s.Lines)
	case s.Type == "text":
		b.Lines = uint32(s.Lines)
	}
	if ext {
		b.MD5 = s.MD5
	}
	return b
}

func wantParams(ps message.Params) []Param {
	var out []Param
	for _, p := range ps {
		value := p.Value
		if strings.EqualFold(p.Name, "charset") && strings.EqualFold(value, "us-ascii") {
			value = "us-ascii" // as Dovecot writes it (writeMessageParams)
		}
		out = append(out, Param{Name: p.Name, Value: value})
	}
	return out
}

// roundTripCorpus is every sample message of the imap and message
// packages, CRLF line ends, by file name.
func roundTripCorpus(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"testdata/server/messages/*.eml", "testdata/corpus/*.eml", "../message/testdata/corpus/*.eml"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			out[f] = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestServerStructureRoundTrip_RFC3501_7_4_2 writes ENVELOPE, BODY and
// BODYSTRUCTURE of every sample message with the server's writer and
// reads them with the client's parser: every field of the summary
// arrives, at every depth.
func TestServerStructureRoundTrip_RFC3501_7_4_2(t *testing.T) {
	for name, data := range roundTripCorpus(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			st, err := ParseStructure(bytes.NewReader(data), int64(len(data)))
			require.NoError(t, err)
			assertServerRoundTrip(t, st)
		})
	}
}
