package imap_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
)

// These tests run our Client against our Server for every command and
// extension both sides support, checking the values that come back.

func readMessage(t *testing.T, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata/server/messages", name))
	require.NoError(t, err)
	return data
}

// loginClient dials srv and logs user in with LOGIN.
func loginClient(t *testing.T, srv *imaptest.Server, opts *imap.Options) *imap.Client {
	t.Helper()
	ctx := testutil.Context(t)
	c, err := imap.Dial(ctx, srv.Addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Login(ctx, "user", "pass"))
	return c
}

func asStatus(t *testing.T, err error) *imap.StatusResponse {
	t.Helper()
	var st *imap.StatusResponse
	require.True(t, errors.As(err, &st), "want a *StatusResponse, got %v", err)
	return st
}

// TestClientServer_Session_RFC3501_6_1 covers the greeting, CAPABILITY,
// NOOP, LOGIN with a wrong and a right password, and LOGOUT.
func TestClientServer_Session_RFC3501_6_1(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth())
	ctx := testutil.Context(t)
	c, err := imap.Dial(ctx, srv.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, imap.StatusOK, c.Greeting().Type)
	caps, err := c.Capability(ctx)
	require.NoError(t, err)
	for _, want := range []imap.Cap{imap.CapIMAP4rev1, imap.CapLiteralPlus, imap.CapSASLIR, imap.CapAuthPlain, imap.CapIdle} {
		assert.True(t, caps.Has(want), want)
	}
	assert.False(t, caps.Has(imap.CapMove), "MOVE is announced after login")
	require.NoError(t, c.Noop(ctx))

	st := asStatus(t, c.Login(ctx, "user", "wrong"))
	assert.Equal(t, imap.StatusNO, st.Type)
	assert.Equal(t, imap.CodeAuthenticationFailed, st.Code)
	assert.Equal(t, imap.StateNotAuthenticated, c.State())

	require.NoError(t, c.Login(ctx, "user", "pass"))
	assert.Equal(t, imap.StateAuthenticated, c.State())
	caps, err = c.Caps()
	require.NoError(t, err)
	for _, want := range []imap.Cap{imap.CapMove, imap.CapUIDPlus, imap.CapNamespace, imap.CapUnselect,
		imap.CapSpecialUse, imap.CapListStatus, imap.CapESearch, imap.CapStatusSize, imap.CapChildren} {
		assert.True(t, caps.Has(want), want)
	}
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Logout(ctx))
	assert.Equal(t, imap.StateLogout, c.State())
	assert.ErrorIs(t, c.Noop(ctx), imap.ErrClosed)
}

// TestClientServer_Auth_RFC3501_6_2 covers STARTTLS, AUTHENTICATE PLAIN
// with SASL-IR (RFC 4959), AUTHENTICATE LOGIN, and LOGINDISABLED before
// TLS when cleartext is not allowed.
func TestClientServer_Auth_RFC3501_6_2(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithTLS())
	ctx := testutil.Context(t)

	c, err := imap.Dial(ctx, srv.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	caps, err := c.Caps()
	require.NoError(t, err)
	assert.True(t, caps.Has(imap.CapLoginDisabled))
	assert.True(t, caps.Has(imap.CapStartTLS))
	st := asStatus(t, c.Login(ctx, "user", "pass"))
	assert.Equal(t, imap.StatusNO, st.Type, "RFC 3501 6.2.3: LOGIN refused in the clear")
	require.NoError(t, c.StartTLS(ctx, srv.ClientTLSConfig()))
	caps, err = c.Caps()
	require.NoError(t, err)
	assert.False(t, caps.Has(imap.CapStartTLS), "capabilities re-read after STARTTLS")
	assert.False(t, caps.Has(imap.CapLoginDisabled))
	require.NoError(t, c.Authenticate(ctx, imap.PlainAuth("", "user", "pass")))
	assert.Equal(t, imap.StateAuthenticated, c.State())
	require.NoError(t, c.Logout(ctx))

	c, err = imap.DialStartTLS(ctx, srv.Addr, &imap.Options{TLSConfig: srv.ClientTLSConfig()})
	require.NoError(t, err)
	defer c.Close()
	st = asStatus(t, c.Authenticate(ctx, imap.PlainAuth("", "user", "nope")))
	assert.Equal(t, imap.CodeAuthenticationFailed, st.Code)
	require.NoError(t, c.Authenticate(ctx, imap.LoginAuth("user", "pass")))
	require.NoError(t, c.Logout(ctx))
}

