package maildir

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lines is a message of n octets of 76-character LF lines.
func lines(n int) []byte {
	line := strings.Repeat("x", 75) + "\n"
	return []byte(strings.Repeat(line, n/len(line)+1)[:n])
}

// TestMessageSize_WField: Size is the W= field of the name when it has
// one, as Dovecot takes RFC822.SIZE from it (a probe of Dovecot 2.3 on a
// file named W=99 answered RFC822.SIZE 99), without reading the file;
// otherwise it is counted, CRLF and bare CR once each (Dovecot answered
// 20 for "Subject: b\r\n\r\ncrlf\r\n" and 30 for a 27-octet file with
// three LFs alone).
func TestMessageSize_WField(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       int64
		read       int64 // file octets read to know it
	}{
		{"1.M1P1Q1.host,S=3,W=4", "ab\n", 4, 0},
		{"1.M1P1Q1.host,S=3,W=4:2,S", "ab\n", 4, 0},
		{"1.M1P1Q1.host", "Subject: b\r\n\r\ncrlf\r\n", 20, 20},
		{"1.M1P1Q1.host:2,", "Subject: c\n\nbare\rcr\r\nmix\n\rx", 30, 27},
		{"1.M1P1Q1.host,S=0", "", 0, 0},
	} {
		m := writeMessage(t, tc.name, []byte(tc.file))
		c := count(m)
		assert.Equal(t, tc.want, m.Size(), tc.name)
		assert.Equal(t, tc.read, c.n.Load(), tc.name)
		assert.Equal(t, tc.want, m.Size(), tc.name)
		assert.Equal(t, tc.read, c.n.Load(), "%s: counted once", tc.name)
	}
}

// TestMessageReadAt_WFieldWrong: a W= size that is not the file's makes
// the read that reaches the end fail with ErrWireSize instead of io.EOF,
// where Dovecot fails the FETCH ("Cached message size ... than
// expected"); the octets before are served.
func TestMessageReadAt_WFieldWrong(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		off        int64
		n          int
		want       string
	}{
		{"1.host,W=9", "ab\n", 0, 9, "ab\r\n"},
		{"1.host,W=9", "ab\n", 1, 4, "b\r\n"},
		{"1.host,W=2", "ab\n", 0, 9, "ab"},
		{"1.host,W=2", "ab\n", 1, 1, "b"},
	} {
		m := writeMessage(t, tc.name, []byte(tc.file))
		got, err := readAt(m, tc.off, tc.n)
		assert.ErrorIs(t, err, ErrWireSize, "%s ReadAt(%d, %d)", tc.name, tc.off, tc.n)
		assert.Equal(t, tc.want, got, "%s ReadAt(%d, %d)", tc.name, tc.off, tc.n)
		sec, err := io.ReadAll(m.NewReader(tc.off, -1))
		assert.ErrorIs(t, err, ErrWireSize, "%s NewReader(%d)", tc.name, tc.off)
		assert.Equal(t, tc.want, string(sec), "%s NewReader(%d)", tc.name, tc.off)
	}
	m := writeMessage(t, "1.host,W=4", []byte("ab\n"))
	got, err := readAt(m, 0, 9)
	assert.Equal(t, io.EOF, err, "a right W= ends in io.EOF")
	assert.Equal(t, "ab\r\n", got)
}

