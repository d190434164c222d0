package dotstream

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// read runs a Reader over in with the smallest bufio buffer (16 octets), so
// that long lines and CRLF pairs split across chunks are exercised too.
func read(in string, opt Options) (data, rest string, err error) {
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	r := NewReader(br, opt)
	b, err := io.ReadAll(r)
	if err != nil {
		if derr := r.Discard(); derr != nil {
			err = derr
		}
	}
	tail, _ := io.ReadAll(br)
	return string(b), string(tail), err
}

func TestReader_RFC5321_4_5_2(t *testing.T) {
	long := strings.Repeat("x", 40)
	for _, tc := range []struct {
		name, in   string
		opt        Options
		want, rest string
		err        error
	}{
		{name: "empty message", in: ".\r\nNEXT", rest: "NEXT"},
		{name: "one line", in: "Hi\r\n.\r\nQUIT\r\n", want: "Hi\r\n", rest: "QUIT\r\n"},
		{name: "stuffed dot removed", in: "..x\r\n.\r\n", want: ".x\r\n"},
		{name: "stuffed lone dot", in: "..\r\n.\r\n", want: ".\r\n"},
		{name: "dot not at line start kept", in: "a.b\r\n.\r\n", want: "a.b\r\n"},
		{name: "long line split across chunks", in: long + "\r\n.\r\n", want: long + "\r\n"},
		{name: "CR LF split across chunks", in: strings.Repeat("y", 15) + "\r\n.\r\n", want: strings.Repeat("y", 15) + "\r\n"},
		{name: "dot after long line is data", in: strings.Repeat("z", 16) + ".\r\n.\r\n", want: strings.Repeat("z", 16) + ".\r\n"},
		{name: "bare LF rejected", in: "a\nb\r\n.\r\nNEXT", err: ErrBareLF, rest: "NEXT"},
		{name: "bare CR rejected", in: "a\rb\r\n.\r\nNEXT", err: ErrBareCR, rest: "NEXT"},
		{name: "bare CR at chunk end rejected", in: strings.Repeat("c", 15) + "\rb\r\n.\r\nNEXT", err: ErrBareCR, rest: "NEXT"},
		{name: "LF.LF does not end", in: "a\n.\nb\r\n.\r\nNEXT", opt: Options{AllowBareNewlines: true}, want: "a\n.\nb\r\n", rest: "NEXT"},
		{name: "LF.CRLF does not end", in: "a\n.\r\nb\r\n.\r\nNEXT", opt: Options{AllowBareNewlines: true}, want: "a\n.\r\nb\r\n", rest: "NEXT"},
		{name: "CR.CRLF does not end", in: "a\r.\r\nb\r\n.\r\nNEXT", opt: Options{AllowBareNewlines: true}, want: "a\r.\r\nb\r\n", rest: "NEXT"},
		{name: "smuggled LF.CRLF rejected and skipped", in: "a\n.\r\nMAIL FROM:<x>\r\n.\r\nNEXT", err: ErrBareLF, rest: "NEXT"},
		{name: "line at limit", in: "abcd\r\n.\r\n", opt: Options{MaxLineLength: 6}, want: "abcd\r\n"},
		{name: "line over limit", in: "abcde\r\n.\r\nNEXT", opt: Options{MaxLineLength: 6}, err: ErrLineTooLong, rest: "NEXT"},
		{name: "long line over limit", in: long + "\r\n.\r\nNEXT", opt: Options{MaxLineLength: 30}, err: ErrLineTooLong, rest: "NEXT"},
		{name: "size at limit", in: "abc\r\n.\r\n", opt: Options{MaxSize: 5}, want: "abc\r\n"},
		{name: "size over limit", in: "abcd\r\n.\r\nNEXT", opt: Options{MaxSize: 5}, err: ErrTooLarge, rest: "NEXT"},
		{name: "NUL rejected", in: "a\x00b\r\n.\r\nNEXT", opt: Options{RejectNUL: true}, err: ErrNUL, rest: "NEXT"},
		{name: "NUL allowed", in: "a\x00b\r\n.\r\n", want: "a\x00b\r\n"},
		{name: "eof before terminator", in: "abc\r\n", err: io.ErrUnexpectedEOF},
		{name: "eof mid line", in: "abc", err: io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, rest, err := read(tc.in, tc.opt)
			require.ErrorIs(t, err, tc.err)
			if tc.err == nil {
				require.Equal(t, tc.want, got)
			}
			require.Equal(t, tc.rest, rest)
		})
	}
}

