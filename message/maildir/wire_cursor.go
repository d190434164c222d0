package maildir

import "bytes"

// cursor is a position in a message: the next file byte and the wire
// offset of what it becomes once served with CRLF line ends (ToCRLF).
type cursor struct {
	file int64 // next byte of the file to serve
	wire int64 // offset in the wire form of the next byte out
	cr   bool  // the file byte before file is a CR
	mid  bool  // the CR added before the LF at file was served, the LF is owed
}

// expand writes the wire form of src, the file bytes from c.file on, into
// dst, and moves c past what it wrote. It returns the bytes written and
// the bytes of src consumed; it stops when dst is full or src is used up,
// possibly between the CR it adds and the LF (c.mid). Every LF without a
// CR before it gets one, as Dovecot's i_stream_create_crlf does
// (src/lib/istream-crlf.c); a CRLF already there and a bare CR are served
// as they are stored.
func (c *cursor) expand(dst, src []byte) (written, used int) {
	for written < len(dst) && used < len(src) {
		if c.mid {
			dst[written] = '\n'
			written, used, c.mid, c.cr = written+1, used+1, false, false
			continue
		}
		rest := src[used:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		k := copy(dst[written:], rest[:i])
		written, used = written+k, used+k
		if k > 0 {
			c.cr = rest[k-1] == '\r'
		}
		if k < i || i == len(rest) || written == len(dst) {
			break
		}
		if c.cr {
			dst[written] = '\n'
			written, used, c.cr = written+1, used+1, false
			continue
		}
		dst[written] = '\r'
		written++
		c.mid = true
	}
	c.file += int64(used)
	c.wire += int64(written)
	return written, used
}

// wireLen is how many octets b, the file bytes after a byte prev, take in
// the wire form: one more for each LF without a CR before it, which is
// what Dovecot counts for W= and RFC822.SIZE (message_get_body_size in
// src/lib-mail/message-size.c) and what WireSize counts.
func wireLen(prev byte, b []byte) int64 {
	if len(b) == 0 {
		return 0
	}
	n := int64(len(b) + bytes.Count(b, []byte{'\n'}) - bytes.Count(b, []byte("\r\n")))
	if b[0] == '\n' && prev == '\r' {
		n--
	}
	return n
}
