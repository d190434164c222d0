package imap_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Poison messages of issue 11: each is over one of the message package's
// parsing limits. They are built here, never stored as files.

func poisonNested(n int) string {
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nSubject: nested\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ndeep text\r\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.String()
}

func poisonParts(n int) string {
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "--b\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--b--\r\n")
	return b.String()
}

func poisonFields(n int) string {
	var b strings.Builder
	b.WriteString("Subject: first\r\n")
	for i := 2; i < n; i++ {
		fmt.Fprintf(&b, "X-F: f%d\r\n", i)
	}
	b.WriteString("Subject: last needle\r\n\r\nbody\r\n")
	return b.String()
}

// poisonMailbox is INBOX as the tests fill it: two good messages around
// the four poison ones. The good ones are 1 and 6.
func poisonMailbox() []string {
	good := func(s string) string {
		return "From: b@example.org\r\nSubject: " + s + " needle\r\n\r\nthe needle is here\r\n"
	}
	return []string{
		good("first"),
		poisonNested(65),
		poisonNested(1000),
		poisonParts(10001),
		poisonFields(100000),
		good("second"),
	}
}

// poisonClient logs in as alice and selects INBOX. Its line limit is
// raised: the BODYSTRUCTURE of 10,000 parts is some 700 KB on one line,
// over the Client's 64 KiB default.
func poisonClient(t *testing.T, be imap.Backend) (*imap.Client, context.Context) {
	srv := &imap.Server{Backend: be, AllowInsecureAuth: true}
	addr := servertest.Serve(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	t.Cleanup(cancel)
	c, err := imap.Dial(ctx, addr, &imap.Options{MaxLine: 4 << 20})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Login(ctx, "alice", "pass"))
	_, err = c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	return c, ctx
}

// TestPoisonMessages_RFC3501_7_4_2 delivers the poison messages next to
// good ones and checks that FETCH and SEARCH over the whole mailbox
// answer OK, each message with a BODYSTRUCTURE our client parses, and that
// SEARCH still finds the good messages (issue 11).
func TestPoisonMessages_RFC3501_7_4_2(t *testing.T) {
	store := imapmem.New()
	store.AddUser("alice", "pass")
	msgs := poisonMailbox()
	for _, m := range msgs {
		_, err := store.Append("alice", imap.Inbox, []byte(m), nil, time.Now())
		require.NoError(t, err)
	}
	c, ctx := poisonClient(t, store)

	got, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{Flags: true, BodyStructure: true, Envelope: true}).Collect()
	require.NoError(t, err)
	require.Len(t, got, len(msgs))
	for i, m := range got {
		require.NotNil(t, m.BodyStructure, "message %d", i+1)
		require.NotNil(t, m.Envelope, "message %d", i+1)
		assert.True(t, m.HasFlags)
	}
	// Past the depth limit the multipart one too deep has one opaque
	// part.
	deep := got[1].BodyStructure
	for i := 0; i <= imap.DefaultStructureDepth; i++ {
		require.True(t, deep.IsMultipart(), "level %d", i+1)
		require.Len(t, deep.Children, 1)
		deep = deep.Children[0]
	}
	assert.Equal(t, "application/octet-stream", deep.Type+"/"+deep.Subtype)
	assert.Len(t, got[3].BodyStructure.Children, message.DefaultMaxParts)
	assert.Equal(t, "first", got[4].Envelope.Subject, "ENVELOPE sees the fields before the limit")

	for _, crit := range []*imap.SearchCriteria{
		{Header: []imap.SearchHeader{{Key: "Subject", Value: "needle"}}},
		{Body: []string{"needle"}},
		{Text: []string{"needle"}},
	} {
		res, err := c.Search(ctx, crit, nil)
		require.NoError(t, err)
		assert.Equal(t, []uint32{1, 6}, res.Nums(), "%+v", crit)
	}
	res, err := c.Search(ctx, &imap.SearchCriteria{Header: []imap.SearchHeader{{Key: "X-F", Value: "f9999"}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{5}, res.Nums(), "a field before the limit")
	res, err = c.Search(ctx, &imap.SearchCriteria{Header: []imap.SearchHeader{{Key: "X-F", Value: "f99999"}}}, nil)
	require.NoError(t, err)
	assert.Empty(t, res.Nums(), "a field past the limit is not parsed")
}

// TestPoisonSections_RFC3501_6_4_5: BODY[HEADER] serves the header of
// 100,000 fields as stored, HEADER.FIELDS picks among the fields before
// the limit, and a section inside the opaque part of a too-deep message
// is served.
func TestPoisonSections_RFC3501_6_4_5(t *testing.T) {
	store := imapmem.New()
	store.AddUser("alice", "pass")
	fields, nested := poisonFields(100000), poisonNested(65)
	for _, m := range []string{fields, nested} {
		_, err := store.Append("alice", imap.Inbox, []byte(m), nil, time.Now())
		require.NoError(t, err)
	}
	c, ctx := poisonClient(t, store)

	header := &imap.FetchItemBodySection{Specifier: imap.PartHeader, Peek: true}
	subject := &imap.FetchItemBodySection{Specifier: imap.PartHeaderFields, HeaderFields: []string{"Subject"}, Peek: true}
	got, err := c.Fetch(ctx, imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{header, subject}}).Collect()
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, fields[:strings.Index(fields, "\r\n\r\n")+4], string(got[0].FindBodySection(header)))
	assert.Equal(t, "Subject: first\r\n\r\n", string(got[0].FindBodySection(subject)))

	path := make([]int, imap.DefaultStructureDepth+1)
	for i := range path {
		path[i] = 1
	}
	opaque := &imap.FetchItemBodySection{Part: path, Peek: true}
	got, err = c.Fetch(ctx, imap.SeqSetNum(2), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{opaque}}).Collect()
	require.NoError(t, err)
	require.Len(t, got, 1)
	body := string(got[0].FindBodySection(opaque))
	assert.True(t, strings.HasPrefix(body, fmt.Sprintf("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n", imap.DefaultStructureDepth, imap.DefaultStructureDepth+1)), "%.80q", body)
}

