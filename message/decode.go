package message

import (
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
	// Complete a quantum the previous chunk left open, so that the rest
	// can take the fast path.
	for len(src) > 0 && b.d.n != 0 {
		dst = b.d.decode(dst, src[:1])
		src = src[1:]
	}
	if len(src) > 0 {
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
// line, white space after it tolerated) and white space at the end of
// lines, which rule (3) says was added in transport. Line ends are kept as
// written. A malformed escape is kept literally, as section 6.7 (note 1)
// recommends.
type qpReader struct {
	r    io.Reader
	in   []byte
	i, n int     // unread input is in[i:n]
	out  [4]byte // output for readers that ask for less than an escape
	err  error
}

func (q *qpReader) reset(r io.Reader) {
	q.r, q.i, q.n, q.err = r, 0, 0, nil
	if q.in == nil {
		q.in = make([]byte, decodeBufSize)
	}
}

func (q *qpReader) Read(p []byte) (int, error) {
	for {
		if q.i < q.n {
			dst := p
			if len(p) < 4 {
				dst = q.out[:len(p)]
			}
			nd, ns := decodeQP(dst, q.in[q.i:q.n], q.err != nil)
			if ns == 0 && q.n-q.i == len(q.in) {
				// A buffer full of white space: it cannot all be trailing.
				dst[0], nd, ns = q.in[q.i], 1, 1
			}
			q.i += ns
			if nd > 0 {
				if len(p) < 4 {
					copy(p, dst[:nd])
				}
				return nd, nil
			}
			if ns > 0 {
				continue
			}
		}
		if q.err != nil {
			return 0, q.err
		}
		if q.i > 0 {
			q.n = copy(q.in, q.in[q.i:q.n])
			q.i = 0
		}
		m, err := q.r.Read(q.in[q.n:])
		q.n += m
		if err != nil {
			q.err = err
		}
	}
}

// qpSpecial marks the bytes decodeQP must look at: "=" and white space;
// qpSpaceEnd those that make white space before them need a closer look.
var (
	qpSpecial  = [256]bool{'=': true, ' ': true, '\t': true}
	qpSpaceEnd = [256]bool{' ': true, '\t': true, '\r': true, '\n': true}
)

// decodeQP decodes quoted-printable src into dst in one pass. It stops
// when dst is full or before a sequence whose meaning depends on input not
// yet read (a "=" or white space near the end of src), unless atEOF. It
// returns the bytes written and the bytes consumed.
func decodeQP(dst, src []byte, atEOF bool) (nd, ns int) {
	i := 0
	for i < len(src) && nd < len(dst) {
		c := src[i]
		if !qpSpecial[c] || c == ' ' && i+1 < len(src) && !qpSpaceEnd[src[i+1]] {
			// The common case: a plain byte, or a lone space between words.
			dst[nd] = c
			nd++
			i++
			continue
		}
		if c == '=' {
			if i+2 >= len(src) && !atEOF {
				break
			}
			if i+2 < len(src) {
				if h, ok := unhex2(src[i+1], src[i+2]); ok {
					dst[nd] = h
					nd++
					i += 3
					continue
				}
			}
			// A soft line break: "=", white space, line end.
			j := i + 1
			for j < len(src) && isWSP(src[j]) {
				j++
			}
			switch {
			case j == len(src) && !atEOF, j+1 == len(src) && src[j] == '\r' && !atEOF:
				return nd, i
			case j == len(src):
				i = j
				continue
			case src[j] == '\n':
				i = j + 1
				continue
			case src[j] == '\r' && j+1 < len(src) && src[j+1] == '\n':
				i = j + 2
				continue
			}
			dst[nd] = '='
			nd++
			i++
			continue
		}
		// White space: dropped before a line end (rule 3), else kept.
		j := i + 1
		for j < len(src) && isWSP(src[j]) {
			j++
		}
		switch {
		case j == len(src) && !atEOF, j+1 == len(src) && src[j] == '\r' && !atEOF:
			return nd, i
		case j == len(src), src[j] == '\n', src[j] == '\r' && j+1 < len(src) && src[j+1] == '\n':
			i = j
			continue
		}
		k := copy(dst[nd:], src[i:j])
		nd += k
		i += k
	}
	return nd, i
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
