package message

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"golang.org/x/text/encoding"
)

// readBufSize is the size of the Reader's input buffer; lines longer than
// this are handled in pieces.
const readBufSize = 4 << 10

// A Reader walks the MIME entities of a message (RFC 2045, RFC 2046) in
// one streaming pass, depth-first: the message itself, then the parts of
// each multipart entity in order, and the message inside each
// message/rfc822 entity. Memory stays bounded whatever the size of the
// input: bodies are read through and never held.
//
// Multipart bodies are split at the delimiter lines of RFC 2046 section
// 5.1.1: "--" boundary, optional "--" for the last one, then white space
// only. A delimiter of an enclosing multipart also ends the inner ones, so
// a missing or wrong close delimiter loses nothing; so does a missing final
// delimiter at the end of the input. The preamble and epilogue are skipped.
type Reader struct {
	// Limits bounds the resources spent on the message; set it before the
	// first call to NextPart. Exceeding a limit makes NextPart return a
	// *LimitError, unless Truncate is set.
	Limits Limits
	// Truncate makes a limit cut the walk short instead of failing it, as
	// Dovecot's message parser does, so that a stored message over a limit
	// stays readable; Truncated reports whether it happened. See
	// truncate.go for what each limit leaves.
	Truncate bool

	lr      lineReader
	hp      headerParser
	stack   []frame
	cur     *Part // the part whose body region is being read, if any
	parts   int
	started bool
	cut     bool  // a limit truncated the walk
	err     error // sticky error, io.EOF at the end

	// The region of the input being read: a part's body, a preamble or an
	// epilogue. It ends at a delimiter line or at the end of the input.
	pend1, pend2 []byte // bytes scanned and not yet returned, in order
	held         []byte // a line end held back: it belongs to a delimiter that follows
	bol          bool   // the next chunk starts a line
	done         bool   // the region has ended
	endOff       int64  // where it ended
	endLF        int64  // line feeds before endOff
	atEOF        bool   // the region ended at the end of the input
	match        int    // with !atEOF: index in stack of the multipart whose delimiter ended it
	matchClose   bool   // and whether that was its close delimiter
	matchLine    int    // the length of the delimiter line
	matchLF      bool   // and whether it ends with a line feed
	open         int    // multiparts in stack whose delimiters can still match

	b64      base64Reader
	qp       qpReader
	text     textReader
	decoders map[encoding.Encoding]*encoding.Decoder
}

// A frame is a container being walked.
type frame struct {
	part     *Part
	boundary string // "" for message/rfc822
	closed   bool   // the close delimiter was seen: reading the epilogue
	count    int    // parts returned so far
}

var (
	lineCRLF = []byte("\r\n")
	lineLF   = []byte("\n")
	lineCR   = []byte("\r")
)

// NewReader returns a Reader that reads a message from r.
func NewReader(r io.Reader) *Reader {
	mr := &Reader{}
	mr.Reset(r)
	return mr
}

// Reset makes the Reader read a new message from r, reusing its buffers.
// Limits are kept.
func (r *Reader) Reset(src io.Reader) {
	br := r.lr.br
	if br == nil {
		if b, ok := src.(*bufio.Reader); ok && b.Size() >= readBufSize {
			br = b
		} else {
			br = bufio.NewReaderSize(src, readBufSize)
		}
	} else {
		br.Reset(src)
	}
	*r = Reader{
		Limits:   r.Limits,
		Truncate: r.Truncate,
		lr:       lineReader{br: br},
		hp:       r.hp,
		stack:    r.stack[:0],
		b64:      r.b64,
		qp:       r.qp,
		text:     r.text,
		decoders: r.decoders,
	}
}

// decoder returns a decoder for e, reused from one part to the next.
func (r *Reader) decoder(e encoding.Encoding) *encoding.Decoder {
	if d, ok := r.decoders[e]; ok {
		return d
	}
	if r.decoders == nil {
		r.decoders = make(map[encoding.Encoding]*encoding.Decoder)
	}
	d := e.NewDecoder()
	r.decoders[e] = d
	return d
}