// deepRFC822 returns n message/rfc822 entities each in the one before,
// each with addresses and a disposition with parameters: what makes the
// deepest BODYSTRUCTURE per level.
func deepRFC822(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("From: A <a@example.org>\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline; filename=m.eml\r\n\r\n")
	}
	b.WriteString("From: A <a@example.org>\r\nContent-Disposition: inline; filename=t.txt\r\n\r\ndeep text\r\n")
	return b.String()
}

// TestStructureDepthFitsClient checks DefaultStructureDepth at the limit
// and one past it, for both kinds of container: the deepest BODYSTRUCTURE
// the server sends still parses with the Client's default list depth
// (RFC 3501 section 7.4.2), and past the limit the structure is
// truncated.
func TestStructureDepthFitsClient(t *testing.T) {
	store := imapmem.New()
	store.AddUser("alice", "pass")
	d := imap.DefaultStructureDepth
	msgs := []string{poisonNested(d), poisonNested(d + 1), deepRFC822(d), deepRFC822(d + 1)}
	for _, m := range msgs {
		_, err := store.Append("alice", imap.Inbox, []byte(m), nil, time.Now())
		require.NoError(t, err)
	}
	c, ctx := poisonClient(t, store)
	got, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{BodyStructure: true}).Collect()
	require.NoError(t, err)
	require.Len(t, got, len(msgs))
	leafType := func(b *imap.BodyStructure) string {
		for {
			switch {
			case len(b.Children) > 0:
				b = b.Children[0]
			case b.Body != nil:
				b = b.Body
			default:
				return b.Type + "/" + b.Subtype
			}
		}
	}
	assert.Equal(t, "text/plain", leafType(got[0].BodyStructure))
	assert.Equal(t, "application/octet-stream", leafType(got[1].BodyStructure))
	assert.Equal(t, "text/plain", leafType(got[2].BodyStructure))
	assert.Equal(t, "application/octet-stream", leafType(got[3].BodyStructure))
}
