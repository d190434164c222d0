package imap_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run our Client against our Server on the messages of a
// mailbox: SEARCH, STORE, COPY, MOVE, EXPUNGE and FETCH.

// TestClientServer_Messages_RFC3501_6_4 covers SELECT, EXAMINE, CHECK,
// SEARCH and UID SEARCH with ESEARCH, STORE and UID STORE, COPY and UID
// COPY (COPYUID), MOVE and UID MOVE, EXPUNGE, UID EXPUNGE, CLOSE and
// UNSELECT.
func TestClientServer_Messages_RFC3501_6_4(t *testing.T) {
	opts := []imaptest.Option{imaptest.WithMailbox("user", "Archive", "")}
	for _, name := range []string{"simple.eml", "multipart.eml", "forward.eml"} {
		opts = append(opts, imaptest.WithMessage("user", imap.Inbox, readMessage(t, name)))
	}
	srv := imaptest.NewServer(t, append(opts, imaptest.WithInsecureAuth())...)
	ctx := testutil.Context(t)
	var mu sync.Mutex
	var expunged []uint32
	c := loginClient(t, srv, &imap.Options{Unilateral: imap.UnilateralHandler{
		Expunge: func(seq uint32) { mu.Lock(); expunged = append(expunged, seq); mu.Unlock() },
	}})

	mb, err := c.Select(ctx, imap.Inbox, &imap.SelectOptions{ReadOnly: true})
	require.NoError(t, err)
	assert.True(t, mb.ReadOnly)
	assert.Equal(t, uint32(3), mb.NumMessages)
	assert.Equal(t, uint32(3), mb.NumRecent)
	assert.Equal(t, uint32(4), mb.UIDNext)
	assert.Equal(t, uint32(1), mb.FirstUnseen)
	assert.Empty(t, mb.PermanentFlags, "EXAMINE: nothing can change")
	err = c.Store(ctx, imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	st := asStatus(t, err)
	assert.Equal(t, imap.StatusNO, st.Type, "STORE on a read-only mailbox")

	mb, err = c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	assert.False(t, mb.ReadOnly)
	assert.Equal(t, uint32(3), mb.NumRecent, "EXAMINE did not take \\Recent (RFC 3501 6.3.2)")
	assert.Contains(t, mb.PermanentFlags, imap.FlagWildcard)
	require.NoError(t, c.Check(ctx))

	searchMessages(t, ctx, c)
	storeFlags(t, ctx, c, srv)
	copyAndMove(t, ctx, c, srv)
	expungeMessages(t, ctx, c)
	mu.Lock()
	assert.Equal(t, []uint32{3, 2, 3, 1, 1}, expunged, "EXPUNGE responses of MOVE and EXPUNGE reach the handler")
	mu.Unlock()
	unselectAndClose(t, ctx, c, srv)
}

// searchMessages is the SEARCH (RFC 3501 6.4.4) and UID SEARCH (6.4.8)
// step of TestClientServer_Messages_RFC3501_6_4, ESEARCH (RFC 4731)
// included.
func searchMessages(t *testing.T, ctx context.Context, c *imap.Client) {
	res, err := c.Search(ctx, &imap.SearchCriteria{Header: []imap.SearchHeader{{Key: "Subject", Value: "LUNCH"}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{3}, res.Nums())
	res, err = c.UIDSearch(ctx, &imap.SearchCriteria{Text: []string{"café"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2}, res.Nums(), "TEXT matches decoded quoted-printable, CHARSET UTF-8")
	assert.True(t, res.UID)
	res, err = c.Search(ctx, &imap.SearchCriteria{
		Or:  [][2]imap.SearchCriteria{{{Body: []string{"pizza"}}, {Header: []imap.SearchHeader{{Key: "From", Value: "gray"}}}}},
		Not: []imap.SearchCriteria{{Larger: 100000}},
	}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 3}, res.Nums())
	res, err = c.Search(ctx, &imap.SearchCriteria{
		SentSince: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Flag: []imap.Flag{imap.FlagRecent},
		NotFlag: []imap.Flag{imap.FlagSeen}, SeqNum: []imap.SeqSet{imap.SeqSetRange(2, 0)},
	}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2, 3}, res.Nums())
	res, err = c.Search(ctx, &imap.SearchCriteria{}, &imap.SearchOptions{ReturnMin: true, ReturnMax: true, ReturnCount: true, ReturnAll: true})
	require.NoError(t, err, "ESEARCH (RFC 4731)")
	assert.Equal(t, uint32(1), res.Min)
	assert.Equal(t, uint32(3), res.Max)
	assert.Equal(t, uint32(3), res.Count)
	assert.Equal(t, "1:3", res.All.String())
	res, err = c.UIDSearch(ctx, &imap.SearchCriteria{Body: []string{"nothing like this"}}, &imap.SearchOptions{ReturnCount: true})
	require.NoError(t, err)
	assert.Equal(t, uint32(0), res.Count)
}

// storeFlags is the STORE step of TestClientServer_Messages_RFC3501_6_4:
// STORE returns FETCH FLAGS unless .SILENT (RFC 3501 6.4.6).
func storeFlags(t *testing.T, ctx context.Context, c *imap.Client, srv *imaptest.Server) {
	stored, err := c.Store(ctx, imap.SeqSetNum(1, 2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged, "$Later"}}, nil).Collect()
	require.NoError(t, err)
	require.Len(t, stored, 2)
	assert.ElementsMatch(t, []imap.Flag{imap.FlagFlagged, "$Later", imap.FlagRecent}, stored[0].Flags)
	stored, err = c.UIDStore(ctx, imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{"$Later"}}, nil).Collect()
	require.NoError(t, err)
	assert.Empty(t, stored, ".SILENT")
	stored, err = c.Store(ctx, imap.SeqSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsSet, Flags: []imap.Flag{imap.FlagAnswered}}, nil).Collect()
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.ElementsMatch(t, []imap.Flag{imap.FlagAnswered, imap.FlagRecent}, stored[0].Flags)
	got, err := srv.Messages("user", imap.Inbox)
	require.NoError(t, err)
	assert.ElementsMatch(t, []imap.Flag{imap.FlagFlagged, "$Later"}, got[0].Flags)
	assert.ElementsMatch(t, []imap.Flag{imap.FlagFlagged}, got[1].Flags)
}

