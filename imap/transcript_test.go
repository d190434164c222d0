package imap

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// playTranscript returns a client on an in-memory connection whose other
// end plays the S: lines of testdata/transcripts/client/name (the format
// is internal/transcript's) and checks that the client sends exactly the
// C: lines, in order.
func playTranscript(t *testing.T, name string) *Client {
	t.Helper()
	conn := transcript.Client{}.Play(t, filepath.Join("testdata/transcripts/client", name))
	return newTestClient(t, conn, nil)
}

// TestClientTranscript_RFC3501_8 replays the sample session of RFC 3501
// section 8 and checks what the client made of it.
func TestClientTranscript_RFC3501_8(t *testing.T) {
	ctx := testCtx(t)
	c := playTranscript(t, "rfc3501_8.txt")
	require.NoError(t, c.Login(ctx, "mrc", "secret"))
	mb, err := c.Select(ctx, "inbox", nil)
	require.NoError(t, err)
	assert.Equal(t, &SelectedMailbox{
		Name: "inbox", NumMessages: 18, NumRecent: 2, FirstUnseen: 17, UIDValidity: 3857529045,
		Flags: []Flag{FlagAnswered, FlagFlagged, FlagDeleted, FlagSeen, FlagDraft},
	}, mb)

	msgs, err := c.Fetch(ctx, SeqSetNum(12), &FetchOptions{Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, Body: true}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, uint32(12), m.Seq)
	assert.Equal(t, []Flag{FlagSeen}, m.Flags)
	assert.Equal(t, "1996-07-17T02:44:25-07:00", m.InternalDate.Format(time.RFC3339))
	assert.Equal(t, int64(4286), m.RFC822Size)
	gray := []Address{{Name: "Terry Gray", Mailbox: "gray", Host: "cac.washington.edu"}}
	assert.Equal(t, &Envelope{
		Date:    "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
		Subject: "IMAP4rev1 WG mtg summary and minutes",
		From:    gray, Sender: gray, ReplyTo: gray,
		To:        []Address{{Mailbox: "imap", Host: "cac.washington.edu"}},
		Cc:        []Address{{Mailbox: "minutes", Host: "CNRI.Reston.VA.US"}, {Name: "John Klensin", Mailbox: "KLENSIN", Host: "MIT.EDU"}},
		MessageID: "<B27397-0100000@cac.washington.edu>",
	}, m.Envelope)
	assert.Equal(t, &BodyStructure{
		Type: "text", Subtype: "plain", Params: []Param{{"CHARSET", "US-ASCII"}},
		Encoding: "7BIT", Size: 3028, Lines: 92,
	}, m.BodyStructure)

	header := &FetchItemBodySection{Specifier: PartHeader}
	msgs, err = c.Fetch(ctx, SeqSetNum(12), &FetchOptions{BodySection: []*FetchItemBodySection{header}}).Collect()
	require.NoError(t, err)
	body := msgs[0].FindBodySection(header)
	assert.Len(t, body, 342)
	assert.True(t, strings.HasPrefix(string(body), "Date: Wed, 17 Jul 1996"))

	stored, err := c.Store(ctx, SeqSetNum(12), &StoreFlags{Op: StoreFlagsAdd, Flags: []Flag{"\\deleted"}}, nil).Collect()
	require.NoError(t, err)
	assert.Equal(t, []Flag{FlagSeen, FlagDeleted}, stored[0].Flags)
	require.NoError(t, c.Logout(ctx))
}

// TestClientTranscript_Extensions replays extensions.txt.
func TestClientTranscript_Extensions(t *testing.T) {
	ctx := testCtx(t)
	var alerts []string
	var expunged []uint32
	exists := make(chan uint32, 1)
	c := playTranscript(t, "extensions.txt")
	c.opts.Unilateral = UnilateralHandler{
		Status:  func(st *StatusResponse) { alerts = append(alerts, string(st.Code)+" "+st.Text) },
		Expunge: func(seq uint32) { expunged = append(expunged, seq) },
		Exists:  func(n uint32) { exists <- n },
	}
	require.NoError(t, c.Authenticate(ctx, PlainAuth("", "alice", "secret")))
	assert.True(t, c.Supports(CapCondStore), "capabilities from the tagged OK")
	enabled, err := c.Enable(ctx, CapCondStore)
	require.NoError(t, err)
	assert.Equal(t, []Cap{CapCondStore}, enabled)

	msg := "Subject: hi\r\n"
	data, err := c.Append(ctx, "Drafts", int64(len(msg)), strings.NewReader(msg), &AppendOptions{Flags: []Flag{FlagDraft}})
	require.NoError(t, err)
	assert.Equal(t, &AppendData{UIDValidity: 38505, UID: 3955}, data)

	mb, err := c.Select(ctx, "Drafts", nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(715194045007), mb.HighestModSeq)

	res, err := c.UIDSearch(ctx, &SearchCriteria{NotFlag: []Flag{FlagSeen}}, &SearchOptions{ReturnMin: true, ReturnMax: true, ReturnCount: true})
	require.NoError(t, err)
	assert.Equal(t, &SearchData{Min: 3950, Max: 3955, Count: 2, UID: true}, res)
	assert.Equal(t, []uint32{1}, expunged)
	assert.Equal(t, []string{"ALERT system going down soon"}, alerts)
	assert.Equal(t, uint32(2), c.Mailbox().NumMessages)

	idleCtx, stop := context.WithCancel(ctx)
	go func() { <-exists; stop() }()
	require.NoError(t, c.Idle(idleCtx))

	_, err = c.Copy(ctx, SeqSetRange(1, 2), "Archive")
	var st *StatusResponse
	require.True(t, errors.As(err, &st))
	assert.Equal(t, StatusNO, st.Type)
	assert.Equal(t, CodeTryCreate, st.Code)
	assert.Equal(t, "T7", st.Tag)
}

// TestClientTranscript_RFC9051_6_3_2 replays IMAP4rev2 responses: the LIST and
// [CLOSED] that SELECT may carry, and ESEARCH for every SEARCH.
func TestClientTranscript_RFC9051_6_3_2(t *testing.T) {
	ctx := testCtx(t)
	c := playTranscript(t, "rfc9051.txt")
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	_, err := c.Enable(ctx, CapIMAP4rev2)
	require.NoError(t, err)
	assert.True(t, c.Enabled(CapIMAP4rev2))
	mb, err := c.Select(ctx, Inbox, nil)
	require.NoError(t, err)
	assert.Equal(t, uint32(172), mb.NumMessages)
	assert.Equal(t, uint32(4392), mb.UIDNext)
	mb, err = c.Select(ctx, "Drafts", nil)
	require.NoError(t, err)
	assert.Equal(t, uint32(5), mb.NumMessages)
	assert.Len(t, mb.PermanentFlags, 6)
	assert.Equal(t, StateSelected, c.State())

	res, err := c.Search(ctx, &SearchCriteria{
		Flag:  []Flag{FlagFlagged},
		Since: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC),
		Not:   []SearchCriteria{{Header: []SearchHeader{{"From", "Smith"}}}},
	}, &SearchOptions{ReturnMin: true, ReturnCount: true})
	require.NoError(t, err)
	assert.Equal(t, uint32(2), res.Min)
	assert.Equal(t, uint32(3), res.Count)
	res, err = c.Search(ctx, &SearchCriteria{Flag: []Flag{FlagFlagged}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2, 10, 11}, res.Nums())
}