// TestClientServer_Mailboxes_RFC3501_6_3 covers CREATE (with USE),
// DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST with SPECIAL-USE and
// LIST-STATUS, LSUB, STATUS with SIZE, NAMESPACE, ID and ENABLE.
func TestClientServer_Mailboxes_RFC3501_6_3(t *testing.T) {
	simple := readMessage(t, "simple.eml")
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithMailbox("user", "Trash", imap.AttrTrash),
		imaptest.WithMessage("user", imap.Inbox, simple))
	ctx := testutil.Context(t)
	c := loginClient(t, srv, nil)

	require.NoError(t, c.Create(ctx, "Projects/Drafts ☺"))
	require.NoError(t, c.Create(ctx, "Sent", imap.AttrSent))
	st := asStatus(t, c.Create(ctx, "Sent"))
	assert.Equal(t, imap.CodeAlreadyExists, st.Code)

	list, err := c.List(ctx, "", []string{"*"}, nil)
	require.NoError(t, err)
	byName := map[string]*imap.ListData{}
	for _, l := range list {
		byName[l.Mailbox] = l
	}
	assert.ElementsMatch(t, []string{"INBOX", "Projects", "Projects/Drafts ☺", "Sent", "Trash"}, keys(byName))
	assert.Equal(t, '/', byName["INBOX"].Delim)
	assert.True(t, byName["Projects"].Has(imap.AttrHasChildren))
	assert.True(t, byName["Sent"].Has(imap.AttrHasNoChildren))
	assert.True(t, byName["Sent"].Has(imap.AttrSent))
	assert.True(t, byName["Trash"].Has(imap.AttrTrash))

	list, err = c.List(ctx, "", []string{"%"}, nil)
	require.NoError(t, err)
	assert.Len(t, list, 4, "%% does not descend (RFC 3501 6.3.8)")

	list, err = c.List(ctx, "", []string{"*"}, &imap.ListOptions{SelectSpecialUse: true, ReturnSpecialUse: true})
	require.NoError(t, err)
	var special []string
	for _, l := range list {
		special = append(special, l.Mailbox)
	}
	assert.ElementsMatch(t, []string{"Sent", "Trash"}, special, "RFC 6154 section 5")

	list, err = c.List(ctx, "", []string{"INBOX"}, &imap.ListOptions{
		ReturnStatus: &imap.StatusOptions{NumMessages: true, UIDNext: true, NumUnseen: true},
	})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.NotNil(t, list[0].Status, "LIST-STATUS (RFC 5819)")
	require.NotNil(t, list[0].Status.NumMessages)
	assert.Equal(t, uint32(1), *list[0].Status.NumMessages)
	assert.Equal(t, uint32(1), *list[0].Status.NumUnseen)
	assert.Equal(t, uint32(2), list[0].Status.UIDNext)

	require.NoError(t, c.Subscribe(ctx, "Projects/Drafts ☺"))
	lsub, err := c.Lsub(ctx, "", "*")
	require.NoError(t, err)
	require.Len(t, lsub, 1)
	assert.Equal(t, "Projects/Drafts ☺", lsub[0].Mailbox)
	require.NoError(t, c.Unsubscribe(ctx, "Projects/Drafts ☺"))
	lsub, err = c.Lsub(ctx, "", "*")
	require.NoError(t, err)
	assert.Empty(t, lsub)

	require.NoError(t, c.Rename(ctx, "Projects/Drafts ☺", "Done"))
	status, err := c.Status(ctx, "Done", &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true})
	require.NoError(t, err)
	assert.Equal(t, "Done", status.Mailbox)
	assert.Equal(t, uint32(0), *status.NumMessages)
	assert.NotZero(t, status.UIDValidity)
	status, err = c.Status(ctx, imap.Inbox, &imap.StatusOptions{
		NumMessages: true, NumRecent: true, UIDNext: true, NumUnseen: true, NumDeleted: true, Size: true,
	})
	require.NoError(t, err)
	assert.Equal(t, uint32(1), *status.NumMessages)
	assert.Equal(t, uint32(1), *status.NumRecent)
	assert.Equal(t, uint32(1), *status.NumUnseen)
	assert.Equal(t, uint32(0), *status.NumDeleted)
	require.NotNil(t, status.Size, "STATUS=SIZE (RFC 8438)")
	assert.Equal(t, int64(len(simple)), *status.Size)

	require.NoError(t, c.Delete(ctx, "Done"))
	st = asStatus(t, c.Delete(ctx, "Done"))
	assert.Equal(t, imap.CodeNonExistent, st.Code)
	_, err = c.Status(ctx, "Done", &imap.StatusOptions{NumMessages: true})
	assert.Equal(t, imap.CodeNonExistent, asStatus(t, err).Code)

	ns, err := c.Namespace(ctx)
	require.NoError(t, err)
	require.Len(t, ns.Personal, 1)
	assert.Equal(t, imap.NamespaceDescriptor{Prefix: "", Delim: '/'}, ns.Personal[0])
	assert.Empty(t, ns.Other)
	assert.Empty(t, ns.Shared)

	id, err := c.ID(ctx, map[string]string{"name": "mailwire-test"})
	require.NoError(t, err)
	assert.Equal(t, "mailwire", id["name"])

	enabled, err := c.Enable(ctx, imap.CapCondStore)
	require.NoError(t, err)
	assert.Empty(t, enabled, "CONDSTORE is not offered, so ENABLE enables nothing (RFC 5161 3.1)")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestClientServer_Append_RFC3501_6_3_11 appends with flags and a date,
