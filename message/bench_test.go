package message

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// corpusStats is what a walk of a corpus found, to compare parsers: the
// counts must agree with ../shared/bench's mimebench.
type corpusStats struct {
	parts   int
	decoded int64
}

// walkMessage does the work mimebench measures for other parsers: decode the
// Subject and parse From of every message (the encapsulated ones too), parse
// Content-Type and Content-Disposition of every entity, and read every leaf
// body decoded, text converted to UTF-8.
func walkMessage(r *Reader, st *corpusStats, buf []byte) error {
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		st.parts++
		if p.Index == 0 {
			_, _ = p.Header.Text("Subject")
			_, _ = p.Header.AddressList("From")
		}
		if _, dp, _ := p.Header.ContentDisposition(); dp != nil {
			_ = dp.Get("filename")
		}
		if p.IsMultipart() || p.IsMessage() {
			continue
		}
		body, _ := p.Text()
		for {
			n, err := body.Read(buf)
			st.decoded += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
	}
}

// BenchmarkCorpus parses every .eml file in the folder named by
// MAILWIRE_BENCH_CORPUS (see ../shared/bench, gencorpus), walking every
// part and reading every decoded body to the end.
func BenchmarkCorpus(b *testing.B) {
	dir := os.Getenv("MAILWIRE_BENCH_CORPUS")
	if dir == "" {
		b.Skip("MAILWIRE_BENCH_CORPUS is not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no .eml files in %s", dir)
	}
	var corpus [][]byte
	var size int64
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		corpus = append(corpus, data)
		size += int64(len(data))
	}
	buf := make([]byte, 32<<10)
	var st corpusStats
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st = corpusStats{}
		for _, data := range corpus {
			if err := walkMessage(NewReader(bytes.NewReader(data)), &st, buf); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	msgs := float64(b.N * len(corpus))
	b.ReportMetric(float64(st.parts)/float64(len(corpus)), "parts/msg")
	b.ReportMetric(float64(st.decoded)/1e6, "decodedMB/pass")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/msgs, "allocs/msg")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/msgs, "B/msg")
}

func BenchmarkReadHeader(b *testing.B) {
	data, err := os.ReadFile("testdata/corpus/long-lines.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	br := bufio.NewReader(nil)
	for i := 0; i < b.N; i++ {
		br.Reset(bytes.NewReader(data))
		if _, err := ReadHeader(br); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAddressList(b *testing.B) {
	const list = `"Joe Q. Public" <john.q.public@example.com>, Mary Smith <mary@x.test>, jdoe@example.org, =?EUC-KR?B?yKux5rW/?= <gildong@example.kr>`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseAddressList(list); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDate(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseDate("Fri, 21 Nov 1997 09:55:06 -0600"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeText(b *testing.B) {
	const s = "Re: =?EUC-KR?B?vsiz58fPvLy/5A==?= =?utf-8?q?caf=C3=A9?= plain"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeText(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMediaType(b *testing.B) {
	const s = `attachment; filename*0*=UTF-8''%E3%83%86%E3%82%B9%E3%83%88; filename*1="x.txt"; size=1234`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := ParseMediaType(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadStructure summarises the test corpus, as an IMAP server
// would on APPEND.
func BenchmarkReadStructure(b *testing.B) {
	var corpus [][]byte
	var size int64
	for _, f := range corpusFiles(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		corpus = append(corpus, data)
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, data := range corpus {
			if _, err := ReadStructure(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkBuilder writes a message with text, HTML and a 100 KB
// attachment.
func BenchmarkBuilder(b *testing.B) {
	attachment := bytes.Repeat([]byte("0123456789abcdef"), 6400)
	b.SetBytes(int64(len(attachment)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := &Builder{
			Text: &BodyPart{Body: bytes.NewReader([]byte("Hello\r\n"))},
			HTML: &BodyPart{Body: bytes.NewReader([]byte("<p>Hello</p>\r\n"))},
		}
		m.Header.Set("From", "a@example.org")
		m.Attachments = []BodyPart{{Filename: "data.bin", Body: bytes.NewReader(attachment)}}
		if _, err := m.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
