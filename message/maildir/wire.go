package maildir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ErrWireSize is returned by reads that reach the end of a message whose
// name gives a W= size that is not the size of its wire form. Dovecot
// trusts W= as the RFC822.SIZE and fails the FETCH when the file does not
// match it ("Cached message size smaller/larger than expected"); a
// Message serves the bytes the file has and reports the mismatch, so that
// the store can rename the file with its true size.
var ErrWireSize = errors.New("maildir: the W= size of the file name is not the size of the message")

// Message is one message file served in its wire form: with CRLF line
// ends (RFC 5322 section 2.1), as IMAP sends it in BODY[] and counts it
// in RFC822.SIZE and partial fetches (RFC 3501 sections 2.3.4 and
// 6.4.5), and as POP3 sends it in RETR and counts it in LIST (RFC 1939).
// Each LF of the file without a CR before it is served as CRLF; a CRLF
// already in the file and a bare CR are served as stored, as Dovecot
// serves them (its i_stream_create_crlf), and the size counts them once,
// as Dovecot's W= and WireSize do: a file holding "a\r\nb\n" is 6 octets
// on the wire.
//
// Memory does not grow with the message: reads go through a buffer, and
// wire offsets are found from a sparse table of checkpoints (see
// Checkpoint), built by the first read that needs it. A read at offset X
// scans the file from the checkpoint before X only, so a fetch of the
// first 100 octets reads those octets; the first read near the end reads
// the file once (one block of it twice at most, counted for the table
// and then served). A Message is safe for concurrent use.
type Message struct {
	f       *os.File
	r       io.ReaderAt // f; tests count what is read
	fsize   int64       // size of the file when opened
	claimed int64       // the W= size of the name, or -1
	every   int64       // file distance between checkpoints

	mu  sync.Mutex
	cps []Checkpoint // sorted, from {0, 0} on
	end int64        // the wire size once a read saw it, or -1
}

// Option changes how OpenMessage opens a message.
type Option func(*Message)

// WithCheckpoints gives OpenMessage the table an earlier Message of the
// same file returned from Checkpoints, so that reads start from it
// instead of rescanning. A table that cannot belong to the file (not
// increasing, beyond its end) is ignored and the file is scanned again.
func WithCheckpoints(cps []Checkpoint) Option {
	return func(m *Message) {
		if t := fit(cps, m.fsize); t != nil {
			m.cps = t
		}
	}
}

// withEvery sets the checkpoint distance, for tests on small files.
func withEvery(n int64) Option {
	return func(m *Message) { m.every = n }
}

// OpenMessage opens the message file at path. The size of its wire form
// is the W= field of the name when it has one (see Name.Field), as
// Dovecot takes it; otherwise it is counted once, by the first Size or
// read that needs it.
func OpenMessage(path string, opts ...Option) (*Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	m := &Message{f: f, r: f, fsize: st.Size(), every: checkpointEvery, cps: []Checkpoint{{}}, end: -1}
	m.claimed = ParseName(filepath.Base(path)).Field('W')
	for _, o := range opts {
		o(m)
	}
	return m, nil
}

// Size returns the size of the message in its wire form: its RFC822.SIZE
// (RFC 3501 section 2.3.4) and POP3 LIST size. It is -1 when the file
// could not be read to count it; the reads then return the error.
func (m *Message) Size() int64 {
	if m.claimed >= 0 {
		return m.claimed
	}
	n, _ := m.wireSize()
	return n
}

// ReadAt reads len(p) octets of the wire form at offset off
// (io.ReaderAt). At the end of the message it returns io.EOF, or
// ErrWireSize when the file is not as long as the W= field of its name
// says.
func (m *Message) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("maildir: ReadAt at negative offset %d", off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	size := m.Size()
	if size < 0 {
		_, err := m.wireSize()
		return 0, err
	}
	if off >= size {
		return 0, io.EOF
	}
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	c, err := m.seek(off, *bp)
	if err != nil {
		return 0, err
	}
	return m.serve(&c, p, size, *bp)
}