// and checks APPENDUID, the stored bytes, TRYCREATE and LITERAL+.
func TestClientServer_Append_RFC3501_6_3_11(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth())
	ctx := testutil.Context(t)
	c := loginClient(t, srv, nil)
	msg := readMessage(t, "multipart.eml")
	when := time.Date(2023, 5, 6, 7, 8, 9, 0, time.FixedZone("", -5*3600))
	data, err := c.Append(ctx, imap.Inbox, int64(len(msg)), bytes.NewReader(msg),
		&imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen, "$Work"}, Time: when})
	require.NoError(t, err)
	assert.Equal(t, uint32(1), data.UID)
	assert.NotZero(t, data.UIDValidity)
	stored, err := srv.Messages("user", imap.Inbox)
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.Equal(t, msg, stored[0].Data)
	assert.ElementsMatch(t, []imap.Flag{imap.FlagSeen, "$Work"}, stored[0].Flags)
	assert.True(t, stored[0].InternalDate.Equal(when))

	_, err = c.Append(ctx, "Nowhere", int64(len(msg)), bytes.NewReader(msg), nil)
	assert.Equal(t, imap.CodeTryCreate, asStatus(t, err).Code)

	// The client sends a non-synchronizing literal when LITERAL+ is
	// offered (RFC 7888), which our server always does.
	debug := &testutil.LockedBuffer{}
	c2 := loginClient(t, srv, &imap.Options{Debug: debug})
	_, err = c2.Append(ctx, imap.Inbox, int64(len(msg)), bytes.NewReader(msg), nil)
	require.NoError(t, err)
	assert.Contains(t, debug.String(), "{"+strconv.Itoa(len(msg))+"+}")
	assert.NotContains(t, debug.String(), "S: + ")
}

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

	// SEARCH (RFC 3501 6.4.4) and UID SEARCH (6.4.8).
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

	// STORE returns FETCH FLAGS unless .SILENT (RFC 3501 6.4.6).
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

	// COPY and UID COPY with COPYUID (RFC 4315 section 3).
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

	// MOVE and UID MOVE (RFC 6851).
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

	// EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC 4315 2.1).
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
	mu.Lock()
	assert.Equal(t, []uint32{3, 2, 3, 1, 1}, expunged, "EXPUNGE responses of MOVE and EXPUNGE reach the handler")
	mu.Unlock()

	require.NoError(t, c.Unselect(ctx))
	assert.Equal(t, imap.StateAuthenticated, c.State())
	_, err = c.Select(ctx, "Archive", nil)
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
	for i, m := range msgs {
		assert.Equal(t, uint32(i+1), m.Seq)
		assert.Equal(t, stored[i].UID, m.UID)
		assert.Equal(t, []imap.Flag{imap.FlagRecent}, m.Flags)
		assert.True(t, m.InternalDate.Equal(stored[i].InternalDate.Truncate(time.Second)))
		assert.Equal(t, int64(len(stored[i].Data)), m.RFC822Size)
		assert.Equal(t, stored[i].Data, m.FindBodySection(whole))
	}
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

	bs := msgs[0].BodyStructure
	assert.Equal(t, "text", bs.Type)
	assert.Equal(t, "plain", bs.Subtype)
	assert.Equal(t, "US-ASCII", bs.Param("charset"))
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

	// BODY without a section is BODYSTRUCTURE without extension data.
	body, err := c.Fetch(ctx, imap.SeqSetNum(2), &imap.FetchOptions{Body: true}).Collect()
	require.NoError(t, err)
	require.NotNil(t, body[0].BodyStructure)
	assert.Equal(t, 0, body[0].BodyStructure.Ext)
	assert.Equal(t, 4, msgs[1].BodyStructure.Ext)

	// Sections of RFC 3501 6.4.5 on the forwarded message.
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

	// A partial past the end is empty (RFC 3501 6.4.5).
	past := &imap.FetchItemBodySection{Part: []int{1}, Peek: true, Partial: &imap.SectionPartial{Offset: 1000, Size: 5}}
	res, err = c.Fetch(ctx, imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{past}}).Collect()
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