// NextPart returns the next entity of the message, skipping what is left
// of the current part's body. The first call returns the message itself.
// At the end of the message it returns io.EOF; once it has returned an
// error it returns the same error again.
//
// A part returned earlier remains valid, but its body can be read only
// until the next call.
func (r *Reader) NextPart() (*Part, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.started {
		r.Limits = r.Limits.withDefaults()
		r.started = true
		return r.begin(nil, 0)
	}
	// Enter a container unless its body was read as a whole or ended
	// before it began (a header cut short by a delimiter).
	if cur := r.cur; cur != nil && !cur.touched && !r.done {
		switch {
		case (cur.IsMultipart() || cur.IsMessage()) && len(r.stack) >= r.Limits.MaxDepth && r.Truncate:
			return r.tooDeep(cur), nil
		case cur.IsMultipart():
			if err := r.push(cur, cur.boundary); err != nil {
				return nil, err
			}
			// The preamble is a region of its own.
			r.cur = nil
			r.startRegion()
		case cur.IsMessage():
			if err := r.push(cur, ""); err != nil {
				return nil, err
			}
			return r.begin(cur, 0)
		}
	}
	for {
		for !r.done {
			r.pend1, r.pend2 = nil, nil
			r.scan()
		}
		r.pend1, r.pend2 = nil, nil
		if r.err != nil {
			return nil, r.err
		}
		if r.cur != nil {
			r.finish(r.cur)
			r.cur = nil
		}
		if r.atEOF {
			for len(r.stack) > 0 {
				r.pop()
			}
			r.err = io.EOF
			return nil, r.err
		}
		for len(r.stack)-1 > r.match {
			r.pop()
		}
		f := &r.stack[r.match]
		if !r.matchClose {
			f.count++
			return r.begin(f.part, f.count)
		}
		// The epilogue runs to a delimiter of an enclosing multipart or
		// to the end of the input.
		f.closed = true
		r.open--
		r.startRegion()
	}
}

func (r *Reader) push(p *Part, boundary string) error {
	if len(r.stack) >= r.Limits.MaxDepth {
		r.err = &LimitError{"MaxDepth", r.Limits.MaxDepth}
		return r.err
	}
	r.stack = append(r.stack, frame{part: p, boundary: boundary})
	if boundary != "" {
		r.open++
	}
	return nil
}

// pop ends the innermost container where the current region ended.
func (r *Reader) pop() {
	f := &r.stack[len(r.stack)-1]
	r.finish(f.part)
	if f.boundary != "" && !f.closed {
		r.open--
	}
	r.stack = r.stack[:len(r.stack)-1]
}

// finish records where p's body ends, where the current region ended, and
// its line count, the line feeds up to there (see Part.Lines).
func (r *Reader) finish(p *Part) {
	if p.ended {
		return
	}
	p.end, p.ended = r.endOff, true
	p.lines = r.endLF - p.bodyLF
}

// startRegion starts a region at the current input position.
func (r *Reader) startRegion() {
	r.pend1, r.pend2, r.held = nil, nil, nil
	r.bol, r.done, r.atEOF = true, false, false
}

// begin reads the header of a new entity and makes its body the current
// region.
func (r *Reader) begin(parent *Part, index int) (*Part, error) {
	r.parts++
	if r.parts > r.Limits.MaxParts {
		if r.Truncate {
			return r.tooMany(parent, index), nil
		}
		r.err = &LimitError{"MaxParts", r.Limits.MaxParts}
		return nil, r.err
	}
	p := &Part{Parent: parent, Index: index, HeaderOffset: r.lr.off, r: r}
	p.raw.p = p
	if parent != nil {
		p.Depth = parent.Depth + 1
	}
	var isDelim func([]byte) bool
	if r.open > 0 {
		isDelim = r.isDelimiter
	}
	h, delim, err := r.hp.read(&r.lr, r.Limits, r.Truncate, isDelim)
	if err != nil {
		r.err = err
		return nil, err
	}
	r.cut = r.cut || h.cut
	p.Header = h
	r.startRegion()
	switch {
	case delim:
		// A truncated entity: a delimiter line came before the end of
		// the header. Its body is empty.
		r.done = true
		r.endOff = r.lr.off - int64(r.matchLine)
		r.endLF = r.lr.lf
		if r.matchLF {
			r.endLF--
		}
		p.BodyOffset, p.bodyLF = r.endOff, r.endLF
	default:
		p.BodyOffset, p.bodyLF = r.lr.off, r.lr.lf
	}
	p.parseContentType(parent)
	r.cur = p
	return p, nil
}

// parseContentType fills in the fields that come from the MIME header.
func (p *Part) parseContentType(parent *Part) {
	h := &p.Header
	if v := h.Get("Content-Type"); v != "" {
		mt, params, err := ParseMediaType(v)
		if err == nil && strings.IndexByte(mt, '/') > 0 {
			p.MediaType, p.Params = mt, params
		}
	}
	if p.MediaType == "" {
		if parent != nil && parent.MediaType == "multipart/digest" {
			p.MediaType = "message/rfc822"
		} else {
			p.MediaType = "text/plain"
		}
	}
	p.Encoding = "7bit"
	if v := h.Get("Content-Transfer-Encoding"); v != "" {
		p.Encoding = strings.ToLower(v)
	}
	if strings.HasPrefix(p.MediaType, "multipart/") {
		p.boundary = p.Params.Get("boundary")
	}
}

