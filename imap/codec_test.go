package imap

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

func reader(s string) *wire.Reader { return wire.NewReader(strings.NewReader(s), wire.Limits{}) }

// written runs fn on a Writer and returns what it wrote.
func written(t *testing.T, fn func(w *wire.Writer)) string {
	t.Helper()
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	fn(w)
	require.NoError(t, w.Flush())
	return buf.String()
}

// TestParseSeqSet_RFC3501_9 covers sequence-set, including "*", reversed
// ranges and "$" (RFC 5182), and the malformed sets a server must refuse.
func TestParseSeqSet_RFC3501_9(t *testing.T) {
	tests := []struct {
		in   string
		want SeqSet
	}{
		{"1", SeqSetNum(1)},
		{"2,4:7,9,12:*", SeqSet{Ranges: []SeqRange{{2, 2}, {4, 7}, {9, 9}, {12, 0}}}},
		{"*:4", SeqSet{Ranges: []SeqRange{{0, 4}}}},
		{"4294967295", SeqSetNum(4294967295)},
		{"$", SavedSet()},
	}
	for _, tt := range tests {
		got, err := ParseSeqSet(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.in, got.String())
	}
	for _, bad := range []string{"", "0", "1:0", "01", "1,", ",1", "1::2", "a", "4294967296", "1:2:3", "$,1"} {
		_, err := ParseSeqSet(bad)
		assert.ErrorIs(t, err, ErrBadSeqSet, bad)
	}
	set, _ := ParseSeqSet("4:2,7:*")
	assert.True(t, set.Contains(3, 10), "RFC 3501 section 9: 4:2 is 2:4")
	assert.True(t, set.Contains(10, 10))
	assert.False(t, set.Contains(5, 10))
	assert.Equal(t, "1:3,5", SeqSetNum(1, 2, 3, 5).String(), "consecutive numbers merge")
	nums, ok := SeqSetRange(3, 5).Nums()
	assert.True(t, ok)
	assert.Equal(t, []uint32{3, 4, 5}, nums)
}

// TestStatusResponse_RFC3501_7_1 reads status responses with codes and
// checks that NO and BAD are errors reachable with errors.As.
func TestStatusResponse_RFC3501_7_1(t *testing.T) {
	r := reader(" [APPENDUID 38505 3955:3957] APPEND completed\r\n")
	resp, err := readStatusResponse(r, "A003", StatusOK)
	require.NoError(t, err)
	assert.Equal(t, CodeAppendUID, resp.Code)
	v, uids, ok := resp.AppendUID()
	assert.True(t, ok)
	assert.Equal(t, uint32(38505), v)
	assert.Equal(t, "3955:3957", uids.String())
	assert.NoError(t, resp.Err())

	resp, err = readStatusResponse(reader(" [COPYUID 38505 304,319:320 3956:3958] Done\r\n"), "A004", StatusOK)
	require.NoError(t, err)
	v, src, dst, ok := resp.CopyUID()
	assert.True(t, ok)
	assert.Equal(t, uint32(38505), v)
	assert.Equal(t, "304,319:320", src.String())
	assert.Equal(t, "3956:3958", dst.String())

	resp, err = readStatusResponse(reader(" [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"), "", StatusOK)
	require.NoError(t, err)
	assert.Equal(t, []string{`\Deleted`, `\Seen`, `\*`}, resp.CodeList())

	resp, err = readStatusResponse(reader(" [overquota] Mailbox full\r\n"), "A1", StatusNO)
	require.NoError(t, err)
	assert.Equal(t, CodeOverQuota, resp.Code, "codes are case-insensitive atoms")
	var wrapped error = errors.Join(errors.New("append"), resp.Err())
	var st *StatusResponse
	require.True(t, errors.As(wrapped, &st))
	assert.Equal(t, "imap: NO [OVERQUOTA] Mailbox full", st.Error())

	resp, err = readStatusResponse(reader("\r\n"), "A2", StatusBAD)
	require.NoError(t, err, "servers that send no text are accepted")
	assert.Error(t, resp.Err())

	n, ok := (&StatusResponse{Code: CodeUIDValidity, CodeArg: "3857529045"}).CodeNumber()
	assert.True(t, ok)
	assert.Equal(t, uint64(3857529045), n)
}