// TestClientServer_Idle_RFC2177 checks that a delivery and another
// session's flag change reach an IDLE client at once, and that the
// session goes on after DONE.
func TestClientServer_Idle_RFC2177(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithMessage("user", imap.Inbox, readMessage(t, "simple.eml")))
	ctx := testutil.Context(t)
	exists := make(chan uint32, 4)
	fetches := make(chan *imap.FetchMessageBuffer, 4)
	c := loginClient(t, srv, &imap.Options{Unilateral: imap.UnilateralHandler{
		Exists: func(n uint32) { exists <- n },
		Fetch:  func(m *imap.FetchMessageBuffer) { fetches <- m },
	}})
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)

	idleCtx, stop := context.WithCancel(ctx)
	idleErr := make(chan error, 1)
	go func() { idleErr <- c.Idle(idleCtx) }()

	// Deliveries made before the server entered IDLE are reported when
	// it does, so no synchronisation with the IDLE start is needed.
	_, err = srv.Deliver("user", imap.Inbox, readMessage(t, "forward.eml"))
	require.NoError(t, err)
	for n := uint32(0); n != 2; {
		select {
		case n = <-exists: // SELECT's own EXISTS may come first
		case <-ctx.Done():
			t.Fatal("no EXISTS during IDLE")
		}
	}
	other := loginClient(t, srv, nil)
	_, err = other.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	require.NoError(t, other.Store(ctx, imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close())
	select {
	case m := <-fetches:
		assert.Equal(t, uint32(1), m.Seq)
		assert.Contains(t, m.Flags, imap.FlagFlagged)
	case <-ctx.Done():
		t.Fatal("no FETCH during IDLE")
	}
	stop()
	require.NoError(t, <-idleErr)
	require.NoError(t, c.Noop(ctx), "the session goes on after DONE")
	assert.Equal(t, uint32(2), c.Mailbox().NumMessages)
}