func TestReader_SizeCountsDiscarded(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("abcdef\r\nghij\r\n.\r\n"))
	r := NewReader(br, Options{MaxSize: 3})
	_, err := io.ReadAll(r)
	require.ErrorIs(t, err, ErrTooLarge)
	require.NoError(t, r.Discard())
	require.True(t, r.Done())
	require.Equal(t, int64(14), r.Size())
}

func TestReader_DoesNotBlockWithData(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("first\r\n"))
	r := NewReader(bufio.NewReader(pr), Options{})
	buf := make([]byte, 100)
	n, err := r.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "first\r\n", string(buf[:n]))
}

func write(in []string, normalize bool) (string, error) {
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	w := NewWriter(bw, normalize)
	for _, s := range in {
		if _, err := w.Write([]byte(s)); err != nil {
			return "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	bw.Flush()
	return out.String(), nil
}

func TestWriter_RFC5321_4_5_2(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        []string
		normalize bool
		want      string
		err       error
	}{
		{name: "empty", want: ".\r\n"},
		{name: "line", in: []string{"Hi\r\n"}, want: "Hi\r\n.\r\n"},
		{name: "open last line closed", in: []string{"Hi"}, want: "Hi\r\n.\r\n"},
		{name: "leading dot stuffed", in: []string{".\r\n..x\r\n"}, want: "..\r\n...x\r\n.\r\n"},
		{name: "dot after split CRLF", in: []string{"a\r", "\n.b"}, want: "a\r\n..b\r\n.\r\n"},
		{name: "inner dot untouched", in: []string{"a.b\r\n"}, want: "a.b\r\n.\r\n"},
		{name: "bare LF refused", in: []string{"a\nb"}, err: ErrBareLF},
		{name: "bare CR refused", in: []string{"a\rb"}, err: ErrBareCR},
		{name: "trailing bare CR refused", in: []string{"a\r"}, err: ErrBareCR},
		{name: "bare LF normalised", in: []string{"a\n.b\n"}, normalize: true, want: "a\r\n..b\r\n.\r\n"},
		{name: "empty lines normalised", in: []string{"a\n\n\r\n\n.x"}, normalize: true, want: "a\r\n\r\n\r\n\r\n..x\r\n.\r\n"},
		{name: "empty bare LF line refused", in: []string{"a\r\n\n"}, err: ErrBareLF},
		{name: "bare CR normalised", in: []string{"a\r.b\r"}, normalize: true, want: "a\r\n..b\r\n.\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := write(tc.in, tc.normalize)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestRoundTrip(t *testing.T) {
	msgs := []string{"", "a\r\n", ".\r\n", "..\r\n.\r\n", "x\r\n.\r\nQUIT\r\n", strings.Repeat(".a\r\n", 1000)}
	for _, m := range msgs {
		stuffed, err := write([]string{m}, false)
		require.NoError(t, err)
		got, rest, err := read(stuffed+"NEXT", Options{})
		require.NoError(t, err)
		require.Equal(t, m, got)
		require.Equal(t, "NEXT", rest)
	}
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{"a\r\n.\r\n", "..\r\n.\r\n", "a\n.\r\n", "\r.\r\n", "x"} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, allow bool) {
		br := bufio.NewReaderSize(bytes.NewReader(in), 16)
		r := NewReader(br, Options{AllowBareNewlines: allow, MaxLineLength: 20})
		data, err := io.ReadAll(r)
		if err != nil {
			if r.Discard() != nil {
				return
			}
		}
		if !r.Done() {
			t.Fatal("no error but not done")
		}
		if err != nil {
			return
		}
		// Re-stuffing what came out and reading it again gives the same data.
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		w := NewWriter(bw, false)
		if _, err := w.Write(data); err != nil {
			return // bare newlines allowed in, refused out
		}
		require.NoError(t, w.Close())
		bw.Flush()
		again, err := io.ReadAll(NewReader(bufio.NewReader(&out), Options{}))
		require.NoError(t, err)
		require.Equal(t, data, again)
	})
}

func BenchmarkReader(b *testing.B) {
	line := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2) + "\r\n"
	msg := strings.Repeat(line, 100) + ".\r\n"
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	sr := strings.NewReader(msg)
	br := bufio.NewReader(sr)
	buf := make([]byte, 32*1024)
	for b.Loop() {
		sr.Reset(msg)
		br.Reset(sr)
		r := NewReader(br, Options{MaxLineLength: 1000, RejectNUL: true})
		for {
			if _, err := r.Read(buf); err != nil {
				break
			}
		}
	}
}

