package imap_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
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
	require.ErrorIs(t, c.Login(ctx, "user", "pass"), imap.ErrClientState, "RFC 3501 6.2.3: no LOGIN under LOGINDISABLED")
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
	st := asStatus(t, c.Authenticate(ctx, imap.PlainAuth("", "user", "nope")))
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
	createAndList(t, ctx, c)
	subscribeRenameStatus(t, ctx, c, int64(len(simple)))
	namespaceIDEnable(t, ctx, c)
}

// createAndList is the CREATE and LIST step of
// TestClientServer_Mailboxes_RFC3501_6_3: CREATE with USE (RFC 6154
// section 3), LIST with "*" and "%", SPECIAL-USE and LIST-STATUS (RFC
// 5819).
func createAndList(t *testing.T, ctx context.Context, c *imap.Client) {
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
}

// subscribeRenameStatus is the step of
// TestClientServer_Mailboxes_RFC3501_6_3 after createAndList: SUBSCRIBE,
// LSUB, UNSUBSCRIBE, RENAME, STATUS with SIZE (RFC 8438) of INBOX, whose
// one message has inboxSize octets, and DELETE.
func subscribeRenameStatus(t *testing.T, ctx context.Context, c *imap.Client, inboxSize int64) {
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
	assert.Equal(t, inboxSize, *status.Size)

	require.NoError(t, c.Delete(ctx, "Done"))
	st := asStatus(t, c.Delete(ctx, "Done"))
	assert.Equal(t, imap.CodeNonExistent, st.Code)
	_, err = c.Status(ctx, "Done", &imap.StatusOptions{NumMessages: true})
	assert.Equal(t, imap.CodeNonExistent, asStatus(t, err).Code)
}

// namespaceIDEnable is the last step of
// TestClientServer_Mailboxes_RFC3501_6_3: NAMESPACE (RFC 2342), ID (RFC
// 2971) and ENABLE (RFC 5161).
func namespaceIDEnable(t *testing.T, ctx context.Context, c *imap.Client) {
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