// isDelimiter reports whether line, which starts a line, is a delimiter
// line of an open multipart (RFC 2046 section 5.1.1), and records which.
// The innermost multipart is tried first.
func (r *Reader) isDelimiter(line []byte) bool {
	if len(line) < 3 || line[0] != '-' || line[1] != '-' {
		return false
	}
	for i := len(r.stack) - 1; i >= 0; i-- {
		f := &r.stack[i]
		b := f.boundary
		if b == "" || f.closed || len(line)-2 < len(b) || string(line[2:2+len(b)]) != b {
			continue
		}
		rest := line[2+len(b):]
		closing := len(rest) >= 2 && rest[0] == '-' && rest[1] == '-'
		if closing {
			rest = rest[2:]
		}
		if len(trimWSP(rest)) != 0 {
			continue
		}
		r.match, r.matchClose, r.matchLine = i, closing, len(line)
		r.matchLF = line[len(line)-1] == '\n'
		return true
	}
	return false
}

// scan reads the next chunk of the current region into pend1 and pend2,
// or ends the region. Lines that may be delimiters (they start with "-")
// are read whole and checked; between them the input is taken in spans as
// large as the buffer holds.
func (r *Reader) scan() {
	b, err := r.lr.peek()
	if err != nil {
		if err != io.EOF {
			r.err = err
			return
		}
		r.pend1, r.held = r.held, nil
		r.done, r.atEOF = true, true
		r.endOff, r.endLF = r.lr.off, r.lr.lf
		return
	}
	if r.open == 0 {
		// No delimiter can end the region: no need to hold line ends.
		r.lr.consume(b, len(b))
		r.pend2 = b
		return
	}
	if r.bol && b[0] == '-' {
		r.scanLine()
		return
	}
	if len(r.held) == 1 && r.held[0] == '\r' && b[0] == '\n' && (len(b) == 1 || b[1] == '-') {
		// A CRLF split between two chunks, perhaps before a delimiter.
		r.lr.consume(b, 1)
		r.held, r.bol = lineCRLF, true
		return
	}
	var span []byte
	if i := bytes.Index(b, dashLine); i >= 0 {
		span = b[:i+1]
	} else if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		span = b[:i+1]
	} else {
		span = b
	}
	r.lr.consume(b, len(span))
	r.emit(span)
}

// dashLine starts a line that may be a delimiter.
var dashLine = []byte("\n-")

// scanLine reads one line that starts with "-": a delimiter, or content.
func (r *Reader) scanLine() {
	line, err := r.lr.next()
	if err != nil {
		r.err = err // peek saw data, so this is not io.EOF
		return
	}
	if r.isDelimiter(line) {
		r.done = true
		r.endOff = r.lr.off - int64(len(line)) - int64(len(r.held))
		r.endLF = r.lr.lf
		if line[len(line)-1] == '\n' {
			r.endLF--
		}
		if len(r.held) > 0 && r.held[len(r.held)-1] == '\n' {
			r.endLF--
		}
		r.held = nil
		return
	}
	r.emit(line)
}

// emit makes a chunk of content pending, after the line end held back
// before it; a line end at its end is held back in turn.
func (r *Reader) emit(chunk []byte) {
	r.pend1, r.held = r.held, nil
	n := len(chunk)
	switch {
	case chunk[n-1] == '\n' && n >= 2 && chunk[n-2] == '\r':
		r.pend2, r.held, r.bol = chunk[:n-2], lineCRLF, true
	case chunk[n-1] == '\n':
		r.pend2, r.held, r.bol = chunk[:n-1], lineLF, true
	case chunk[n-1] == '\r':
		r.pend2, r.held, r.bol = chunk[:n-1], lineCR, false
	default:
		r.pend2, r.bol = chunk, false
	}
}

// chunk returns the next piece of the current region, or io.EOF at its
// end. The slice is valid until the next call.
func (r *Reader) chunk() ([]byte, error) {
	for {
		if len(r.pend1) > 0 {
			c := r.pend1
			r.pend1 = nil
			return c, nil
		}
		if len(r.pend2) > 0 {
			c := r.pend2
			r.pend2 = nil
			return c, nil
		}
		if r.done {
			if r.cur != nil {
				r.finish(r.cur)
			}
			return nil, io.EOF
		}
		r.scan()
		if r.err != nil {
			return nil, r.err
		}
	}
}

// readBody reads the current region, filling p with as many chunks as fit
// so that decoders above see large reads.
func (r *Reader) readBody(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pend1) > 0 {
			k := copy(p[n:], r.pend1)
			r.pend1 = r.pend1[k:]
			n += k
			continue
		}
		if len(r.pend2) > 0 {
			k := copy(p[n:], r.pend2)
			r.pend2 = r.pend2[k:]
			n += k
			continue
		}
		if r.done {
			break
		}
		r.scan()
		if r.err != nil {
			return n, r.err
		}
	}
	if n == 0 && r.done {
		if r.cur != nil {
			r.finish(r.cur) // End and Lines are known from now on
		}
		return 0, io.EOF
	}
	return n, nil
}