// TestWriteStatusResponse_RFC3501_7_1 writes the responses a server sends
// and reads them back.
func TestWriteStatusResponse_RFC3501_7_1(t *testing.T) {
	tests := []struct {
		resp *StatusResponse
		wire string
	}{
		{&StatusResponse{Tag: "a002", Type: StatusOK, Code: CodeReadWrite, Text: "SELECT completed"}, "a002 OK [READ-WRITE] SELECT completed\r\n"},
		{&StatusResponse{Type: StatusOK, Code: CodeUIDValidity, CodeArg: "3857529045", Text: "UIDs valid"}, "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"},
		{&StatusResponse{Tag: "A1", Type: StatusNO, Code: CodeTryCreate}, "A1 NO [TRYCREATE] NO\r\n"},
		{&StatusResponse{Type: StatusBYE, Text: "bad\r\nline"}, "* BYE bad  line\r\n"},
	}
	for _, tt := range tests {
		got := written(t, func(w *wire.Writer) { writeStatusResponse(w, tt.resp) })
		assert.Equal(t, tt.wire, got)
	}
}

// TestCommandHead_RFC3501_9 reads tags and command names as a server does.
func TestCommandHead_RFC3501_9(t *testing.T) {
	tests := []struct {
		in, tag string
		verb    Verb
		name    string
	}{
		{"a001 login mrc secret\r\n", "a001", VerbLOGIN, "LOGIN"},
		{"A999 UID fetch 1:* FLAGS\r\n", "A999", VerbUIDFETCH, "UID FETCH"},
		{"x.y] NOOP\r\n", "x.y]", VerbNOOP, "NOOP"},
		{"b uid Expunge 1\r\n", "b", VerbUIDEXPUNGE, "UID EXPUNGE"},
		{"t1 XAPPLEPUSHSERVICE\r\n", "t1", VerbUnknown, "XAPPLEPUSHSERVICE"},
		{"t2 uid foo\r\n", "t2", VerbUnknown, "UID FOO"},
		{"t3 UID NOOP\r\n", "t3", VerbUnknown, "UID NOOP"},
		{"t4 FETCHX 1\r\n", "t4", VerbUnknown, "FETCHX"},
	}
	for _, tt := range tests {
		cmd, name, err := readCommandHead(reader(tt.in))
		require.NoError(t, err, tt.in)
		assert.Equal(t, Command{Tag: tt.tag, Verb: tt.verb}, cmd, tt.in)
		assert.Equal(t, tt.name, name, tt.in)
	}
	for _, bad := range []string{"+tag NOOP\r\n", "tag\r\n", "* NOOP\r\n", "a UID\r\n"} {
		_, _, err := readCommandHead(reader(bad))
		assert.Error(t, err, bad)
	}
	assert.Equal(t, "A1 UID FETCH", written(t, func(w *wire.Writer) { writeCommandHead(w, "A1", VerbUIDFETCH) }))
}

// serverFetchRequest reads FETCH's attribute list as the server's FETCH
// handler does.
func serverFetchRequest(in string) (*fetchRequest, error) {
	c := newConn(&Server{}, nil)
	c.r = reader(in)
	return c.readFetchRequest()
}