// copyAndMove is the step of TestClientServer_Messages_RFC3501_6_4 after
// storeFlags: COPY and UID COPY with COPYUID (RFC 4315 section 3), MOVE
// and UID MOVE (RFC 6851).
func copyAndMove(t *testing.T, ctx context.Context, c *imap.Client, srv *imaptest.Server) {
	cp, err := c.Copy(ctx, imap.SeqSetRange(1, 2), "Archive")
	require.NoError(t, err)
	assert.Equal(t, "1:2", cp.SourceUIDs.String())
	assert.Equal(t, "1:2", cp.DestinationUIDs.String())
	archive, err := c.Status(ctx, "Archive", &imap.StatusOptions{UIDValidity: true})
	require.NoError(t, err)
	assert.Equal(t, archive.UIDValidity, cp.UIDValidity)
	cp, err = c.UIDCopy(ctx, imap.SeqSetNum(3), "Archive")
	require.NoError(t, err)
	assert.Equal(t, "3", cp.DestinationUIDs.String())
	_, err = c.Copy(ctx, imap.SeqSetNum(1), "Nowhere")
	assert.Equal(t, imap.CodeTryCreate, asStatus(t, err).Code)
	copied, err := srv.Messages("user", "Archive")
	require.NoError(t, err)
	require.Len(t, copied, 3)
	assert.ElementsMatch(t, []imap.Flag{imap.FlagFlagged, "$Later"}, copied[0].Flags, "COPY keeps flags")

	mv, err := c.UIDMove(ctx, imap.SeqSetNum(3), "Archive")
	require.NoError(t, err)
	assert.Equal(t, "3", mv.SourceUIDs.String())
	assert.Equal(t, "4", mv.DestinationUIDs.String())
	assert.Equal(t, uint32(2), c.Mailbox().NumMessages)
	mv, err = c.Move(ctx, imap.SeqSetNum(2), "Archive")
	require.NoError(t, err)
	assert.Equal(t, "2", mv.SourceUIDs.String())
	assert.Equal(t, "5", mv.DestinationUIDs.String())
	assert.Equal(t, uint32(1), c.Mailbox().NumMessages)
}

