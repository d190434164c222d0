package imap

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDovecot_Greeting_RFC3501_7_1 dials Dovecot, checks the greeting and
// the capabilities before and after LOGIN, and logs out.
func TestDovecot_Greeting_RFC3501_7_1(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	c, err := Dial(ctx, d.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, StatusOK, c.Greeting().Type)
	assert.Equal(t, StateNotAuthenticated, c.State())
	caps, err := c.Caps()
	require.NoError(t, err)
	assert.True(t, caps.Has(CapIMAP4rev1))
	assert.True(t, caps.Has(CapStartTLS))
	assert.False(t, caps.Has(CapMove), "MOVE is announced only after login")
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	assert.Equal(t, StateAuthenticated, c.State())
	caps, err = c.Caps()
	require.NoError(t, err)
	assert.True(t, caps.Has(CapMove), "capabilities refreshed after LOGIN")
	caps, err = c.Capability(ctx)
	require.NoError(t, err)
	assert.True(t, caps.Has(CapUIDPlus))
	require.NoError(t, c.Logout(ctx))
	assert.Equal(t, StateLogout, c.State())
	assert.ErrorIs(t, c.Noop(ctx), ErrClosed)
}

// TestDovecot_Auth_RFC3501_6_2 covers STARTTLS, implicit TLS, LOGIN,
// AUTHENTICATE PLAIN with SASL-IR (RFC 4959) and LOGIN without, and a
// failed login reachable as a *StatusResponse.
func TestDovecot_Auth_RFC3501_6_2(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)

	c, err := DialStartTLS(ctx, d.Addr, &Options{TLSConfig: d.TLS})
	require.NoError(t, err)
	caps, err := c.Caps()
	require.NoError(t, err)
	assert.False(t, caps.Has(CapStartTLS), "capabilities re-read after STARTTLS")
	require.NoError(t, c.Authenticate(ctx, PlainAuth("", "alice", "secret")))
	assert.Equal(t, StateAuthenticated, c.State())
	require.NoError(t, c.Logout(ctx))

	c, err = DialTLS(ctx, d.TLSAddr, &Options{TLSConfig: d.TLS})
	require.NoError(t, err)
	require.NoError(t, c.Authenticate(ctx, LoginAuth("alice", "secret")))
	require.NoError(t, c.Logout(ctx))

	c, err = Dial(ctx, d.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	err = c.Login(ctx, "alice", "wrong")
	var st *StatusResponse
	require.True(t, errors.As(err, &st), "%v", err)
	assert.Equal(t, StatusNO, st.Type)
	assert.Equal(t, CodeAuthenticationFailed, st.Code)
	assert.Equal(t, StateNotAuthenticated, c.State())
	err = c.Authenticate(ctx, PlainAuth("", "alice", "wrong"))
	require.True(t, errors.As(err, &st))
	assert.Equal(t, CodeAuthenticationFailed, st.Code)
	require.NoError(t, c.Login(ctx, "alice", "secret"))
}

// TestDovecot_Mailboxes_RFC3501_6_3 covers CREATE, LIST (with
// LIST-EXTENDED, SPECIAL-USE and LIST-STATUS), LSUB, SUBSCRIBE,
// UNSUBSCRIBE, RENAME, DELETE, STATUS, NAMESPACE, ID and ENABLE, with a
// mailbox name that needs modified UTF-7.
func TestDovecot_Mailboxes_RFC3501_6_3(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	c := d.login(t, nil)
	dovecotCreateAndList(t, ctx, c)
	dovecotSubscribeRenameDelete(t, ctx, c)

	ns, err := c.Namespace(ctx)
	require.NoError(t, err)
	require.Len(t, ns.Personal, 1)
	assert.Equal(t, NamespaceDescriptor{Prefix: "", Delim: '/'}, ns.Personal[0])

	id, err := c.ID(ctx, map[string]string{"name": "mailwire", "version": "test"})
	require.NoError(t, err)
	assert.Equal(t, "Dovecot", id["name"])

	enabled, err := c.Enable(ctx, CapCondStore)
	require.NoError(t, err)
	assert.Equal(t, []Cap{CapCondStore}, enabled)
	assert.True(t, c.Enabled(CapCondStore))
}