// TestFetchRequest_RFC3501_6_4_5 parses the FETCH arguments of section
// 6.4.5's examples, the macros and every attribute the server answers,
// and refuses what the grammar or the server does not allow.
func TestFetchRequest_RFC3501_6_4_5(t *testing.T) {
	tests := []struct {
		in    string
		want  *FetchOptions
		names []string
	}{
		{"(FLAGS BODY[HEADER.FIELDS (DATE FROM)])", &FetchOptions{Flags: true, BodySection: []*FetchItemBodySection{
			{Specifier: PartHeaderFields, HeaderFields: []string{"DATE", "FROM"}}}}, []string{""}},
		{"full", &FetchOptions{Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, Body: true}, nil},
		{"ALL", &FetchOptions{Flags: true, InternalDate: true, RFC822Size: true, Envelope: true}, nil},
		{"FAST", &FetchOptions{Flags: true, InternalDate: true, RFC822Size: true}, nil},
		{"BODY", &FetchOptions{Body: true}, nil},
		{`(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[1.2.MIME] BODY[]<0.2048> BODY[3.TEXT] BODY.PEEK[HEADER.FIELDS.NOT ("X-Spam Score" Received)])`,
			&FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, BodyStructure: true,
				BodySection: []*FetchItemBodySection{
					{Part: []int{1, 2}, Specifier: PartMIME, Peek: true},
					{Partial: &SectionPartial{Offset: 0, Size: 2048}},
					{Part: []int{3}, Specifier: PartText},
					{Specifier: PartHeaderFieldsNot, HeaderFields: []string{"X-Spam Score", "Received"}, Peek: true},
				}}, []string{"", "", "", ""}},
		{"(RFC822 RFC822.HEADER body[text] RFC822.TEXT)", &FetchOptions{BodySection: []*FetchItemBodySection{
			{}, {Specifier: PartHeader, Peek: true}, {Specifier: PartText}, {Specifier: PartText}}},
			[]string{"RFC822", "RFC822.HEADER", "", "RFC822.TEXT"}},
	}
	for _, tt := range tests {
		req, err := serverFetchRequest(tt.in + "\r\n")
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, req.opts, tt.in)
		assert.Equal(t, tt.names, req.names, tt.in)
	}
	for _, bad := range []string{"(ALL)", "(BODY.PEEK)", "(BODY[0])", "(BODY[MIME])", "(BODY[]<0>)", "(BODY[]<0.0>)", "(BINARY[TEXT])", "(XYZ)"} {
		_, err := serverFetchRequest(bad + "\r\n")
		var syn *wire.SyntaxError
		assert.ErrorAs(t, err, &syn, bad)
	}
	for _, unsupported := range []string{"(BINARY.PEEK[1]<10.20>)", "BINARY.SIZE[2]", "(FLAGS MODSEQ)"} {
		_, err := serverFetchRequest(unsupported + "\r\n")
		assert.ErrorIs(t, err, errBadArgs, unsupported)
	}
}

// TestWriteFetchOptions_RFC3501_6_4_5 writes the attributes and the
// modifiers (RFC 7162 section 3.1.4.1) a client sends.
func TestWriteFetchOptions_RFC3501_6_4_5(t *testing.T) {
	o := &FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, BodyStructure: true, ModSeq: true,
		BodySection: []*FetchItemBodySection{
			{Part: []int{1, 2}, Specifier: PartMIME, Peek: true},
			{Partial: &SectionPartial{Offset: 0, Size: 2048}},
			{Part: []int{3}, Specifier: PartText},
			{Specifier: PartHeaderFieldsNot, HeaderFields: []string{"X-Spam Score", "Received"}, Peek: true},
		},
		BinarySection: []*FetchItemBinarySection{{Part: []int{1}, Partial: &SectionPartial{Offset: 10, Size: 20}, Peek: true}},
		BinarySize:    [][]int{{2}},
		ChangedSince:  12345, Vanished: true,
	}
	want := `(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ BODY.PEEK[1.2.MIME] BODY[]<0.2048> BODY[3.TEXT] BODY.PEEK[HEADER.FIELDS.NOT ("X-Spam Score" Received)] BINARY.PEEK[1]<10.20> BINARY.SIZE[2]) (CHANGEDSINCE 12345 VANISHED)`
	assert.Equal(t, want, written(t, func(w *wire.Writer) { writeFetchOptions(w, o) }))
	assert.Equal(t, "(BODY) (VANISHED)", written(t, func(w *wire.Writer) { writeFetchOptions(w, &FetchOptions{Body: true, Vanished: true}) }))

	// What the client writes, the server reads back unchanged.
	o.ModSeq, o.BinarySection, o.BinarySize, o.ChangedSince, o.Vanished = false, nil, nil, 0, false
	out := written(t, func(w *wire.Writer) { writeFetchOptions(w, o) })
	req, err := serverFetchRequest(out + "\r\n")
	require.NoError(t, err, out)
	assert.Equal(t, o, req.opts)
}

