package message

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A blockReader repeats block for size bytes; a blockChecker checks that
// what is written to it is that same stream. Both copy whole blocks, so a
// large body costs little time even under the race detector.
type blockReader struct {
	block []byte
	off   int64
	size  int64
}

func (r *blockReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.size-r.off)]
	n := 0
	for n < len(p) {
		n += copy(p[n:], r.block[(r.off+int64(n))%int64(len(r.block)):])
	}
	r.off += int64(n)
	return n, nil
}

type blockChecker struct {
	block []byte
	off   int64
	err   error
}

func (c *blockChecker) Write(p []byte) (int, error) {
	for i := 0; i < len(p) && c.err == nil; {
		at := (c.off + int64(i)) % int64(len(c.block))
		want := c.block[at:min(int64(len(c.block)), at+int64(len(p)-i))]
		if !bytes.Equal(p[i:i+len(want)], want) {
			c.err = fmt.Errorf("body differs near offset %d", c.off+int64(i))
		}
		i += len(want)
	}
	c.off += int64(len(p))
	return len(p), nil
}

// blocks of prime sizes, so that lines and base64 quanta fall at every
// offset within them.
var (
	binaryBlock = func() []byte {
		b := make([]byte, 4093)
		for i := range b {
			b[i] = byte(i * 31 >> 3)
		}
		return b
	}()
	// Mostly ASCII text with one "é" a line: quoted-printable.
	textBlock = bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog, café 0123456789\r\n"), 61)
)

// largeMessage is a Builder with textSize bytes of text and an attachment
// of attSize bytes, and checkers for what a reader gets back of them.
func largeMessage(textSize, attSize int64) (*Builder, map[string]*blockChecker) {
	b := &Builder{Text: &BodyPart{Body: &blockReader{block: textBlock, size: textSize}}}
	b.Header.Set("From", "big@example.org")
	b.Attachments = []BodyPart{{Filename: "big.bin", Body: &blockReader{block: binaryBlock, size: attSize}}}
	return b, map[string]*blockChecker{
		"text/plain":               {block: textBlock},
		"application/octet-stream": {block: binaryBlock},
	}
}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestBuilder_StreamsBodies writes a message with a 64 MiB attachment and
// 1 MiB of text through Builder.Reader read in small pieces, and one with
// 8 MiB through WriteTo, and checks that the memory allocated stays far
// below the size of the bodies: they are streamed, never held.
func TestBuilder_StreamsBodies(t *testing.T) {
	const textSize = 1 << 20
	for via, attSize := range map[string]int64{"Read": 64 << 20, "WriteTo": 8 << 20} {
		b, _ := largeMessage(textSize, attSize)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var out countWriter
		var err error
		if via == "Read" {
			// The struct hides the reader's WriteTo from io.CopyBuffer.
			_, err = io.CopyBuffer(&out, struct{ io.Reader }{b.Reader()}, make([]byte, 4096))
		} else {
			_, err = b.WriteTo(&out)
		}
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: allocated %d bytes writing %d bytes of message for %d bytes of bodies", via, alloc, out.n, attSize+textSize)
		assert.Less(t, alloc, uint64(1<<20), "%s: memory must not grow with the bodies", via)
		assert.Greater(t, out.n, int64(attSize)*4/3+textSize, via)
	}
}

// TestBuilder_LargeBodiesRoundTrip reads a message with 8 MiB of
// attachment and 2 MiB of text back through our own Reader, piped from
// Builder.Reader, and checks both bodies come back whole.
func TestBuilder_LargeBodiesRoundTrip(t *testing.T) {
	const attSize, textSize = 8 << 20, 2 << 20
	b, checks := largeMessage(textSize, attSize)
	r := NewReader(b.Reader())
	var encodings []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if c := checks[p.MediaType]; c != nil {
			_, err := io.Copy(c, p.Body())
			require.NoError(t, err)
			encodings = append(encodings, p.Encoding)
		}
	}
	assert.Equal(t, []string{"quoted-printable", "base64"}, encodings)
	for mt, c := range checks {
		assert.NoError(t, c.err, mt)
	}
	assert.Equal(t, int64(textSize), checks["text/plain"].off)
	assert.Equal(t, int64(attSize), checks["application/octet-stream"].off)
}