func TestReader_WriteToMatchesRead(t *testing.T) {
	for _, in := range []string{".\r\n", "a\r\n..b\r\n.\r\nNEXT", strings.Repeat("x", 40) + "\r\n.\r\n", "a\nb\r\n.\r\nNEXT", "abc"} {
		want, wantRest, wantErr := read(in, Options{})
		br := bufio.NewReaderSize(strings.NewReader(in), 16)
		r := NewReader(br, Options{})
		var got bytes.Buffer
		_, err := r.WriteTo(&got)
		if err != nil {
			if derr := r.Discard(); derr != nil {
				err = derr
			}
		}
		rest, _ := io.ReadAll(br)
		require.ErrorIs(t, err, wantErr, in)
		if wantErr == nil {
			require.Equal(t, want, got.String(), in)
		}
		require.Equal(t, wantRest, string(rest), in)
	}
}

func BenchmarkWriter(b *testing.B) {
	line := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2) + "\r\n"
	msg := []byte(strings.Repeat(line, 100) + "." + line)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	bw := bufio.NewWriterSize(io.Discard, 32<<10)
	for b.Loop() {
		w := NewWriter(bw, true)
		w.Write(msg)
		w.Close()
	}
}

// stuffNaive is the Writer's rule written the slow, obvious way: with
// normalisation, each bare CR, bare LF or CRLF is one line end; every line
// that starts with "." gets another.
func stuffNaive(in []byte) string {
	var out bytes.Buffer
	lineStart := true
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c == '\r' || c == '\n' {
			if c == '\r' && i+1 < len(in) && in[i+1] == '\n' {
				i++
			}
			out.WriteString("\r\n")
			lineStart = true
			continue
		}
		if lineStart && c == '.' {
			out.WriteByte('.')
		}
		out.WriteByte(c)
		lineStart = false
	}
	if !lineStart {
		out.WriteString("\r\n")
	}
	out.WriteString(".\r\n")
	return out.String()
}

func FuzzWriter(f *testing.F) {
	for _, s := range []string{"a\n\nb", ".\r\n.", "\r\r\n\n", "x\r", "..\n"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		w := NewWriter(bw, true)
		// Split the input in two writes so that state carried between
		// calls (a CR at the end, a line start) is exercised.
		if split < 0 || split > len(in) {
			split = len(in) / 2
		}
		_, err := w.Write(in[:split])
		require.NoError(t, err)
		_, err = w.Write(in[split:])
		require.NoError(t, err)
		require.NoError(t, w.Close())
		bw.Flush()
		require.Equal(t, stuffNaive(in), out.String())
	})
}
