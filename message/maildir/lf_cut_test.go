package maildir

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Only CR LF becomes LF; a bare CR stays, however the stream is cut into
// writes (every cut point is tried, so a CR at the end of a write is
// covered).
func TestLFWriter_EveryCut(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a\r\nb\r\n", "a\nb\n"},
		{"a\nb\n", "a\nb\n"},
		{"bare\rcr\r", "bare\rcr\r"},
		{"\r\r\n\r\n\r", "\r\n\n\r"},
		{"x\r\n\r\n.\r\n", "x\n\n.\n"},
	} {
		for cut := 0; cut <= len(tc.in); cut++ {
			var out bytes.Buffer
			w := &lfWriter{w: &out}
			for _, part := range []string{tc.in[:cut], tc.in[cut:]} {
				n, err := w.Write([]byte(part))
				require.NoError(t, err)
				assert.Equal(t, len(part), n)
			}
			require.NoError(t, w.flush())
			assert.Equal(t, tc.want, out.String(), "%q cut at %d", tc.in, cut)
		}
	}
}

func FuzzLFWriter(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\n"), 3)
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		if cut < 0 || cut > len(in) {
			cut = len(in) / 2
		}
		var out bytes.Buffer
		w := &lfWriter{w: &out}
		w.Write(in[:cut])
		w.Write(in[cut:])
		w.flush()
		want := bytes.ReplaceAll(in, []byte("\r\n"), []byte("\n"))
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("%q cut at %d: got %q, want %q", in, cut, out.Bytes(), want)
		}
	})
}