// TestFetchResponse_RFC3501_7_4_2 reads FETCH response items into their
// values (ENVELOPE and BODYSTRUCTURE: TestServerStructure_RFC3501_7_4_2).
func TestFetchResponse_RFC3501_7_4_2(t *testing.T) {
	tests := []struct {
		in   string
		want FetchItemData
		body string // a section's bytes, read from its stream
	}{
		{`FLAGS (\Seen \Answered $Forwarded)`, FetchItemDataFlags{[]Flag{FlagSeen, FlagAnswered, FlagForwarded}}, ""},
		{`UID 4827313`, FetchItemDataUID{4827313}, ""},
		{`RFC822.SIZE 44827`, FetchItemDataRFC822Size{44827}, ""},
		{`MODSEQ (624140003)`, FetchItemDataModSeq{624140003}, ""},
		{`BODY[HEADER.FIELDS (SUBJECT)] {15}` + "\r\nSubject: hi\r\n\r\n",
			FetchItemDataBodySection{Section: &FetchItemBodySection{Specifier: PartHeaderFields, HeaderFields: []string{"SUBJECT"}}, Size: 15}, "Subject: hi\r\n\r\n"},
		{`BODY[1.2]<100> NIL`, FetchItemDataBodySection{Section: &FetchItemBodySection{Part: []int{1, 2}, Partial: &SectionPartial{Offset: 100}}}, ""},
		{`body[text] "quoted body"`, FetchItemDataBodySection{Section: &FetchItemBodySection{Specifier: PartText}, Size: 11}, "quoted body"},
		{`RFC822.HEADER {2}` + "\r\n\r\n", FetchItemDataBodySection{Section: &FetchItemBodySection{Specifier: PartHeader}, Size: 2}, "\r\n"},
		{`BINARY[2] ~{3}` + "\r\na\x00b", FetchItemDataBinarySection{Part: []int{2}, Size: 3}, "a\x00b"},
		{`BINARY.SIZE[2] 3`, FetchItemDataBinarySize{[]int{2}, 3}, ""},
	}
	for _, tt := range tests {
		item, err := readFetchItem(reader(tt.in + "\r\n"))
		require.NoError(t, err, tt.in)
		body := ""
		switch s := item.(type) {
		case FetchItemDataBodySection:
			body, s.Literal = literalText(t, s.Literal, s.Size), nil
			item = s
		case FetchItemDataBinarySection:
			body, s.Literal = literalText(t, s.Literal, s.Size), nil
			item = s
		}
		assert.Equal(t, tt.body, body, tt.in)
		assert.Equal(t, tt.want, item, tt.in)
	}
	item, err := readFetchItem(reader(`INTERNALDATE "17-Jul-1996 02:44:25 -0700"` + "\r\n"))
	require.NoError(t, err)
	assert.Equal(t, "1996-07-17T02:44:25-07:00", item.(FetchItemDataInternalDate).Time.Format(time.RFC3339))
	for _, bad := range []string{"XYZ 1", "UID x", "BODY[0] NIL", "MODSEQ 5", "FLAGS (\\Seen"} {
		_, err := readFetchItem(reader(bad + "\r\n"))
		assert.Error(t, err, bad)
	}
}

// literalText reads a section's stream; NIL reads as "".
func literalText(t *testing.T, r io.Reader, size int64) string {
	t.Helper()
	if r == nil {
		return ""
	}
	b, err := readAllSized(r, size)
	require.NoError(t, err)
	return string(b)
}