// expungeMessages is the EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC
// 4315 2.1) step of TestClientServer_Messages_RFC3501_6_4, which leaves
// INBOX empty.
func expungeMessages(t *testing.T, ctx context.Context, c *imap.Client) {
	for _, m := range [][]byte{readMessage(t, "simple.eml"), readMessage(t, "forward.eml")} {
		_, err := c.Append(ctx, imap.Inbox, int64(len(m)), bytes.NewReader(m), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDeleted}})
		require.NoError(t, err)
	}
	require.NoError(t, c.Noop(ctx))
	assert.Equal(t, uint32(3), c.Mailbox().NumMessages, "EXISTS from our own APPEND")
	seqs, err := c.UIDExpunge(ctx, imap.SeqSetNum(5))
	require.NoError(t, err)
	assert.Equal(t, []uint32{3}, seqs)
	require.NoError(t, c.Store(ctx, imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	seqs, err = c.Expunge(ctx)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 1}, seqs)
	assert.Equal(t, uint32(0), c.Mailbox().NumMessages)
}

// unselectAndClose is the last step of
// TestClientServer_Messages_RFC3501_6_4: UNSELECT (RFC 3691), CLOSE (RFC
// 3501 6.4.2) and a SELECT that fails.
func unselectAndClose(t *testing.T, ctx context.Context, c *imap.Client, srv *imaptest.Server) {
	require.NoError(t, c.Unselect(ctx))
	assert.Equal(t, imap.StateAuthenticated, c.State())
	_, err := c.Select(ctx, "Archive", nil)
	require.NoError(t, err)
	require.NoError(t, c.Store(ctx, imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close())
	require.NoError(t, c.CloseMailbox(ctx))
	assert.Equal(t, imap.StateAuthenticated, c.State())
	archived, err := srv.Messages("user", "Archive")
	require.NoError(t, err)
	assert.Len(t, archived, 4, "CLOSE expunges \\Deleted messages (RFC 3501 6.4.2)")
	_, err = c.Select(ctx, "Nowhere", nil)
	assert.Equal(t, imap.StatusNO, asStatus(t, err).Type)
	assert.Equal(t, imap.StateAuthenticated, c.State())
}

// TestClientServer_Fetch_RFC3501_6_4_5 fetches every data item, body
// sections of every form with partials, and checks the values against
// the stored messages.
func TestClientServer_Fetch_RFC3501_6_4_5(t *testing.T) {
	simple, multi, fwd := readMessage(t, "simple.eml"), readMessage(t, "multipart.eml"), readMessage(t, "forward.eml")
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithMessage("user", imap.Inbox, simple),
		imaptest.WithMessage("user", imap.Inbox, multi), imaptest.WithMessage("user", imap.Inbox, fwd))
	ctx := testutil.Context(t)
	c := loginClient(t, srv, nil)
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	stored, err := srv.Messages("user", imap.Inbox)
	require.NoError(t, err)

	whole := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, BodyStructure: true,
		BodySection: []*imap.FetchItemBodySection{whole},
	}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, 3)
	checkFetchItems(t, msgs, stored, whole)
	checkEnvelope(t, msgs)
	checkBodyStructure(t, msgs)

	// BODY without a section is BODYSTRUCTURE without extension data.
	body, err := c.Fetch(ctx, imap.SeqSetNum(2), &imap.FetchOptions{Body: true}).Collect()
	require.NoError(t, err)
	require.NotNil(t, body[0].BodyStructure)
	assert.Equal(t, 0, body[0].BodyStructure.Ext)
	assert.Equal(t, 4, msgs[1].BodyStructure.Ext)

	fetchSections(t, ctx, c, fwd)
	fetchPartialAndSeen(t, ctx, c, srv)
}