// TestMessageReadAt_ReadsOnlyWhatItNeeds: BODY[]<0.100> reads the first
// block of the file only; a read at the end of a message whose W= is
// known reads the file once (its last block twice at most), building the
// table, and a read of it whole reads it once; with that table passed
// to OpenMessage (WithCheckpoints), a read anywhere reads one block and
// Size needs no scan.
func TestMessageReadAt_ReadsOnlyWhatItNeeds(t *testing.T) {
	file := lines(1<<20 + 1000)
	wire := ToCRLF(file)
	size := int64(len(wire))
	name := NewBase(time.Unix(1700000000, 0), int64(len(file)), size)
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, file, 0o600))
	for _, tc := range []struct {
		name     string
		off      int64
		n        int
		maxRead  int64
		restored bool
	}{
		{"first 100 octets", 0, 100, 100, false},
		{"whole in one read", 0, int(size), int64(len(file)) + checkpointEvery/16, false},
		{"last 100 octets", size - 100, 100, int64(len(file)) + 2*checkpointEvery, false},
		{"middle, restored table", size / 2, 100, 2*checkpointEvery + 1, true},
		{"last 100 octets, restored table", size - 100, 100, 2*checkpointEvery + 1, true},
	} {
		var opts []Option
		if tc.restored {
			m, err := OpenMessage(path)
			require.NoError(t, err)
			_, err = readAt(m, size-1, 1)
			require.NoError(t, err)
			opts = append(opts, WithCheckpoints(m.Checkpoints()))
			m.Close()
		}
		m, err := OpenMessage(path, opts...)
		require.NoError(t, err)
		c := count(m)
		got, err := readAt(m, tc.off, tc.n)
		require.NoError(t, err, tc.name)
		require.Equal(t, string(wire[tc.off:tc.off+int64(tc.n)]), got, tc.name)
		assert.LessOrEqual(t, c.n.Load(), tc.maxRead, tc.name)
		if tc.off > 0 && tc.off+int64(tc.n) == size {
			cps := m.Checkpoints()
			assert.Equal(t, Checkpoint{int64(len(file)), size}, cps[len(cps)-1], "%s: the table ends at the end", tc.name)
		}
		m.Close()
	}
}

// TestMessageCheckpoints: the table runs from {0, 0} to {file size,
// wire size} once read through, one checkpoint every 64 KiB of file, and
// a restored table gives the size of a name without W= with no scan; a
// table that cannot be the file's is ignored.
func TestMessageCheckpoints(t *testing.T) {
	file := lines(200 << 10)
	m := writeMessage(t, "1.M1P1Q1.host", file)
	require.Equal(t, []Checkpoint{{}}, m.Checkpoints())
	require.Equal(t, WireSize(file), m.Size())
	cps := m.Checkpoints()
	require.Len(t, cps, 5)
	for i, cp := range cps[:4] {
		assert.Equal(t, int64(i*checkpointEvery), cp.File)
		assert.Equal(t, WireSize(file[:cp.File]), cp.Wire)
	}
	assert.Equal(t, Checkpoint{int64(len(file)), WireSize(file)}, cps[4])

	for _, tc := range []struct {
		name  string
		cps   []Checkpoint
		reads bool
	}{
		{"the file's own", cps, false},
		{"without {0, 0}", cps[1:], false},
		{"not increasing", []Checkpoint{cps[2], cps[1], cps[4]}, true},
		{"beyond the end", []Checkpoint{{int64(len(file)) + 1, WireSize(file) + 1}}, true},
		{"more than two octets a byte", []Checkpoint{{10, 21}}, true},
		{"none", nil, true},
	} {
		r := writeMessage(t, "1.M1P1Q1.host", file, WithCheckpoints(tc.cps))
		c := count(r)
		assert.Equal(t, WireSize(file), r.Size(), tc.name)
		assert.Equal(t, tc.reads, c.n.Load() > 0, tc.name)
		if !tc.reads {
			assert.Equal(t, cps, r.Checkpoints(), tc.name)
		}
	}
}

// TestMessageNewReader_Sequential: a section read through in small reads
// equals ToCRLF and reads the file once from the checkpoint before its
// start, not once per read.
func TestMessageNewReader_Sequential(t *testing.T) {
	file := append(lines(300<<10), "\r\nbare\rend"...)
	wire := ToCRLF(file)
	m := writeMessage(t, "1.M1P1Q1.host", file)
	require.Equal(t, int64(len(wire)), m.Size())
	for _, tc := range []struct {
		off, n int64
	}{{0, -1}, {0, int64(len(wire))}, {70001, 100000}, {int64(len(wire)) - 5, -1}} {
		c := count(m)
		var out bytes.Buffer
		buf := make([]byte, 1000)
		_, err := io.CopyBuffer(&out, onlyReader{m.NewReader(tc.off, tc.n)}, buf)
		require.NoError(t, err)
		end := int64(len(wire))
		if tc.n >= 0 {
			end = tc.off + tc.n
		}
		require.Equal(t, wire[tc.off:end], out.Bytes(), "section %d+%d", tc.off, tc.n)
		assert.Less(t, c.n.Load(), end-tc.off+3*checkpointEvery, "section %d+%d", tc.off, tc.n)
		m.r = c.r
	}
}

// onlyReader hides any WriterTo, so io.CopyBuffer uses small reads.
type onlyReader struct{ io.Reader }