// dovecotCreateAndList is the CREATE and LIST step of
// TestDovecot_Mailboxes_RFC3501_6_3: a name in modified UTF-7, LIST with
// SPECIAL-USE (RFC 6154), LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC
// 5819).
func dovecotCreateAndList(t *testing.T, ctx context.Context, c *Client) {
	require.NoError(t, c.Create(ctx, "Projekte/Entwürfe"))
	require.NoError(t, c.Create(ctx, "Archive"))
	err := c.Create(ctx, "Archive")
	var st *StatusResponse
	require.True(t, errors.As(err, &st))
	assert.Equal(t, CodeAlreadyExists, st.Code)

	list, err := c.List(ctx, "", []string{"*"}, nil)
	require.NoError(t, err)
	names := map[string]*ListData{}
	for _, l := range list {
		names[l.Mailbox] = l
	}
	require.Contains(t, names, "Projekte/Entwürfe")
	require.Contains(t, names, Inbox)
	assert.Equal(t, '/', names[Inbox].Delim)
	assert.True(t, names["Projekte"].Has(AttrHasChildren))
	assert.True(t, names["Sent"].Has(AttrSent), "special-use from the configuration")

	list, err = c.List(ctx, "", []string{"*"}, &ListOptions{SelectSpecialUse: true, ReturnSpecialUse: true})
	require.NoError(t, err)
	var special []string
	for _, l := range list {
		special = append(special, l.Mailbox)
	}
	assert.ElementsMatch(t, []string{"Drafts", "Sent", "Trash"}, special)

	list, err = c.List(ctx, "", []string{"INBOX", "Archive"}, &ListOptions{
		ReturnChildren: true, ReturnSubscribed: true,
		ReturnStatus: &StatusOptions{NumMessages: true, UIDNext: true, NumUnseen: true},
	})
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, l := range list {
		require.NotNil(t, l.Status, l.Mailbox)
		require.NotNil(t, l.Status.NumMessages)
		assert.Equal(t, uint32(0), *l.Status.NumMessages)
		assert.Equal(t, uint32(1), l.Status.UIDNext)
	}
}

// dovecotSubscribeRenameDelete is the step of
// TestDovecot_Mailboxes_RFC3501_6_3 after dovecotCreateAndList:
// SUBSCRIBE, LSUB, UNSUBSCRIBE, RENAME, STATUS and DELETE of the mailbox
// it created.
func dovecotSubscribeRenameDelete(t *testing.T, ctx context.Context, c *Client) {
	require.NoError(t, c.Subscribe(ctx, "Projekte/Entwürfe"))
	lsub, err := c.Lsub(ctx, "", "*")
	require.NoError(t, err)
	assert.True(t, containsMailbox(lsub, "Projekte/Entwürfe"))
	require.NoError(t, c.Unsubscribe(ctx, "Projekte/Entwürfe"))
	lsub, err = c.Lsub(ctx, "", "*")
	require.NoError(t, err)
	assert.False(t, containsMailbox(lsub, "Projekte/Entwürfe"))

	require.NoError(t, c.Rename(ctx, "Projekte/Entwürfe", "Projekte/Fertig ☺"))
	status, err := c.Status(ctx, "Projekte/Fertig ☺", &StatusOptions{
		NumMessages: true, NumRecent: true, UIDNext: true, UIDValidity: true,
		NumUnseen: true, Size: true, HighestModSeq: true,
	})
	require.NoError(t, err)
	assert.Equal(t, "Projekte/Fertig ☺", status.Mailbox)
	assert.NotZero(t, status.UIDValidity)
	require.NotNil(t, status.Size)
	require.NoError(t, c.Delete(ctx, "Projekte/Fertig ☺"))
	err = c.Delete(ctx, "Projekte/Fertig ☺")
	var st *StatusResponse
	require.True(t, errors.As(err, &st))
	assert.Equal(t, CodeNonExistent, st.Code)
}

func containsMailbox(list []*ListData, name string) bool {
	for _, l := range list {
		if l.Mailbox == name {
			return true
		}
	}
	return false
}

