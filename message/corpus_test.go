package message

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the .golden summaries of testdata/corpus")

// corpusFiles returns the messages of testdata/corpus, which
// testdata/corpus/README.md describes.
func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob("testdata/corpus/*.eml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 40)
	return files
}

// TestCorpus_RoundTrip checks that every message, read and written back
// without change, is identical byte-for-byte.
func TestCorpus_RoundTrip(t *testing.T) {
	for _, f := range corpusFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			r := NewReader(bytes.NewReader(data))
			p, err := r.NextPart()
			require.NoError(t, err)
			var out bytes.Buffer
			_, err = p.Header.WriteTo(&out)
			require.NoError(t, err)
			_, err = io.Copy(&out, p.Raw())
			require.NoError(t, err)
			assert.Equal(t, data, out.Bytes())
		})
	}
}

// TestCorpus_Structure walks every message, checks that the offsets, sizes
// and line counts of each part describe the input exactly and agree with
// ReadStructure, and compares a summary with testdata/corpus/*.golden
// (go test -run Corpus_Structure -update rewrites them).
func TestCorpus_Structure(t *testing.T) {
	for _, f := range corpusFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			summary := summarize(t, data)
			golden := strings.TrimSuffix(f, ".eml") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(summary), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), summary)
		})
	}
}

// summarize walks a message, checking its parts against the input, and
// renders what it found.
func summarize(t *testing.T, data []byte) string {
	t.Helper()
	var b strings.Builder
	r := NewReader(bytes.NewReader(data))
	var parts []*Part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		parts = append(parts, p)
		summarizePart(t, &b, data, p, len(parts))
	}
	for _, p := range parts {
		end, ok := p.End()
		require.True(t, ok)
		lines, _ := p.Lines()
		body := data[p.BodyOffset:end]
		want := int64(bytes.Count(body, []byte("\n"))) // RFC 3501 7.4.2 body-fld-lines
		require.Equal(t, want, lines, "lines of a %s part", p.MediaType)
	}
	e := checkStructure(t, data, parts).Envelope
	fmt.Fprintf(&b, "envelope: date=%q subject=%q from=%v sender=%v reply-to=%v to=%v cc=%v bcc=%v in-reply-to=%q message-id=%q\n",
		e.Date, e.Subject, e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc, e.InReplyTo, e.MessageID)
	return b.String()
}

// summarizePart renders the nth part, p, on one line of b, after checking
// that its header and raw body stand at their offsets in data.
func summarizePart(t *testing.T, b *strings.Builder, data []byte, p *Part, nth int) {
	var hb bytes.Buffer
	_, err := p.Header.WriteTo(&hb)
	require.NoError(t, err)
	require.Equal(t, string(data[p.HeaderOffset:p.BodyOffset]), hb.String())
	fmt.Fprintf(b, "%s%d %s", strings.Repeat("  ", p.Depth), p.Index, p.MediaType)
	for _, prm := range p.Params {
		if prm.Name != "boundary" {
			fmt.Fprintf(b, " %s=%q", prm.Name, prm.Value)
		}
	}
	fmt.Fprintf(b, " enc=%s", p.Encoding)
	if d, dp, _ := p.Header.ContentDisposition(); d != "" {
		fmt.Fprintf(b, " disp=%s", d)
		if fn := dp.Get("filename"); fn != "" {
			fmt.Fprintf(b, " filename=%q", fn)
		}
	}
	if p.Index == 0 {
		subject, _ := p.Header.Text("Subject")
		from, _ := p.Header.AddressList("From")
		fmt.Fprintf(b, " subject=%q from=%q", subject, FormatAddressList(from))
	}
	if !p.IsMultipart() && !p.IsMessage() {
		raw, err := io.ReadAll(p.Raw())
		require.NoError(t, err)
		end, ok := p.End()
		require.True(t, ok)
		require.Equal(t, string(data[p.BodyOffset:end]), string(raw), "raw body at its offsets")
		summarizeText(t, b, data, nth)
	}
	b.WriteString("\n")
}

// summarizeText decodes the nth part of data, read again from the start
// since its raw body was consumed, and renders its text or decoded size.
func summarizeText(t *testing.T, b *strings.Builder, data []byte, nth int) {
	r := NewReader(bytes.NewReader(data))
	var p *Part
	for range nth {
		q, err := r.NextPart()
		require.NoError(t, err)
		p = q
	}
	text, err := p.Text()
	if err != nil {
		fmt.Fprintf(b, " err=%q", err)
	}
	body, err := io.ReadAll(text)
	require.NoError(t, err)
	if strings.HasPrefix(p.MediaType, "text/") {
		s := string(body)
		if len([]rune(s)) > 40 {
			s = string([]rune(s)[:40]) + "..."
		}
		fmt.Fprintf(b, " text=%q", s)
	} else {
		fmt.Fprintf(b, " decoded=%d", len(body))
	}
}

// checkStructure checks that ReadStructure agrees with the walk, part by
// part in the same order, and returns its result.
func checkStructure(t *testing.T, data []byte, parts []*Part) *Structure {
	s, err := ReadStructure(bytes.NewReader(data))
	require.NoError(t, err)
	var flat []*Structure
	var visit func(*Structure)
	visit = func(s *Structure) {
		flat = append(flat, s)
		if s.Message != nil {
			visit(s.Message)
		}
		for _, c := range s.Parts {
			visit(c)
		}
	}
	visit(s)
	require.Len(t, flat, len(parts))
	for i, p := range parts {
		end, _ := p.End()
		lines, _ := p.Lines()
		assert.Equal(t, p.MediaType, flat[i].MediaType())
		assert.Equal(t, [4]int64{p.HeaderOffset, p.BodyOffset, end, lines},
			[4]int64{flat[i].HeaderOffset, flat[i].BodyOffset, flat[i].End, flat[i].Lines})
		assert.Equal(t, end-p.BodyOffset, flat[i].Size)
	}
	assert.Equal(t, int64(len(data)), s.End)
	return s
}

// TestCorpus_LFOnlyHeader checks that LF-only input is read as such.
func TestCorpus_LFOnlyHeader(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/lf-only.eml")
	require.NoError(t, err)
	require.NotContains(t, string(data), "\r")
	h, err := ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	require.NoError(t, err)
	assert.Equal(t, "LF only", h.Get("Subject"))
}
