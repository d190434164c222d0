package message

import (
	"encoding/base64"
	"errors"
	"io"
)

// maxEncodedLine is the longest line the encoders write, line end excluded:
// RFC 2045 sections 6.7 (5) and 6.8 allow 76 characters.
const maxEncodedLine = 76

// A qpWriter applies the quoted-printable encoding (RFC 2045 section 6.7)
// to text: line breaks (CRLF or bare LF) become CRLF, white space before
// a line break is encoded (rule 3), long lines get soft line breaks
// (rule 5).
type qpWriter struct {
	w       io.Writer
	buf     []byte
	lineLen int
	cr      bool // a CR was seen and may start a CRLF
}

const hexUpper = "0123456789ABCDEF"

func (q *qpWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if q.cr {
			q.cr = false
			if c == '\n' {
				q.hardBreak()
				continue
			}
			q.escape('\r')
		}
		switch {
		case c == '\r':
			q.cr = true
		case c == '\n':
			q.hardBreak()
		case c == ' ' || c == '\t' || (c >= 33 && c <= 126 && c != '='):
			q.literal(c)
		default:
			q.escape(c)
		}
		if len(q.buf) >= 4096 {
			if err := q.flush(); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}

// hardBreak ends a line, encoding white space before it.
func (q *qpWriter) hardBreak() {
	if n := len(q.buf); n > 0 && q.lineLen > 0 && (q.buf[n-1] == ' ' || q.buf[n-1] == '\t') {
		c := q.buf[n-1]
		q.buf = q.buf[:n-1]
		q.lineLen--
		q.escape(c)
	}
	q.buf = append(q.buf, '\r', '\n')
	q.lineLen = 0
}

func (q *qpWriter) softBreak(room int) {
	if q.lineLen+room > maxEncodedLine-1 {
		q.buf = append(q.buf, '=', '\r', '\n')
		q.lineLen = 0
	}
}

func (q *qpWriter) literal(c byte) {
	q.softBreak(1)
	q.buf = append(q.buf, c)
	q.lineLen++
}

func (q *qpWriter) escape(c byte) {
	q.softBreak(3)
	q.buf = append(q.buf, '=', hexUpper[c>>4], hexUpper[c&15])
	q.lineLen += 3
}

func (q *qpWriter) flush() error {
	_, err := q.w.Write(q.buf)
	q.buf = q.buf[:0]
	return err
}

// Close writes what is buffered; a final line without a line break stays
// without one, its trailing white space protected by a soft line break.
func (q *qpWriter) Close() error {
	if q.cr {
		q.cr = false
		q.escape('\r')
	}
	if n := len(q.buf); n > 0 && q.lineLen > 0 && (q.buf[n-1] == ' ' || q.buf[n-1] == '\t') {
		q.buf = append(q.buf, '=', '\r', '\n')
	}
	return q.flush()
}

// A lineWrapper breaks base64 output into lines of 76 characters (RFC 2045
// section 6.8).
type lineWrapper struct {
	w       io.Writer
	lineLen int
}

func (l *lineWrapper) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(maxEncodedLine-l.lineLen, len(p))
		if _, err := l.w.Write(p[:k]); err != nil {
			return n, err
		}
		n += k
		p = p[k:]
		l.lineLen += k
		if l.lineLen == maxEncodedLine {
			if _, err := l.w.Write(lineCRLF); err != nil {
				return n, err
			}
			l.lineLen = 0
		}
	}
	return n, nil
}

// A base64Writer applies the base64 encoding in lines of 76 characters.
type base64Writer struct {
	lw  lineWrapper
	enc io.WriteCloser
}

func newBase64Writer(w io.Writer) *base64Writer {
	b := &base64Writer{lw: lineWrapper{w: w}}
	b.enc = base64.NewEncoder(base64.StdEncoding, &b.lw)
	return b
}

func (b *base64Writer) Write(p []byte) (int, error) { return b.enc.Write(p) }

// Close flushes the last quantum and ends the last line.
func (b *base64Writer) Close() error {
	if err := b.enc.Close(); err != nil {
		return err
	}
	if b.lw.lineLen > 0 {
		_, err := b.lw.w.Write(lineCRLF)
		return err
	}
	return nil
}

// ErrLineTooLong is returned when a body in the 7bit or 8bit transfer
// encoding has a line longer than 998 octets, which RFC 2045 sections 2.7
// and 2.8 forbid.
var ErrLineTooLong = errors.New("message: line longer than 998 octets in a 7bit or 8bit body")

// An identityWriter writes a body in an identity transfer encoding (RFC
// 2045 section 6.2). For text it turns every bare LF into CRLF, the
// canonical form of text (RFC 2046 section 4.1.1); for 7bit and 8bit it
// enforces the line length limit.
type identityWriter struct {
	w       io.Writer
	text    bool
	limit   bool
	cr      bool // the last byte written was CR
	lineLen int
}

func (c *identityWriter) Write(p []byte) (int, error) {
	if c.limit {
		for _, b := range p {
			if b == '\n' {
				c.lineLen = 0
			} else if c.lineLen++; c.lineLen > maxLine+1 || c.lineLen > maxLine && b != '\r' {
				return 0, ErrLineTooLong
			}
		}
	}
	if !c.text {
		return c.w.Write(p)
	}
	start := 0
	for i, b := range p {
		if b == '\n' && !(i > 0 && p[i-1] == '\r' || i == 0 && c.cr) {
			if _, err := c.w.Write(p[start:i]); err != nil {
				return 0, err
			}
			if _, err := c.w.Write(lineCRLF); err != nil {
				return 0, err
			}
			start = i + 1
		}
	}
	if _, err := c.w.Write(p[start:]); err != nil {
		return 0, err
	}
	if len(p) > 0 {
		c.cr = p[len(p)-1] == '\r'
	}
	return len(p), nil
}

func (c *identityWriter) Close() error { return nil }