// TestBodyStructure_RFC3501_7_4_2 parses the multipart example of
// section 7.4.2 and walks its parts (section 6.4.5 part numbers).
func TestBodyStructure_RFC3501_7_4_2(t *testing.T) {
	in := `(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")`
	bs, err := readBodyStructure(reader(in))
	require.NoError(t, err)
	assert.True(t, bs.IsMultipart())
	assert.Equal(t, "mixed", bs.Subtype)
	require.Len(t, bs.Children, 2)
	assert.Equal(t, "cc.diff", bs.Children[1].Param("name"))
	assert.Equal(t, "Compiler diff", bs.Children[1].Description)
	assert.Equal(t, uint32(4554), bs.Children[1].Size)
	assert.Equal(t, 0, bs.Ext)
	var parts []string
	bs.Walk(func(part []int, b *BodyStructure) bool {
		parts = append(parts, partString(part))
		return true
	})
	assert.Equal(t, []string{"", "1", "2"}, parts)

	// Extension data: disposition, language list, location and an
	// unknown body-extension (skipped).
	in = `("APPLICATION" "PDF" ("NAME" "r.pdf") NIL NIL "BASE64" 100 "md5sum" ("ATTACHMENT" ("FILENAME" "r.pdf")) ("en" "de") "http://x" (1 "future"))`
	bs, err = readBodyStructure(reader(in))
	require.NoError(t, err)
	assert.Equal(t, 4, bs.Ext)
	assert.Equal(t, "md5sum", bs.MD5)
	assert.Equal(t, &Disposition{Value: "ATTACHMENT", Params: []Param{{"FILENAME", "r.pdf"}}}, bs.Disposition)
	assert.Equal(t, []string{"en", "de"}, bs.Language)
	assert.Equal(t, "http://x", bs.Location)

	for _, bad := range []string{`("TEXT")`, `("TEXT" "PLAIN" ("A") NIL NIL "7BIT" 1 1)`, `(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)`, `()`} {
		_, err := readBodyStructure(reader(bad))
		assert.Error(t, err, bad)
	}
}

// TestBodyStructureDepth checks that nesting is bounded by MaxDepth.
func TestBodyStructureDepth(t *testing.T) {
	in := strings.Repeat("(", 200) + `"TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1` + strings.Repeat(` "MIXED")`, 199)
	_, err := readBodyStructure(wire.NewReader(strings.NewReader(in), wire.Limits{MaxDepth: 50}))
	assert.ErrorIs(t, err, wire.ErrTooDeep)
}

// TestSearchCriteria_RFC3501_6_4_4 parses section 6.4.4's examples and
// every key, and checks that writing and reading again keeps them.
func TestSearchCriteria_RFC3501_6_4_4(t *testing.T) {
	c, err := readSearchCriteria(reader(`FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"` + "\r\n"))
	require.NoError(t, err)
	assert.Equal(t, &SearchCriteria{
		Flag:  []Flag{FlagFlagged},
		Since: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC),
		Not:   []SearchCriteria{{Header: []SearchHeader{{"FROM", "Smith"}}}},
	}, c)

	all := `1:3,5 UID 10:* ALL ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED DRAFT FLAGGED FROM f HEADER X-Y "z z" KEYWORD $K LARGER 10 NEW NOT SEEN OLD ON 2-Feb-2001 OR (TO t SUBJECT s) TEXT q RECENT SEEN SENTBEFORE 3-Mar-2002 SENTON 4-Apr-2003 SENTSINCE 5-May-2004 SINCE 6-Jun-2005 SMALLER 99 UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $J UNSEEN (DRAFT (SEEN)) MODSEQ "/flags/\\draft" all 620162338 $`
	c, err = readSearchCriteria(reader(all + "\r\n"))
	require.NoError(t, err)
	assert.Equal(t, int64(10), c.Larger)
	assert.Equal(t, uint64(620162338), c.ModSeq)
	assert.Len(t, c.SeqNum, 2)
	assert.Contains(t, c.Flag, FlagRecent, "NEW is RECENT UNSEEN")
	assert.Contains(t, c.NotFlag, FlagRecent, "OLD is NOT RECENT")
	require.Len(t, c.Or, 1)
	assert.Equal(t, []SearchHeader{{"TO", "t"}, {"SUBJECT", "s"}}, c.Or[0][0].Header)

	// Round trip: what we write, a server reads back the same.
	out := written(t, func(w *wire.Writer) { writeSearchCriteria(w, c) })
	again, err := readSearchCriteria(reader(out + "\r\n"))
	require.NoError(t, err, out)
	assert.Equal(t, c, again)

	assert.Equal(t, "ALL", written(t, func(w *wire.Writer) { writeSearchCriteria(w, &SearchCriteria{}) }))

	for _, bad := range []string{"", "BEFORE 32-Jan-2000", "LARGER x", "OR SEEN", "NOT", "(SEEN", "FOO", "0:3", "UID 1:0"} {
		_, err := readSearchCriteria(reader(bad + "\r\n"))
		assert.Error(t, err, bad)
	}
	deep := strings.Repeat("NOT ", 100) + "SEEN\r\n"
	_, err = readSearchCriteria(wire.NewReader(strings.NewReader(deep), wire.Limits{MaxDepth: 20}))
	assert.ErrorIs(t, err, wire.ErrTooDeep)
}