// TestDovecot_FetchCorpus_RFC3501_6_4_5 fetches a corpus that was
// delivered straight into the Maildir: bodies equal the files
// byte-for-byte, and ENVELOPE and BODYSTRUCTURE parse to the values the
// client reads from our server's writer for the same message.
func TestDovecot_FetchCorpus_RFC3501_6_4_5(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	corpus := loadCorpus(t)
	d.seedMaildir(t, "", corpus)
	c := d.login(t, nil)
	mb, err := c.Select(ctx, Inbox, nil)
	require.NoError(t, err)
	assert.Equal(t, uint32(len(corpus)), mb.NumMessages)
	assert.NotZero(t, mb.UIDValidity)
	assert.False(t, mb.ReadOnly)
	assert.Contains(t, mb.PermanentFlags, FlagWildcard)
	assert.Equal(t, StateSelected, c.State())

	files := d.maildirFiles(t, "")
	require.Len(t, files, len(corpus))
	section := &FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(ctx, SeqSetRange(1, 0), &FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true,
		Envelope: true, BodyStructure: true, BodySection: []*FetchItemBodySection{section},
	}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, len(corpus))
	for _, m := range msgs {
		body := m.FindBodySection(section)
		assert.True(t, containsBytes(files, body), "message %d differs from every Maildir file", m.Seq)
		assert.Equal(t, int64(len(body)), m.RFC822Size)
		require.NotNil(t, m.Envelope)
		require.NotNil(t, m.BodyStructure)
		assert.Equal(t, 4, m.BodyStructure.Ext, "BODYSTRUCTURE carries all extension fields")
		assertSameAsServerWriter(t, m, body)
	}

	byID := map[string]*FetchMessageBuffer{}
	for _, m := range msgs {
		byID[m.Envelope.MessageID] = m
	}
	checkDovecotPlain(t, byID["<B27397-0100000@Blurdybloop.example>"])
	mixed := byID["<mixed-1@example.org>"]
	checkDovecotMixed(t, mixed)
	fwd := byID["<fwd-1@example.org>"]
	checkDovecotForward(t, fwd)
	checkDovecotSections(t, c, fwd, fwd.FindBodySection(section))
	checkDovecotBinary(t, c, mixed)
}

