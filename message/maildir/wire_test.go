package maildir

import (
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeMessage stores data in a file of the given name and opens it.
func writeMessage(t testing.TB, name string, data []byte, opts ...Option) *Message {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	m, err := OpenMessage(path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m
}

// counting counts the file octets a Message reads.
type counting struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *counting) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// count makes m count what it reads from its file.
func count(m *Message) *counting {
	c := &counting{r: m.r}
	m.r = c
	return c
}

// readAt is ReadAt into a fresh buffer of n octets.
func readAt(m *Message, off int64, n int) (string, error) {
	p := make([]byte, n)
	k, err := m.ReadAt(p, off)
	return string(p[:k]), err
}

// TestMessageReadAt_WireForm: ReadAt serves the octets of ToCRLF at the
// offsets IMAP partial fetches ask for (RFC 3501 section 6.4.5), with
// checkpoints every 1, 2, 3 and 64 Ki file bytes so that reads start
// from checkpoints inside CRLF pairs too. A bare CR and a stored CRLF are
// served as stored, as Dovecot does (i_stream_create_crlf).
func TestMessageReadAt_WireForm(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		off        int64
		n          int
		want       string
		err        error
	}{
		{"start", "ab\ncd\n", 0, 3, "ab\r", nil},
		{"the added CR", "ab\ncd\n", 2, 2, "\r\n", nil},
		{"inside an added CRLF pair", "ab\ncd\n", 3, 3, "\ncd", nil},
		{"stored CRLF kept", "ab\r\ncd\n", 2, 4, "\r\ncd", nil},
		{"inside a stored CRLF pair", "ab\r\ncd\n", 3, 2, "\nc", nil},
		{"bare CR kept", "a\rb\n", 0, 5, "a\rb\r\n", nil},
		{"at a bare CR", "a\rb\n", 1, 2, "\rb", nil},
		{"CR CR LF", "\r\r\n", 0, 3, "\r\r\n", nil},
		{"LF LF", "\n\n", 1, 3, "\n\r\n", nil},
		{"up to the end", "ab\n", 2, 2, "\r\n", nil},
		{"across the end", "ab\n", 2, 3, "\r\n", io.EOF},
		{"at the end", "ab\n", 4, 1, "", io.EOF},
		{"past the end", "ab\n", 9, 1, "", io.EOF},
		{"empty file", "", 0, 1, "", io.EOF},
		{"no final newline", "ab\ncd", 3, 9, "\ncd", io.EOF},
		{"ends in CR", "ab\r", 1, 9, "b\r", io.EOF},
		{"nothing asked", "ab\n", 1, 0, "", nil},
	} {
		for _, every := range []int64{1, 2, 3, checkpointEvery} {
			m := writeMessage(t, "msg", []byte(tc.file), withEvery(every))
			got, err := readAt(m, tc.off, tc.n)
			assert.Equal(t, tc.err, err, "%s, every %d", tc.name, every)
			assert.Equal(t, tc.want, got, "%s, every %d", tc.name, every)
			assert.Equal(t, WireSize([]byte(tc.file)), m.Size(), tc.name)
		}
	}
}

// checkAll compares every ReadAt and NewReader section of m with the
// same octets of ToCRLF(file).
func checkAll(t *testing.T, m *Message, file []byte) {
	t.Helper()
	wire := ToCRLF(file)
	require.Equal(t, int64(len(wire)), m.Size())
	for off := 0; off <= len(wire)+1; off++ {
		for n := 0; n <= len(wire)-off+1; n++ {
			want := wire[min(off, len(wire)):min(off+n, len(wire))]
			got, err := readAt(m, int64(off), n)
			require.Equal(t, string(want), got, "ReadAt(%d, %d) of %q", off, n, file)
			if len(want) < n {
				require.Equal(t, io.EOF, err, "ReadAt(%d, %d) of %q", off, n, file)
			} else {
				require.NoError(t, err, "ReadAt(%d, %d) of %q", off, n, file)
			}
			sec, err := io.ReadAll(m.NewReader(int64(off), int64(n)))
			require.NoError(t, err)
			require.Equal(t, string(want), string(sec), "NewReader(%d, %d) of %q", off, n, file)
		}
	}
}

// TestMessageReadAt_EveryOffset: every section of messages with LF,
// CRLF, bare CR and no final newline equals the same section of ToCRLF,
// whatever the checkpoint distance, and WireSize is the size (the W=
// Dovecot writes counts a stored CRLF once, message-size.c).
func TestMessageReadAt_EveryOffset(t *testing.T) {
	for _, file := range []string{"", "\n", "\r", "\r\n", "a\nb\r\n\rc\r\r\n\n", "x\r\r\n\n\rno end"} {
		for _, every := range []int64{1, 2, 5, checkpointEvery} {
			checkAll(t, writeMessage(t, "msg", []byte(file), withEvery(every)), []byte(file))
		}
	}
}

func FuzzMessageReadAt(f *testing.F) {
	f.Add([]byte("a\nb\r\nc\rd"), int64(3), int64(2), uint8(2))
	f.Add([]byte("\n\n\r\r\n"), int64(1), int64(9), uint8(1))
	f.Fuzz(func(t *testing.T, file []byte, off, n int64, every uint8) {
		if off < 0 || n < 0 || n > 1<<16 {
			t.Skip()
		}
		path := filepath.Join(t.TempDir(), "msg")
		require.NoError(t, os.WriteFile(path, file, 0o600))
		m, err := OpenMessage(path, withEvery(int64(every)+1))
		require.NoError(t, err)
		defer m.Close()
		wire := ToCRLF(file)
		want := wire[min(off, int64(len(wire))):min(off+n, int64(len(wire)))]
		got, err := readAt(m, off, int(n))
		if len(want) < int(n) {
			require.Equal(t, io.EOF, err)
		} else {
			require.NoError(t, err)
		}
		require.Equal(t, want, []byte(got), "ReadAt(%d, %d) of %q", off, n, file)
		sec, err := io.ReadAll(m.NewReader(off, n))
		require.NoError(t, err)
		require.Equal(t, want, sec, "NewReader(%d, %d) of %q", off, n, file)
		require.Equal(t, int64(len(wire)), m.Size())
	})
}