// serve fills p from c, not beyond the size the message claims, and
// tells why it stopped short: io.EOF at the end, ErrWireSize when the
// file and the claimed size disagree there.
func (m *Message) serve(c *cursor, p []byte, size int64, buf []byte) (int, error) {
	want := len(p)
	if int64(want) > size-c.wire {
		want = int(max(size-c.wire, 0))
	}
	n, err := m.fill(c, p[:want], buf)
	if err != nil {
		return n, err
	}
	if c.file == m.fsize {
		m.reached(c.wire)
	}
	if c.wire < size && n == len(p) {
		return n, nil
	}
	if c.wire < size || (m.claimed >= 0 && !m.exact()) {
		return n, ErrWireSize
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// exact reports whether the wire form is as long as the W= field says,
// scanning to the end of the file if the table does not reach it yet.
func (m *Message) exact() bool {
	n, err := m.wireSize()
	return err == nil && n == m.claimed
}

// seek returns a cursor at wire offset x, or at the end of the file if
// the wire form is shorter, reading the file through buf.
func (m *Message) seek(x int64, buf []byte) (cursor, error) {
	cp, err := m.before(x)
	if err != nil {
		return cursor{}, err
	}
	prev, err := m.byteBefore(cp.File)
	if err != nil {
		return cursor{}, err
	}
	c := cursor{file: cp.File, wire: cp.Wire, cr: prev == '\r'}
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	for c.wire < x && c.file < m.fsize {
		skip := (*bp)[:min(int64(len(*bp)), x-c.wire)]
		if _, err := m.fill(&c, skip, buf); err != nil {
			return cursor{}, err
		}
	}
	return c, nil
}

// fill writes the wire form from c into p until p is full or the file
// ends, reading the file through buf, and returns how much it wrote.
func (m *Message) fill(c *cursor, p, buf []byte) (int, error) {
	n := 0
	for n < len(p) && c.file < m.fsize {
		chunk := buf[:min(int64(len(buf)), int64(len(p)-n), m.fsize-c.file)]
		if _, err := m.r.ReadAt(chunk, c.file); err != nil {
			return n, unexpected(err)
		}
		w, _ := c.expand(p[n:], chunk)
		n += w
	}
	return n, nil
}

// NewReader returns a reader of n octets of the wire form from offset
// off, or up to the end when n is negative: an IMAP partial fetch
// BODY[]<off.n> (RFC 3501 section 6.4.5) or a POP3 RETR. It keeps its
// place between reads, so reading it through scans the file once from
// the checkpoint before off. It ends with io.EOF, or ErrWireSize as
// ReadAt does.
func (m *Message) NewReader(off, n int64) io.Reader {
	return &section{m: m, off: off, left: n}
}

// Close closes the file.
func (m *Message) Close() error {
	return m.f.Close()
}

// section is the reader NewReader returns.
type section struct {
	m      *Message
	off    int64
	left   int64 // octets still to read, negative for all
	c      cursor
	placed bool   // c is at the next octet
	buf    []byte // what the file is read through
	err    error
}

// sectionBuffer is the size of a section's buffer, its own so that
// sequential reads allocate nothing.
const sectionBuffer = 32 << 10

func (s *section) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.left == 0 {
		return 0, io.EOF
	}
	if s.left > 0 && int64(len(p)) > s.left {
		p = p[:s.left]
	}
	size := s.m.Size()
	if !s.placed {
		if size < 0 {
			_, s.err = s.m.wireSize()
			return 0, s.err
		}
		if s.off < 0 {
			s.err = fmt.Errorf("maildir: reader at negative offset %d", s.off)
			return 0, s.err
		}
		if s.off >= size {
			s.err = io.EOF
			return 0, s.err
		}
		s.buf = make([]byte, sectionBuffer)
		c, err := s.m.seek(s.off, s.buf)
		if err != nil {
			s.err = err
			return 0, err
		}
		s.c, s.placed = c, true
	}
	n, err := s.m.serve(&s.c, p, size, s.buf)
	if s.left > 0 {
		s.left -= int64(n)
	}
	if err == io.EOF && n > 0 {
		err = nil
	}
	s.err = err
	return n, err
}
