package message

import (
	"bytes"
	"encoding/base64"
	"io"

	"golang.org/x/text/transform"
)

// decodeBufSize is the size of the buffers the body decoders use.
const decodeBufSize = 4096

// A base64Reader undoes the base64 Content-Transfer-Encoding (RFC 2045
// section 6.8) tolerantly, as base64Decoder describes. It decodes the
// body in the chunks the Reader scans, straight from its buffer: whole
// lines go through encoding/base64's fast decoder, which skips line ends,
// and input that it rejects through the tolerant one.
type base64Reader struct {
	src *rawBody
	d   base64Decoder
	out []byte // decoded bytes that did not fit the caller's buffer
	off int
	err error
}

func (b *base64Reader) reset(src *rawBody) {
	b.src, b.d, b.out, b.off, b.err = src, base64Decoder{}, b.out[:0], 0, nil
}

func (b *base64Reader) Read(p []byte) (int, error) {
	for {
		if b.off < len(b.out) {
			n := copy(p, b.out[b.off:])
			b.off += n
			return n, nil
		}
		if b.err != nil {
			return 0, b.err
		}
		chunk, err := b.src.chunk()
		if err != nil {
			b.err = err
			if err == io.EOF {
				b.out, b.off = b.d.finish(b.out[:0]), 0
			}
			continue
		}
		if len(p) >= len(chunk)/4*3+3 {
			dst := b.decode(p[:0], chunk)
			if len(dst) == 0 {
				continue
			}
			if &dst[0] == &p[0] {
				return len(dst), nil
			}
			b.out, b.off = dst, 0
			continue
		}
		b.out, b.off = b.decode(b.out[:0], chunk), 0
	}
}

// decode appends the bytes encoded in src to dst.
func (b *base64Reader) decode(dst, src []byte) []byte {
	if b.d.n == 0 && len(src) > 0 {
		need := len(dst) + len(src)/4*3 + 3
		if cap(dst) < need {
			dst = append(dst[:cap(dst)], make([]byte, need-cap(dst))...)[:len(dst)]
		}
		if n, err := base64.StdEncoding.Decode(dst[len(dst):need], src); err == nil {
			return dst[:len(dst)+n]
		}
	}
	return b.d.decode(dst, src)
}

// A qpReader undoes the quoted-printable Content-Transfer-Encoding (RFC
// 2045 section 6.7): "=XX" escapes, soft line breaks ("=" at the end of a
// line) and white space at the end of lines, which rule (3) says was added
// in transport. Line ends are kept as written. A malformed escape is kept
// literally, as section 6.7 (note 1) recommends.
type qpReader struct {
	r    io.Reader
	in   []byte
	i, n int // unread input is in[i:n]
	out  []byte
	off  int
	err  error
}

func (q *qpReader) reset(r io.Reader) {
	q.r, q.i, q.n, q.off, q.err = r, 0, 0, 0, nil
	if q.in == nil {
		q.in = make([]byte, decodeBufSize)
	}
	q.out = q.out[:0]
}

func (q *qpReader) Read(p []byte) (int, error) {
	if q.off < len(q.out) {
		n := copy(p, q.out[q.off:])
		q.off += n
		return n, nil
	}
	// Decode straight into p while lines fit, since output never exceeds
	// input.
	n := 0
	for {
		line, final, ok := q.peekLine()
		if !ok {
			if n > 0 {
				return n, nil
			}
			return 0, q.err
		}
		if len(line) > len(p)-n {
			if n > 0 {
				return n, nil
			}
			q.consumeLine(line)
			q.out, q.off = appendQPLine(q.out[:0], line, final), 0
			k := copy(p, q.out)
			q.off = k
			return k, nil
		}
		q.consumeLine(line)
		n += len(appendQPLine(p[n:n], line, final))
		if n == len(p) {
			return n, nil
		}
	}
}

// consumeLine moves past a line peekLine returned.
func (q *qpReader) consumeLine(line []byte) { q.i += len(line) }