// checkFetchItems checks the data items of the messages fetched in
// TestClientServer_Fetch_RFC3501_6_4_5 against the stored ones, whole
// being the BODY.PEEK[] they were fetched with.
func checkFetchItems(t *testing.T, msgs []*imap.FetchMessageBuffer, stored []imapmem.Message, whole *imap.FetchItemBodySection) {
	for i, m := range msgs {
		assert.Equal(t, uint32(i+1), m.Seq)
		assert.Equal(t, stored[i].UID, m.UID)
		assert.Equal(t, []imap.Flag{imap.FlagRecent}, m.Flags)
		assert.True(t, m.InternalDate.Equal(stored[i].InternalDate.Truncate(time.Second)))
		assert.Equal(t, int64(len(stored[i].Data)), m.RFC822Size)
		assert.Equal(t, stored[i].Data, m.FindBodySection(whole))
	}
}

// checkEnvelope checks the ENVELOPE (RFC 3501 7.4.2) of the messages
// fetched in TestClientServer_Fetch_RFC3501_6_4_5.
func checkEnvelope(t *testing.T, msgs []*imap.FetchMessageBuffer) {
	env := msgs[0].Envelope
	assert.Equal(t, "IMAP4rev1 WG mtg summary and minutes", env.Subject)
	assert.Equal(t, "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", env.Date)
	assert.Equal(t, []imap.Address{{Name: "Terry Gray", Mailbox: "gray", Host: "cac.washington.edu"}}, env.From)
	assert.Equal(t, env.From, env.Sender, "RFC 3501 7.4.2: Sender defaults to From")
	assert.Equal(t, env.From, env.ReplyTo)
	assert.Equal(t, []imap.Address{{Mailbox: "imap", Host: "cac.washington.edu"}}, env.To)
	assert.Equal(t, []imap.Address{{Mailbox: "minutes", Host: "CNRI.Reston.VA.US"}, {Name: "John Klensin", Mailbox: "KLENSIN", Host: "MIT.EDU"}}, env.Cc)
	assert.Equal(t, "<B27397-0100000@cac.washington.edu>", env.MessageID)
	assert.Equal(t, "=?UTF-8?B?w6ljaGFudGlsbG9u?= report", msgs[1].Envelope.Subject, "encoded words as sent")
}

// checkBodyStructure checks the BODYSTRUCTURE (RFC 3501 7.4.2) of the
// messages fetched in TestClientServer_Fetch_RFC3501_6_4_5: a single
// part, a multipart with an attachment and a forwarded message.
func checkBodyStructure(t *testing.T, msgs []*imap.FetchMessageBuffer) {
	bs := msgs[0].BodyStructure
	assert.Equal(t, "text", bs.Type)
	assert.Equal(t, "plain", bs.Subtype)
	assert.Equal(t, "us-ascii", bs.Param("charset"), "US-ASCII as Dovecot writes it")
	assert.True(t, strings.EqualFold("7BIT", bs.Encoding), bs.Encoding)
	assert.Equal(t, uint32(55), bs.Size)
	assert.Equal(t, uint32(1), bs.Lines)
	bs = msgs[1].BodyStructure
	require.True(t, bs.IsMultipart())
	assert.Equal(t, "mixed", bs.Subtype)
	assert.Equal(t, "XX", bs.Param("boundary"))
	require.Len(t, bs.Children, 2)
	assert.True(t, strings.EqualFold("QUOTED-PRINTABLE", bs.Children[0].Encoding), bs.Children[0].Encoding)
	att := bs.Children[1]
	assert.Equal(t, "application", att.Type)
	assert.True(t, strings.EqualFold("BASE64", att.Encoding), att.Encoding)
	require.NotNil(t, att.Disposition)
	assert.Equal(t, "attachment", strings.ToLower(att.Disposition.Value))
	inner := msgs[2].BodyStructure.Children[1]
	assert.Equal(t, "message", inner.Type)
	assert.Equal(t, "rfc822", inner.Subtype)
	require.NotNil(t, inner.Envelope)
	assert.Equal(t, "lunch", inner.Envelope.Subject)
	require.NotNil(t, inner.Body)
	assert.Equal(t, "text", inner.Body.Type)
	assert.Equal(t, uint32(4), inner.Lines, "line ends: the last line stops at the delimiter")
}