// TestSearchResponses_RFC4731_3_2 reads SEARCH and ESEARCH data.
func TestSearchResponses_RFC4731_3_2(t *testing.T) {
	d, err := readSearchResponse(reader(" 2 3 6 (MODSEQ 917162500)\r\n"))
	require.NoError(t, err)
	assert.Equal(t, []uint32{2, 3, 6}, d.Nums())
	assert.Equal(t, uint64(917162500), d.ModSeq)
	d, err = readSearchResponse(reader("\r\n"))
	require.NoError(t, err)
	assert.Empty(t, d.Nums())

	tag, d, err := readESearchResponse(reader(` (TAG "A285") UID MIN 7 MAX 3800 COUNT 15 ALL 7,12:14 MODSEQ 5 PARTIAL (1:2 5)` + "\r\n"))
	require.NoError(t, err)
	assert.Equal(t, "A285", tag)
	assert.Equal(t, &SearchData{Min: 7, Max: 3800, Count: 15, ModSeq: 5, UID: true, All: SeqSet{Ranges: []SeqRange{{7, 7}, {12, 14}}}}, d)
	assert.Equal(t, "RETURN (MIN COUNT SAVE) ", written(t, func(w *wire.Writer) {
		writeSearchReturn(w, &SearchOptions{ReturnMin: true, ReturnCount: true, ReturnSave: true})
	}))
}

// TestStatus_RFC3501_7_2_4 round-trips STATUS data and options.
func TestStatus_RFC3501_7_2_4(t *testing.T) {
	n, u, size, limit := uint32(231), uint32(0), int64(1000), uint64(0)
	d := &StatusData{Mailbox: "blurdybloop ☺", NumMessages: &n, NumUnseen: &u, UIDNext: 44292, UIDValidity: 7, Size: &size, HighestModSeq: 9, AppendLimit: &limit}
	out := written(t, func(w *wire.Writer) { writeStatusData(w, d) })
	assert.Equal(t, "* STATUS \"blurdybloop &Jjo-\" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 7 UNSEEN 0 SIZE 1000 HIGHESTMODSEQ 9 APPENDLIMIT 0)\r\n", out)
	r := reader(strings.TrimPrefix(out, "* STATUS "))
	got, err := readStatusData(r, false)
	require.NoError(t, err)
	assert.Equal(t, d, got)

	o, err := readStatusOptions(reader("(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT)"))
	require.NoError(t, err)
	assert.Equal(t, "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT)", written(t, func(w *wire.Writer) { writeStatusOptions(w, o) }))
	_, err = readStatusOptions(reader("(MESSAGES BOGUS)"))
	assert.Error(t, err)
}

// TestList_RFC5258_6 round-trips LIST responses with extended data and
// checks the LIST command's form with selection and return options.
func TestList_RFC5258_6(t *testing.T) {
	d := &ListData{Attrs: []MailboxAttr{AttrHasChildren, AttrSent, AttrSubscribed}, Delim: '/', Mailbox: "Gesendete Objekte", ChildInfo: []string{"SUBSCRIBED"}}
	out := written(t, func(w *wire.Writer) { writeListData(w, "LIST", d) })
	assert.Equal(t, "* LIST (\\HasChildren \\Sent \\Subscribed) \"/\" \"Gesendete Objekte\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n", out)
	got, err := readListData(reader(strings.TrimPrefix(out, "* LIST ")), false)
	require.NoError(t, err)
	assert.Equal(t, d, got)

	got, err = readListData(reader(`(\noselect \HASNOCHILDREN) NIL "&Jjo-" ("OLDNAME" ("old"))`), false)
	require.NoError(t, err)
	assert.Equal(t, &ListData{Attrs: []MailboxAttr{AttrNoSelect, AttrHasNoChildren}, Mailbox: "☺", OldName: "old"}, got)

	cmd := written(t, func(w *wire.Writer) {
		writeListCommand(w, "", []string{"INBOX", "Sent%"}, &ListOptions{SelectSubscribed: true, ReturnChildren: true, ReturnStatus: &StatusOptions{NumMessages: true}})
	})
	assert.Equal(t, `(SUBSCRIBED) "" (INBOX Sent%) RETURN (CHILDREN STATUS (MESSAGES))`, cmd)
}

