package message

import (
	"bytes"
	"io"

	"golang.org/x/text/transform"
)

// decodeBufSize is the size of the buffers the body decoders use.
const decodeBufSize = 4096

// A base64Reader undoes the base64 Content-Transfer-Encoding (RFC 2045
// section 6.8) tolerantly, as base64Decoder describes.
type base64Reader struct {
	r   io.Reader
	d   base64Decoder
	in  []byte
	out []byte
	off int
	err error
}

func (b *base64Reader) reset(r io.Reader) {
	b.r, b.d, b.out, b.off, b.err = r, base64Decoder{}, b.out[:0], 0, nil
	if b.in == nil {
		b.in = make([]byte, decodeBufSize)
		b.out = make([]byte, 0, decodeBufSize)
	}
}

func (b *base64Reader) Read(p []byte) (int, error) {
	for b.off == len(b.out) {
		if b.err != nil {
			return 0, b.err
		}
		n, err := b.r.Read(b.in)
		b.out, b.off = b.d.decode(b.out[:0], b.in[:n]), 0
		if err != nil {
			if err == io.EOF {
				b.out = b.d.finish(b.out)
			}
			b.err = err
		}
	}
	n := copy(p, b.out[b.off:])
	b.off += n
	return n, nil
}

// A qpReader undoes the quoted-printable Content-Transfer-Encoding (RFC
// 2045 section 6.7): "=XX" escapes, soft line breaks ("=" at the end of a
// line) and white space at the end of lines, which rule (3) says was added
// in transport. Line ends are kept as written. A malformed escape is kept
// literally, as section 6.7 (note 1) recommends.
type qpReader struct {
	r      io.Reader
	in     []byte
	i, n   int // unread input is in[i:n]
	out    []byte
	off    int
	err    error
	atLine bool // a line from in awaits decoding
}

func (q *qpReader) reset(r io.Reader) {
	q.r, q.i, q.n, q.off, q.err = r, 0, 0, 0, nil
	if q.in == nil {
		q.in = make([]byte, decodeBufSize)
		q.out = make([]byte, 0, decodeBufSize)
	}
	q.out = q.out[:0]
}

func (q *qpReader) Read(p []byte) (int, error) {
	for q.off == len(q.out) {
		line, final, ok := q.nextLine()
		if !ok {
			return 0, q.err
		}
		q.out, q.off = appendQPLine(q.out[:0], line, final), 0
	}
	n := copy(p, q.out[q.off:])
	q.off += n
	return n, nil
}

// nextLine returns the next line of input with its line end, or as much of
// a long line as the buffer holds. final reports that the line is complete
// (it has a line end or the input ended).
func (q *qpReader) nextLine() (line []byte, final, ok bool) {
	for {
		if j := bytes.IndexByte(q.in[q.i:q.n], '\n'); j >= 0 {
			line = q.in[q.i : q.i+j+1]
			q.i += j + 1
			return line, true, true
		}
		if q.err != nil {
			if q.i == q.n {
				return nil, false, false
			}
			line = q.in[q.i:q.n]
			q.i = q.n
			return line, true, true
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
			line = q.in[:k]
			q.i = k
			return line, false, true
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
	for len(line) > 0 {
		j := bytes.IndexByte(line, '=')
		if j < 0 {
			dst = append(dst, line...)
			break
		}
		dst = append(dst, line[:j]...)
		if j+2 < len(line) {
			if b, ok := unhex2(line[j+1], line[j+2]); ok {
				dst = append(dst, b)
				line = line[j+3:]
				continue
			}
		}
		dst = append(dst, '=')
		line = line[j+1:]
	}
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
		t.dst = make([]byte, decodeBufSize)
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
		nd, ns, err := t.t.Transform(t.dst, t.src[t.s0:t.s1], atEOF)
		t.s0 += ns
		t.d0, t.d1 = 0, nd
		switch err {
		case nil, transform.ErrShortDst:
			if nd > 0 || t.s0 < t.s1 {
				continue
			}
		case transform.ErrShortSrc:
			if nd > 0 {
				continue
			}
		default:
			if nd > 0 {
				t.err = err
				continue
			}
			return 0, err
		}
		if atEOF {
			t.s0 = t.s1
			continue
		}
		if t.s0 > 0 {
			t.s1 = copy(t.src, t.src[t.s0:t.s1])
			t.s0 = 0
		}
		n, rerr := t.r.Read(t.src[t.s1:])
		t.s1 += n
		if rerr != nil {
			t.err = rerr
		}
	}
}