// fetchSections fetches the sections of RFC 3501 6.4.5 of fwd, the third
// message of TestClientServer_Fetch_RFC3501_6_4_5.
func fetchSections(t *testing.T, ctx context.Context, c *imap.Client, fwd []byte) {
	header := &imap.FetchItemBodySection{Specifier: imap.PartHeader, Peek: true}
	fields := &imap.FetchItemBodySection{Specifier: imap.PartHeaderFields, HeaderFields: []string{"Subject", "From"}, Peek: true}
	notFields := &imap.FetchItemBodySection{Specifier: imap.PartHeaderFieldsNot, HeaderFields: []string{"Subject", "From", "To", "Date", "MIME-Version"}, Peek: true}
	text := &imap.FetchItemBodySection{Specifier: imap.PartText, Peek: true}
	part1 := &imap.FetchItemBodySection{Part: []int{1}, Peek: true}
	mime2 := &imap.FetchItemBodySection{Part: []int{2}, Specifier: imap.PartMIME, Peek: true}
	inner2 := &imap.FetchItemBodySection{Part: []int{2}, Specifier: imap.PartHeader, Peek: true}
	inner21 := &imap.FetchItemBodySection{Part: []int{2, 1}, Peek: true}
	partial := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 6, Size: 10}}
	res, err := c.UIDFetch(ctx, imap.SeqSetNum(3), &imap.FetchOptions{
		BodySection: []*imap.FetchItemBodySection{header, fields, notFields, text, part1, mime2, inner2, inner21, partial},
	}).Collect()
	require.NoError(t, err)
	require.Len(t, res, 1)
	m := res[0]
	hdrEnd := bytes.Index(fwd, []byte("\r\n\r\n")) + 4
	assert.Equal(t, string(fwd[:hdrEnd]), string(m.FindBodySection(header)))
	assert.Equal(t, "From: Carol <carol@example.net>\r\nSubject: Fwd: lunch\r\n\r\n", string(m.FindBodySection(fields)))
	assert.Equal(t, "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n", string(m.FindBodySection(notFields)))
	assert.Equal(t, string(fwd[hdrEnd:]), string(m.FindBodySection(text)))
	assert.Equal(t, "See below.", string(m.FindBodySection(part1)))
	assert.Equal(t, "Content-Type: message/rfc822\r\n\r\n", string(m.FindBodySection(mime2)))
	assert.Equal(t, "From: Erin <erin@example.com>\r\nSubject: lunch\r\nDate: Mon, 1 Jan 2024 09:00:00 +0000\r\n\r\n", string(m.FindBodySection(inner2)))
	assert.Equal(t, "Pizza at noon?", string(m.FindBodySection(inner21)))
	assert.Equal(t, string(fwd[6:16]), string(m.FindBodySection(partial)))
}

// fetchPartialAndSeen is the last step of
// TestClientServer_Fetch_RFC3501_6_4_5: a partial past the end is empty
// (RFC 3501 6.4.5), and BODY[] without PEEK sets \Seen.
func fetchPartialAndSeen(t *testing.T, ctx context.Context, c *imap.Client, srv *imaptest.Server) {
	past := &imap.FetchItemBodySection{Part: []int{1}, Peek: true, Partial: &imap.SectionPartial{Offset: 1000, Size: 5}}
	res, err := c.Fetch(ctx, imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{past}}).Collect()
	require.NoError(t, err)
	assert.Empty(t, res[0].FindBodySection(past))

	// BODY[] without PEEK sets \Seen (RFC 3501 6.4.5), and the server
	// reports the new flags in the same response.
	seen := &imap.FetchItemBodySection{Specifier: imap.PartText}
	res, err = c.Fetch(ctx, imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{seen}}).Collect()
	require.NoError(t, err)
	assert.Equal(t, "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n", string(res[0].FindBodySection(seen)))
	assert.Contains(t, res[0].Flags, imap.FlagSeen)
	after, err := srv.Messages("user", imap.Inbox)
	require.NoError(t, err)
	assert.Equal(t, []imap.Flag{imap.FlagSeen}, after[0].Flags)
	assert.Empty(t, after[1].Flags, "PEEK left the others unseen")
}
