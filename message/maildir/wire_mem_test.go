package maildir

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigMessage writes a message of about n octets of LF lines, named with
// its S= and W= as Write names it, and returns its path and the SHA-256
// of its wire form.
func bigMessage(t testing.TB, n int) (string, [sha256.Size]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x")
	f, err := os.Create(path)
	require.NoError(t, err)
	line := []byte(strings.Repeat("0123456789abcdef", 4) + "=\n")
	h := sha256.New()
	wireLine := ToCRLF(line)
	var size, wire int64
	for size < int64(n) {
		_, err := f.Write(line)
		require.NoError(t, err)
		h.Write(wireLine)
		size, wire = size+int64(len(line)), wire+int64(len(wireLine))
	}
	require.NoError(t, f.Close())
	named := filepath.Join(filepath.Dir(path), NewBase(time.Now(), size, wire))
	require.NoError(t, os.Rename(path, named))
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return named, sum
}

// TestMessage_EightReadersOf60MB: eight sessions reading a 60 MB message
// whole at once (FETCH BODY.PEEK[], which made the old store peak at
// 869 MiB) and eight partial fetches from the middle get the right
// octets, and the heap allocated meanwhile stays a few MiB: nothing
// holds the message.
func TestMessage_EightReadersOf60MB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 60 MB")
	}
	path, want := bigMessage(t, 60<<20)
	shared, err := OpenMessage(path)
	require.NoError(t, err)
	defer shared.Close()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	sums := make([][]byte, 8)
	errs := make([]error, 16)
	for i := range 8 {
		wg.Add(2)
		go func() { // half share one Message, half open their own
			defer wg.Done()
			m := shared
			if i%2 == 1 {
				if m, errs[i] = OpenMessage(path); errs[i] != nil {
					return
				}
				defer m.Close()
			}
			h := sha256.New()
			_, errs[i] = io.Copy(h, m.NewReader(0, -1))
			sums[i] = h.Sum(nil)
		}()
		go func() {
			defer wg.Done()
			p := make([]byte, 4096)
			_, errs[8+i] = shared.ReadAt(p, shared.Size()/2+int64(i)*12345)
		}()
	}
	wg.Wait()
	runtime.ReadMemStats(&after)
	for _, err := range errs {
		require.NoError(t, err)
	}
	for _, s := range sums {
		require.Equal(t, want[:], s)
	}
	grew := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, grew, uint64(8<<20), "allocated %d bytes", grew)
	assert.Less(t, int64(after.HeapInuse)-int64(before.HeapInuse), int64(4<<20))
}

// BenchmarkMessageReadAt compares serving a 16 MB message through a
// Message, whole (FETCH BODY[], RETR) and in part (BODY[]<0.100> and 100
// octets from the middle), with reading it and converting it whole
// (ToCRLF of os.ReadFile), as the store did before.
func BenchmarkMessageReadAt(b *testing.B) {
	path, _ := bigMessage(b, 16<<20)
	st, err := os.Stat(path)
	require.NoError(b, err)
	open := func(b *testing.B) *Message {
		m, err := OpenMessage(path)
		require.NoError(b, err)
		return m
	}
	b.Run("sequential", func(b *testing.B) {
		b.SetBytes(st.Size())
		buf := make([]byte, 32<<10)
		for range b.N {
			m := open(b)
			if _, err := io.CopyBuffer(io.Discard, onlyReader{m.NewReader(0, -1)}, buf); err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
	})
	for _, at := range []string{"start", "middle"} {
		b.Run("partial-"+at, func(b *testing.B) {
			p := make([]byte, 100)
			for range b.N {
				m := open(b)
				off := int64(0)
				if at == "middle" {
					off = m.Size() / 2
				}
				if _, err := m.ReadAt(p, off); err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
		})
	}
	b.Run("ToCRLF-ReadFile", func(b *testing.B) {
		b.SetBytes(st.Size())
		for range b.N {
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, bytes.NewReader(ToCRLF(data))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