// assertSameAsServerWriter checks that the client reads Dovecot's
// ENVELOPE and BODYSTRUCTURE of a message as it reads what our server
// writes for the same bytes. Parameter values are compared without case,
// the one way they differ (Dovecot lower-cases charset values; RFC 2045
// section 5.1 makes them case-insensitive).
func assertSameAsServerWriter(t *testing.T, m *FetchMessageBuffer, body []byte) {
	t.Helper()
	st, err := ParseStructure(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	env, _, bs := readStructureItems(t, structureItems(t, st))
	assert.Equal(t, env, m.Envelope, "message %d", m.Seq)
	assert.Equal(t, lowerParams(bs), lowerParams(m.BodyStructure), "message %d", m.Seq)
}

// lowerParams returns a copy of b with every parameter value in lower
// case, at every depth.
func lowerParams(b *BodyStructure) *BodyStructure {
	if b == nil {
		return nil
	}
	c := *b
	c.Params = nil
	for _, p := range b.Params {
		c.Params = append(c.Params, Param{Name: strings.ToLower(p.Name), Value: strings.ToLower(p.Value)})
	}
	c.Children = nil
	for _, ch := range b.Children {
		c.Children = append(c.Children, lowerParams(ch))
	}
	c.Body = lowerParams(b.Body)
	return &c
}

// checkDovecotPlain spot-checks the envelope and type of a plain message.
func checkDovecotPlain(t *testing.T, plain *FetchMessageBuffer) {
	t.Helper()
	require.NotNil(t, plain)
	assert.Equal(t, "afternoon meeting", plain.Envelope.Subject)
	assert.Equal(t, []Address{{Name: "Fred Foobar", Mailbox: "foobar", Host: "Blurdybloop.example"}}, plain.Envelope.From)
	assert.Equal(t, plain.Envelope.From, plain.Envelope.Sender)
	assert.Equal(t, "text", plain.BodyStructure.Type)
	assert.Equal(t, "us-ascii", strings.ToLower(plain.BodyStructure.Param("charset")))
}

// checkDovecotMixed spot-checks a group in To and a multipart/mixed with
// an attachment's every extension field.
func checkDovecotMixed(t *testing.T, mixed *FetchMessageBuffer) {
	t.Helper()
	require.NotNil(t, mixed)
	to := mixed.Envelope.To
	require.Len(t, to, 5)
	assert.True(t, to[0].IsGroupStart())
	assert.Equal(t, "Team", to[0].Mailbox)
	assert.Equal(t, "Carol (QA)", to[2].Name)
	assert.True(t, to[3].IsGroupEnd())
	assert.Equal(t, "dave@example.net", to[4].Addr())
	bs := mixed.BodyStructure
	require.True(t, bs.IsMultipart())
	assert.Equal(t, "mixed", bs.Subtype)
	require.Len(t, bs.Children, 2)
	pdf := bs.Children[1]
	assert.Equal(t, "application", pdf.Type)
	assert.Equal(t, "BASE64", strings.ToUpper(pdf.Encoding))
	assert.Equal(t, "<part1@example.org>", pdf.ID)
	assert.Equal(t, "the report", pdf.Description)
	require.NotNil(t, pdf.Disposition)
	assert.Equal(t, "attachment", strings.ToLower(pdf.Disposition.Value))
	assert.Equal(t, []string{"en", "de"}, pdf.Language)
	assert.Equal(t, "http://example.org/report.pdf", pdf.Location)
	var parts []string
	bs.Walk(func(part []int, b *BodyStructure) bool {
		parts = append(parts, partString(part)+"="+b.Type+"/"+b.Subtype)
		return true
	})
	assert.Equal(t, []string{"=multipart/mixed", "1=multipart/alternative", "1.1=text/plain", "1.2=text/html", "2=application/pdf"}, parts)
}

// checkDovecotForward spot-checks the message inside a message/rfc822
// part.
func checkDovecotForward(t *testing.T, fwd *FetchMessageBuffer) {
	t.Helper()
	require.NotNil(t, fwd)
	inner := fwd.BodyStructure.Children[1]
	require.NotNil(t, inner.Envelope)
	assert.Equal(t, "afternoon meeting", inner.Envelope.Subject)
	require.NotNil(t, inner.Body)
	assert.Len(t, inner.Body.Children, 2)
	assert.NotZero(t, inner.Lines)
}

// checkDovecotSections fetches HEADER.FIELDS, TEXT, MIME, a part of a
// message/rfc822 and a partial fetch of the forwarded message, whose
// whole body is whole.
func checkDovecotSections(t *testing.T, c *Client, fwd *FetchMessageBuffer, whole []byte) {
	t.Helper()
	fields := &FetchItemBodySection{Specifier: PartHeaderFields, HeaderFields: []string{"Subject", "From"}, Peek: true}
	text := &FetchItemBodySection{Specifier: PartText, Peek: true}
	mime := &FetchItemBodySection{Part: []int{2}, Specifier: PartMIME, Peek: true}
	nested := &FetchItemBodySection{Part: []int{2, 1}, Peek: true}
	partial := &FetchItemBodySection{Peek: true, Partial: &SectionPartial{Offset: 6, Size: 10}}
	res, err := c.Fetch(testCtx(t), SeqSetNum(fwd.Seq), &FetchOptions{
		BodySection: []*FetchItemBodySection{fields, text, mime, nested, partial},
	}).Collect()
	require.NoError(t, err)
	require.Len(t, res, 1)
	assert.Equal(t, "From: forwarder@example.org\r\nSubject: Fwd: afternoon meeting\r\n\r\n", string(res[0].FindBodySection(fields)))
	assert.True(t, bytes.HasPrefix(res[0].FindBodySection(text), []byte("--f\r\n")))
	assert.Equal(t, "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n", string(res[0].FindBodySection(mime)))
	assert.Equal(t, "inner text", strings.TrimSpace(string(res[0].FindBodySection(nested))))
	assert.Equal(t, string(whole[6:16]), string(res[0].FindBodySection(partial)))
}

// checkDovecotBinary fetches BINARY and BINARY.SIZE (RFC 3516) of the
// mixed message's base64 attachment.
func checkDovecotBinary(t *testing.T, c *Client, mixed *FetchMessageBuffer) {
	t.Helper()
	res, err := c.Fetch(testCtx(t), SeqSetNum(mixed.Seq), &FetchOptions{
		BinarySection: []*FetchItemBinarySection{{Part: []int{2}, Peek: true}},
		BinarySize:    [][]int{{2}},
	}).Collect()
	require.NoError(t, err)
	require.Len(t, res[0].BinarySection, 1)
	assert.True(t, bytes.HasPrefix(res[0].BinarySection[0].Bytes, []byte("%PDF-1.4")))
	require.Len(t, res[0].BinarySize, 1)
	assert.Equal(t, uint32(len(res[0].BinarySection[0].Bytes)), res[0].BinarySize[0].Size)
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

func partString(part []int) string {
	var sb strings.Builder
	for i, p := range part {
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(string(rune('0' + p)))
	}
	return sb.String()
}