// peekLine returns the next line of input with its line end, or as much of
// a long line as the buffer holds. final reports that the line is complete
// (it has a line end or the input ended).
func (q *qpReader) peekLine() (line []byte, final, ok bool) {
	for {
		if j := bytes.IndexByte(q.in[q.i:q.n], '\n'); j >= 0 {
			return q.in[q.i : q.i+j+1], true, true
		}
		if q.err != nil {
			if q.i == q.n {
				return nil, false, false
			}
			return q.in[q.i:q.n], true, true
		}
		if q.i > 0 {
			q.n = copy(q.in, q.in[q.i:q.n])
			q.i = 0
		}
		if q.n == len(q.in) {
			// A line longer than the buffer: hand out all but a tail that
			// may hold an escape or trailing white space.
			k := q.n - 3
			for k > 0 && isWSP(q.in[k-1]) {
				k--
			}
			if k <= 0 {
				k = q.n
			}
			return q.in[:k], false, true
		}
		m, err := q.r.Read(q.in[q.n:])
		q.n += m
		if err != nil {
			q.err = err
		}
	}
}

// appendQPLine appends the decoding of one line (or part of a line, when
// not final) to dst.
func appendQPLine(dst, line []byte, final bool) []byte {
	var eol []byte
	if final {
		content := line
		if n := len(line); n > 0 && line[n-1] == '\n' {
			k := n - 1
			if k > 0 && line[k-1] == '\r' {
				k--
			}
			content, eol = line[:k], line[k:]
		}
		for len(content) > 0 && isWSP(content[len(content)-1]) {
			content = content[:len(content)-1]
		}
		if n := len(content); n > 0 && content[n-1] == '=' {
			content, eol = content[:n-1], nil // soft line break
		}
		line = content
	}
	// Output never exceeds input: decode in place in dst's spare room.
	j := len(dst)
	if cap(dst)-j < len(line) {
		dst = append(dst[:cap(dst)], make([]byte, len(line))...)
	}
	out := dst[:j+len(line)]
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '=' && i+2 < len(line) {
			if h, ok := unhex2(line[i+1], line[i+2]); ok {
				c = h
				i += 2
			}
		}
		out[j] = c
		j++
	}
	dst = out[:j]
	return append(dst, eol...)
}

// A textReader converts text to UTF-8 with a transformer, reusing its
// buffers from one part to the next.
type textReader struct {
	r      io.Reader
	t      transform.Transformer
	src    []byte
	s0, s1 int
	dst    []byte
	d0, d1 int
	err    error
}

func (t *textReader) reset(r io.Reader, tr transform.Transformer) {
	tr.Reset()
	t.r, t.t, t.s0, t.s1, t.d0, t.d1, t.err = r, tr, 0, 0, 0, 0, nil
	if t.src == nil {
		t.src = make([]byte, decodeBufSize)
	}
}

func (t *textReader) Read(p []byte) (int, error) {
	for {
		if t.d0 < t.d1 {
			n := copy(p, t.dst[t.d0:t.d1])
			t.d0 += n
			return n, nil
		}
		atEOF := t.err != nil
		if atEOF && t.s0 == t.s1 {
			return 0, t.err
		}
		// Convert straight into a large p; into dst otherwise.
		dst, direct := p, len(p) >= decodeBufSize
		if !direct {
			if t.dst == nil {
				t.dst = make([]byte, decodeBufSize)
			}
			dst = t.dst
		}
		nd, ns, err := t.t.Transform(dst, t.src[t.s0:t.s1], atEOF)
		t.s0 += ns
		if !direct {
			t.d0, t.d1 = 0, nd
		}
		switch err {
		case nil, transform.ErrShortDst, transform.ErrShortSrc:
		default:
			if nd == 0 {
				return 0, err
			}
			t.err = err
		}
		if nd > 0 {
			if direct {
				return nd, nil
			}
			continue
		}
		if err == transform.ErrShortDst {
			continue
		}
		if atEOF {
			t.s0 = t.s1 // nothing more can come of what is left
			continue
		}
		if t.s0 > 0 {
			t.s1 = copy(t.src, t.src[t.s0:t.s1])
			t.s0 = 0
		}
		if t.s1 == len(t.src) {
			return 0, io.ErrNoProgress // a decoder that wants more than a buffer
		}
		n, rerr := t.r.Read(t.src[t.s1:])
		t.s1 += n
		if rerr != nil {
			t.err = rerr
		}
	}
}
