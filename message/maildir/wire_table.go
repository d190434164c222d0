package maildir

import (
	"io"
	"sort"
	"sync"
)

// Checkpoint pairs an offset in a message file with the offset of the
// same byte in its wire form, the message with CRLF line ends that IMAP
// and POP3 send (RFC 5322 section 2.1; RFC 3501 section 2.3.4 counts
// RFC822.SIZE and partial fetches in those octets). A Message keeps a
// sparse table of them, one every 64 KiB of file, from {0, 0} to the
// end of the file once a read has gone that far, so that a read at a wire
// offset scans the file only from the checkpoint before it.
type Checkpoint struct {
	File int64 // offset in the file
	Wire int64 // offset of the same byte in the wire form
}

// checkpointEvery is the file distance between two checkpoints.
const checkpointEvery = 64 << 10

// bufs are the buffers reads and scans use, so that memory does not grow
// with the message or the number of readers beyond a buffer each.
var bufs = sync.Pool{New: func() any { b := make([]byte, checkpointEvery); return &b }}

// fit returns cps if it can be the table of a file of size bytes, sorted
// with {0, 0} first, or nil. Each step must grow the file offset and add
// between nothing and one octet per file byte to the wire offset (at most
// every byte is an LF that gets a CR); the last one may be the end of the
// file, not beyond it. The wire offsets themselves cannot be checked
// without reading the file: the table is a cache the caller keeps for
// this very file, which a Maildir never rewrites.
func fit(cps []Checkpoint, size int64) []Checkpoint {
	out := []Checkpoint{{}}
	for _, cp := range cps {
		if cp == (Checkpoint{}) && len(out) == 1 {
			continue
		}
		last := out[len(out)-1]
		df, dw := cp.File-last.File, cp.Wire-last.Wire
		if df <= 0 || dw < df || dw > 2*df || cp.File > size {
			return nil
		}
		out = append(out, cp)
	}
	return out
}

// extend adds checkpoints until wire offset x lies less than a block's
// distance after the last one, or the table reaches the end of the file.
// The caller holds m.mu.
func (m *Message) extend(x int64) error {
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	buf := (*bp)[:min(int64(len(*bp)), m.every)]
	for {
		last := m.cps[len(m.cps)-1]
		if last.File == m.fsize || x-last.Wire < m.every {
			return nil // a scan from last to x reads less than a block
		}
		prev, err := m.byteBefore(last.File)
		if err != nil {
			return err
		}
		end := min(last.File+m.every, m.fsize)
		next := last
		for next.File < end {
			chunk := buf[:min(int64(len(buf)), end-next.File)]
			if _, err := m.r.ReadAt(chunk, next.File); err != nil {
				return unexpected(err)
			}
			next.File += int64(len(chunk))
			next.Wire += wireLen(prev, chunk)
			prev = chunk[len(chunk)-1]
		}
		m.cps = append(m.cps, next)
	}
}

// byteBefore returns the file byte before offset off, or 0 at the start.
func (m *Message) byteBefore(off int64) (byte, error) {
	if off == 0 {
		return 0, nil
	}
	var b [1]byte
	if _, err := m.r.ReadAt(b[:], off-1); err != nil {
		return 0, unexpected(err)
	}
	return b[0], nil
}

// unexpected turns io.EOF, a file shorter than when it was opened, into
// io.ErrUnexpectedEOF, so that no reader takes it for the message's end.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// before returns the last checkpoint at or before wire offset x, after
// extending the table so that x lies less than a block after it.
func (m *Message) before(x int64) (Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.extend(x); err != nil {
		return Checkpoint{}, err
	}
	i := sort.Search(len(m.cps), func(i int) bool { return m.cps[i].Wire > x })
	return m.cps[i-1], nil
}

// wireSize returns the size of the wire form from the table, scanning
// the rest of the file first if needed.
func (m *Message) wireSize() (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.end >= 0 {
		return m.end, nil
	}
	if err := m.extend(1<<63 - 1); err != nil {
		return -1, err
	}
	return m.cps[len(m.cps)-1].Wire, nil
}

// reached records the wire size a read found at the end of the file,
// as the last checkpoint when it is less than a block after the table's
// end, so that the table stays sparse and even.
func (m *Message) reached(wire int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.end = wire
	if last := m.cps[len(m.cps)-1]; last.File < m.fsize && m.fsize-last.File <= m.every {
		m.cps = append(m.cps, Checkpoint{File: m.fsize, Wire: wire})
	}
}

// Checkpoints returns a copy of the table built so far, from {0, 0}
// on; its last entry is {file size, wire size} once a read or Size has
// gone through the whole file. A store keeps it in its index and passes
// it to OpenMessage with WithCheckpoints, so that a restart does not
// rescan the file.
func (m *Message) Checkpoints() []Checkpoint {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Checkpoint(nil), m.cps...)
}
