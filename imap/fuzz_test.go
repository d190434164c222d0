package imap

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/mailwire/mailwire/message"
)

// addTranscriptSeeds adds what side ('C' or 'S') sends in every client
// transcript as one seed, so the fuzzers start from real exchanges.
func addTranscriptSeeds(f *testing.F, side byte) {
	scripts, err := transcript.ParseGlob("testdata/transcripts/client/*.txt")
	require.NoError(f, err)
	for _, sc := range scripts {
		f.Add(sc.Sent(side, 1))
	}
}

// FuzzParseSeqSet checks that any accepted set formats to a string that
// parses back to the same set.
func FuzzParseSeqSet(f *testing.F) {
	for _, s := range []string{"1", "2,4:7,9,12:*", "*:4", "$", "1:4294967295", "0", "1,,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseSeqSet(s)
		if err != nil {
			return
		}
		again, err := ParseSeqSet(set.String())
		require.NoError(t, err)
		assert.Equal(t, set, again)
	})
}

// FuzzClientResponses feeds arbitrary server output to a Client: the
// whole response parser and dispatcher must end with an error value,
// never a panic or a hang, and memory stays within the limits.
func FuzzClientResponses(f *testing.F) {
	addTranscriptSeeds(f, 'S')
	for _, s := range []string{
		"* OK hi\r\n* 1 FETCH (BODY[] {5}\r\nhello UID 4)\r\n* 3 EXPUNGE\r\n* VANISHED (EARLIER) 1:3,5\r\n",
		"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+]\r\n* LIST (\\Noselect) \"/\" foo\r\n* STATUS x (MESSAGES 1)\r\n* ESEARCH (TAG \"a\") ALL 1:*\r\n",
		"* BYE\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &Options{MaxLine: 4096, MaxLiteral: 1 << 16, MaxDepth: 16,
			Unilateral: UnilateralHandler{Fetch: func(*FetchMessageBuffer) {}}}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := NewClient(ctx, &testutil.ScriptConn{R: bytes.NewReader(data)}, opts)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("client neither greeted nor stopped at the end of its input")
		}
		if err != nil {
			return
		}
		select {
		case <-c.Closed():
		case <-time.After(10 * time.Second):
			t.Fatal("client did not stop at the end of its input")
		}
	})
}

// FuzzCommandArgs runs the parsers a server uses on arbitrary command
// lines; what they accept must survive a write and a second read.
func FuzzCommandArgs(f *testing.F) {
	addTranscriptSeeds(f, 'C')
	for _, s := range []string{
		"a FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (DATE FROM)]<0.100>) (CHANGEDSINCE 5)\r\n",
		"a UID SEARCH OR (FROM x) NOT SEEN 1:5 SINCE 1-Feb-1994 HEADER X y\r\n",
		"a STATUS INBOX (MESSAGES UIDNEXT)\r\n",
		"a FETCH 2 full\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := wire.Limits{MaxLine: 4096, MaxLiteral: 1 << 16, MaxDepth: 16}
		r := wire.NewReader(bytes.NewReader(data), lim)
		cmd, _, err := readCommandHead(r)
		if err != nil || r.SP() != nil {
			return
		}
		switch cmd.Verb {
		case VerbFETCH, VerbUIDFETCH:
			if _, err := readSeqSet(r); err != nil || r.SP() != nil {
				return
			}
			c := newConn(&Server{}, nil)
			c.r = r
			req, err := c.readFetchRequest()
			if err != nil {
				return
			}
			// What the server accepts, the client writes in a form the
			// server reads to the same request.
			out := writeString(t, func(w *wire.Writer) { writeFetchOptions(w, req.opts) })
			c.r = wire.NewReader(strings.NewReader(out+"\r\n"), lim)
			again, err := c.readFetchRequest()
			require.NoError(t, err, out)
			assert.Equal(t, req.opts, again.opts, out)
		case VerbSEARCH, VerbUIDSEARCH:
			c, err := readSearchCriteria(r)
			if err != nil {
				return
			}
			out := writeString(t, func(w *wire.Writer) { writeSearchCriteria(w, c) })
			again, err := readSearchCriteria(wire.NewReader(strings.NewReader(out+"\r\n"), wire.Limits{}))
			require.NoError(t, err, out)
			assert.Equal(t, out, writeString(t, func(w *wire.Writer) { writeSearchCriteria(w, again) }))
		case VerbSTATUS:
			if _, err := r.AString(); err != nil || r.SP() != nil {
				return
			}
			_, _ = readStatusOptions(r)
		}
	})
}

// FuzzFetchItem feeds arbitrary bytes to the client's FETCH item parser:
// it must return an item or an error, never panic, and Walk must visit
// every entity of a structure it accepts (RFC 3501 section 6.4.5).
func FuzzFetchItem(f *testing.F) {
	for _, s := range []string{
		`ENVELOPE ("d" "s" (("n" NIL "m" "h")) NIL NIL ((NIL NIL "g" NIL)(NIL NIL NIL NIL)) NIL NIL NIL "<i>")`,
		`BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23 NIL NIL NIL NIL)("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 342 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1) 12 NIL ("inline" NIL) NIL NIL) "MIXED" ("BOUNDARY" "x") NIL ("en" "de") "loc")`,
		`BODY[1.2.HEADER.FIELDS.NOT (A "B C")]<5> {3}` + "\r\nabc",
		`FLAGS (\Seen $x)`, `MODSEQ (5)`, `BINARY.SIZE[1] 4`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := wire.Limits{MaxLine: 4096, MaxLiteral: 1 << 16, MaxDepth: 16}
		item, err := readFetchItem(wire.NewReader(bytes.NewReader(data), lim))
		if err != nil {
			return
		}
		bs, ok := item.(FetchItemDataBodyStructure)
		if !ok {
			return
		}
		n := 0
		bs.BodyStructure.Walk(func(part []int, b *BodyStructure) bool {
			n++
			return true
		})
		assert.Equal(t, countEntities(bs.BodyStructure), n, "Walk visits every entity once")
	})
}

// countEntities counts b and every part and encapsulated message below
// it.
func countEntities(b *BodyStructure) int {
	n := 1
	for _, c := range b.Children {
		n += countEntities(c)
	}
	if b.Body != nil {
		n += countEntities(b.Body)
	}
	return n
}

// FuzzServerStructure parses arbitrary messages as the server does and
// writes their ENVELOPE, BODY and BODYSTRUCTURE: the client must read
// back every field of the summary (RFC 3501 section 7.4.2).
func FuzzServerStructure(f *testing.F) {
	for _, data := range roundTripCorpus(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStructureLimits(bytes.NewReader(data), int64(len(data)), message.Limits{MaxDepth: 8, MaxParts: 64})
		require.NoError(t, err)
		assertServerRoundTrip(t, st)
	})
}

func writeString(t *testing.T, fn func(w *wire.Writer)) string {
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	w.UTF8 = true
	fn(w)
	require.NoError(t, w.Flush())
	return buf.String()
}
