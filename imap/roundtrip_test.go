package imap

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// assertRoundTrip writes m's ENVELOPE and BODYSTRUCTURE with the server's
// writer, reads them back, and checks that nothing changed.
func assertRoundTrip(t *testing.T, m *FetchMessageBuffer) {
	t.Helper()
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	w.UTF8 = true
	writeFetchItem(w, FetchItemDataEnvelope{m.Envelope})
	w.SP()
	writeFetchItem(w, FetchItemDataBodyStructure{m.BodyStructure, true})
	require.NoError(t, w.Flush())
	r := wire.NewReader(&buf, wire.Limits{})
	env, err := readFetchItem(r)
	require.NoError(t, err, buf.String())
	require.NoError(t, r.SP())
	bs, err := readFetchItem(r)
	require.NoError(t, err, buf.String())
	assert.Equal(t, m.Envelope, env.(FetchItemDataEnvelope).Envelope)
	assert.Equal(t, m.BodyStructure, bs.(FetchItemDataBodyStructure).BodyStructure)
}