// TestNamespace_RFC2342_5 round-trips a NAMESPACE response from RFC 2342
// section 5's examples.
func TestNamespace_RFC2342_5(t *testing.T) {
	in := `(("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/")("#ftp/" "/")("#news." "."))`
	d, err := readNamespaceData(reader(in), false)
	require.NoError(t, err)
	assert.Len(t, d.Shared, 4)
	assert.Equal(t, NamespaceDescriptor{"#news.", '.'}, d.Shared[3])
	assert.Equal(t, "* NAMESPACE "+in+"\r\n", written(t, func(w *wire.Writer) { writeNamespaceData(w, d) }))
	d, err = readNamespaceData(reader(`NIL NIL (("" NIL))`), false)
	require.NoError(t, err)
	assert.Equal(t, &NamespaceData{Shared: []NamespaceDescriptor{{}}}, d)
}

// TestID_RFC2971_3 round-trips ID parameters.
func TestID_RFC2971_3(t *testing.T) {
	params := map[string]string{"name": "Cyrus", "version": "1.5", "os": ""}
	out := written(t, func(w *wire.Writer) { writeIDParams(w, params) })
	assert.Equal(t, `("name" "Cyrus" "os" NIL "version" "1.5")`, out)
	got, err := readIDParams(reader(out))
	require.NoError(t, err)
	assert.Equal(t, params, got)
	assert.Equal(t, "NIL", written(t, func(w *wire.Writer) { writeIDParams(w, nil) }))
}

// TestDates_RFC3501_9 reads and writes date-time and date.
func TestDates_RFC3501_9(t *testing.T) {
	tm, err := readDateTime(reader(`" 7-Feb-1994 21:52:25 -0800"`))
	require.NoError(t, err)
	assert.Equal(t, "1994-02-07T21:52:25-08:00", tm.Format(time.RFC3339))
	assert.Equal(t, `" 7-Feb-1994 21:52:25 -0800"`, written(t, func(w *wire.Writer) { writeDateTime(w, tm) }))
	_, err = readDateTime(reader(`"7-Feb-94 21:52"`))
	assert.Error(t, err)
	d, err := readDate(reader(`"1-Feb-1994"`))
	require.NoError(t, err)
	assert.Equal(t, "1-Feb-1994", written(t, func(w *wire.Writer) { writeDate(w, d) }))
}

// TestMailboxNames_RFC3501_5_1 checks INBOX's case-insensitivity and the
// modified UTF-7 / UTF-8 switch (RFC 6855 section 3).
func TestMailboxNames_RFC3501_5_1(t *testing.T) {
	assert.Equal(t, "INBOX", encodeMailbox("inbox", false))
	assert.Equal(t, "INBOX", decodeMailbox("InBoX", false))
	assert.Equal(t, "&ZeVnLIqe-", encodeMailbox("日本語", false))
	assert.Equal(t, "日本語", encodeMailbox("日本語", true))
	assert.Equal(t, "日本語", decodeMailbox("&ZeVnLIqe-", false))
	assert.Equal(t, "bad&name", decodeMailbox("bad&name", false), "invalid names are kept as sent")
}

// TestFlags_RFC3501_2_3_2 canonicalizes system flags.
func TestFlags_RFC3501_2_3_2(t *testing.T) {
	flags, err := readFlagList(reader(`(\SEEN \answered $Junk \*)`))
	require.NoError(t, err)
	assert.Equal(t, []Flag{FlagSeen, FlagAnswered, FlagJunk, FlagWildcard}, flags)
	assert.True(t, Flag(`\seen`).Equal(FlagSeen))
}
