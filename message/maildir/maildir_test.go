package maildir

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLineEnds: CRLF is stored as LF, a bare CR survives, and the sizes
// recorded match the file and what ToCRLF serves, however the input is
// split into writes.
func TestLineEnds(t *testing.T) {
	for _, tc := range []struct{ in, stored string }{
		{"a\r\nb\r\n", "a\nb\n"},
		{"a\rb\r\n", "a\rb\n"},
		{"\r\n\r\n", "\n\n"},
		{"no end", "no end"},
		{"ends in CR\r", "ends in CR\r"},
	} {
		for _, split := range []bool{false, true} {
			var buf bytes.Buffer
			lw := &lfWriter{w: &buf}
			if split {
				for i := 0; i < len(tc.in); i++ {
					_, err := lw.Write([]byte{tc.in[i]})
					require.NoError(t, err)
				}
			} else {
				_, err := lw.Write([]byte(tc.in))
				require.NoError(t, err)
			}
			require.NoError(t, lw.flush())
			require.Equal(t, tc.stored, buf.String(), "%q", tc.in)
			require.Equal(t, int64(len(tc.stored)), lw.size)
			require.Equal(t, int64(len(ToCRLF(buf.Bytes()))), lw.wireSize, "%q", tc.in)
			require.Equal(t, lw.wireSize, WireSize(buf.Bytes()))
		}
	}
	require.Equal(t, "a\r\nb\r\n", string(ToCRLF([]byte("a\nb\r\n"))))
}

// TestNames follows the Maildir specification: flags sorted after ":2,",
// sizes in ",S=" and ",W=", the unique base kept across flag changes.
func TestNames(t *testing.T) {
	n := ParseName("1700000000.M1P2Q3.host,S=10,W=12:2,SRF")
	require.Equal(t, "1700000000.M1P2Q3.host,S=10,W=12", n.Base)
	require.Equal(t, "FRS", n.Flags)
	require.Equal(t, int64(10), n.Field('S'))
	require.Equal(t, int64(12), n.Field('W'))
	require.Equal(t, int64(-1), ParseName("1700000000.V801I42.host").Field('W'))
	require.Equal(t, "1700000000.M1P2Q3.host,S=10,W=12:2,FRS", n.File())
	base := NewBase(time.Unix(1700000000, 5000), 7, 9)
	require.True(t, strings.HasPrefix(base, "1700000000.M5P"), base)
	require.True(t, strings.HasSuffix(base, ",S=7,W=9"), base)
	require.NotEqual(t, base, NewBase(time.Unix(1700000000, 5000), 7, 9), "unique within a process")
}

// TestWrite: a written message lands in new (or cur with flags), its
// modification time is the date given, and nothing stays in tmp.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Create(dir))
	date := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	n, err := Write(dir, strings.NewReader("Subject: x\r\n\r\nhi\r\n"), "", date)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, "new", n.Base))
	require.NoError(t, err)
	require.Equal(t, "Subject: x\n\nhi\n", string(data))
	_, err = Write(dir, strings.NewReader("x\r\n"), "S", time.Time{})
	require.NoError(t, err)
	tmp, err := os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	require.Empty(t, tmp)
	entries, err := Scan(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	require.True(t, entries[0].ModTime.Equal(date))
	require.Equal(t, "S", entries[1].Flags)
}
