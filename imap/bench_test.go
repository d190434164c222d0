package imap

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/testutil"
)

// fetchStream builds n FETCH responses with UID, FLAGS, ENVELOPE,
// BODYSTRUCTURE and a body literal, as Dovecot sends them.
func fetchStream(n, bodySize int) []byte {
	body := strings.Repeat("x", bodySize-2) + "\r\n"
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `* %d FETCH (UID %d FLAGS (\Seen $Forwarded) ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-%d@cac.washington.edu>") BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1152 23 NIL NIL NIL NIL)("application" "pdf" ("name" "r.pdf") NIL NIL "base64" 4554 NIL ("attachment" ("filename" "r.pdf")) NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL) BODY[] {%d}`+"\r\n%s)\r\n", i, i, i, len(body), body)
	}
	return b.Bytes()
}

// BenchmarkParseFetchStream parses a large FETCH response stream with the
// codec alone, literals streamed to io.Discard.
func BenchmarkParseFetchStream(b *testing.B) {
	data := fetchStream(1000, 2048)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := wire.NewReader(bytes.NewReader(data), wire.Limits{})
		for len(r.PeekN(1)) > 0 {
			if err := r.Expect('*'); err != nil {
				b.Fatal(err)
			}
			_ = r.SP()
			if _, err := r.Number(); err != nil {
				b.Fatal(err)
			}
			_ = r.SP()
			if _, err := r.AtomBytes(); err != nil {
				b.Fatal(err)
			}
			err := readFetchItems(r, func(item FetchItemData) error {
				if s, ok := item.(FetchItemDataBodySection); ok {
					_, err := io.Copy(io.Discard, s.Literal)
					return err
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// bodyStream builds n FETCH responses with only UID and a body literal,
// the answer to UID FETCH 1:* (BODY.PEEK[]).
func bodyStream(n, bodySize int) []byte {
	body := strings.Repeat("x", bodySize-2) + "\r\n"
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "* %d FETCH (UID %d BODY[] {%d}\r\n%s)\r\n", i, i, len(body), body)
	}
	return b.Bytes()
}

// replayClient returns a client of a loopback server that answers every
// command with data and a tagged OK.
func replayClient(b *testing.B, data []byte) *Client {
	addr := testutil.ServeOnce(b, func(conn net.Conn) {
		conn.Write([]byte("* PREAUTH ready\r\n"))
		br := bufio.NewReader(conn)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, _, _ := strings.Cut(line, " ")
			conn.Write(data)
			conn.Write([]byte(tag + " OK done\r\n"))
		}
	})
	c, err := Dial(context.Background(), addr, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// benchFetch fetches the 1000 messages of data with opts through the
// whole client, reading each body as a stream.
func benchFetch(b *testing.B, data []byte, opts *FetchOptions) {
	c := replayClient(b, data)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f := c.Fetch(ctx, SeqSetRange(1, 0), opts)
		n := 0
		for m := f.Next(); m != nil; m = f.Next() {
			for item := m.Next(); item != nil; item = m.Next() {
				if s, ok := item.(FetchItemDataBodySection); ok {
					io.Copy(io.Discard, s.Literal)
				}
			}
			n++
		}
		if err := f.Close(); err != nil || n != 1000 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkClientFetch fetches 1000 messages with ENVELOPE,
// BODYSTRUCTURE and BODY.PEEK[] over loopback TCP from a server that
// replays a prepared stream.
func BenchmarkClientFetch(b *testing.B) {
	benchFetch(b, fetchStream(1000, 2048), &FetchOptions{UID: true, Flags: true, Envelope: true, BodyStructure: true,
		BodySection: []*FetchItemBodySection{{Peek: true}}})
}

// BenchmarkClientFetchBody fetches only BODY.PEEK[] of 1000 messages: the
// literal path alone.
func BenchmarkClientFetchBody(b *testing.B) {
	benchFetch(b, bodyStream(1000, 2048), &FetchOptions{UID: true, BodySection: []*FetchItemBodySection{{Peek: true}}})
}

// benchMessage is the message fetchStream describes: RFC 3501 section
// 8's envelope and a text part with a PDF attachment.
const benchMessage = "Date: Wed, 17 Jul 1996 02:23:25 -0700\r\n" +
	"Subject: IMAP4rev1 WG mtg summary and minutes\r\n" +
	"From: Terry Gray <gray@cac.washington.edu>\r\n" +
	"To: imap@cac.washington.edu\r\n" +
	"Cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n" +
	"Message-ID: <B27397-1@cac.washington.edu>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nminutes\r\n" +
	"--b\r\nContent-Type: application/pdf; name=r.pdf\r\nContent-Transfer-Encoding: base64\r\n" +
	"Content-Disposition: attachment; filename=r.pdf\r\n\r\nJVBERi0=\r\n--b--\r\n"

// BenchmarkWriteFetchResponse measures the server writing ENVELOPE and
// BODYSTRUCTURE from a parsed structure, as FETCH does.
func BenchmarkWriteFetchResponse(b *testing.B) {
	st, err := ParseStructure(strings.NewReader(benchMessage), int64(len(benchMessage)))
	if err != nil {
		b.Fatal(err)
	}
	w := wire.NewWriter(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		w.Raw("ENVELOPE ")
		writeMessageEnvelope(w, st.Envelope)
		w.Raw(" BODYSTRUCTURE ")
		writeMessageStructure(w, st, true)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}
