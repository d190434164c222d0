package message

import (
	"bytes"
	"errors"
	"io"
)

// A stream writes the message of a Builder one step at a time, each step
// bounded in what it writes (an entity's header, or one buffer of body),
// so that builderReader can produce the message as it is read without a
// goroutine. The tree is walked depth first with an explicit stack.
type stream struct {
	out          targetWriter // what the entity Writers write to
	root         *node
	stack        []buildFrame
	leaf         *Writer   // the leaf whose body is being copied
	body         io.Reader // its body, nil when no body is being copied
	buf          []byte    // the sample of a body, then the copy buffer
	opened, done bool
}

// A buildFrame is a multipart entity being written and its next child.
type buildFrame struct {
	w    *Writer
	n    *node
	next int
}

// targetWriter is the io.Writer every entity Writer of a stream writes
// to; builderReader.WriteTo redirects it.
type targetWriter struct{ w io.Writer }

func (t *targetWriter) Write(p []byte) (int, error) { return t.w.Write(p) }

// newStream lays out the message and checks it; nothing is read yet.
func (b *Builder) newStream(w io.Writer) (*stream, error) {
	if b.used {
		return nil, ErrBuilderUsed
	}
	root, err := b.tree()
	if err != nil {
		return nil, err
	}
	if err := b.addMessageFields(root); err != nil {
		return nil, err
	}
	b.used = true // from here on the bodies are read
	sample := b.EncodingSample
	if sample <= 0 {
		sample = DefaultEncodingSample
	}
	// One byte more than the sample tells a body of exactly the sample's
	// size, judged whole, from a longer one.
	s := &stream{out: targetWriter{w}, root: root, buf: make([]byte, max(sample+1, copyBufferSize))}
	s.buf = s.buf[:sample+1]
	return s, nil
}

// step writes the next piece of the message; done is set after the last.
func (s *stream) step() error {
	switch {
	case !s.opened:
		s.opened = true
		return s.open(nil, s.root)
	case s.body != nil:
		return s.copyBody()
	case len(s.stack) == 0:
		s.done = true
		return nil
	}
	f := &s.stack[len(s.stack)-1]
	if f.next == len(f.n.children) {
		s.stack = s.stack[:len(s.stack)-1]
		return f.w.Close()
	}
	child := f.n.children[f.next]
	f.next++
	return s.open(f.w, child)
}

// open starts entity n, the message itself when parent is nil. A leaf's
// encoding is chosen from the sample of its body, read first.
func (s *stream) open(parent *Writer, n *node) error {
	h := n.header
	var sample []byte
	complete := true
	if n.isLeaf() {
		var err error
		if sample, complete, err = s.readSample(n.part.Body); err != nil {
			return err
		}
		cte := n.encoding
		if cte == "" {
			cte = partEncoding(n.mt, sample, complete)
		}
		h = n.leafHeader(cte)
	}
	var w *Writer
	var err error
	if parent == nil {
		w, err = NewWriter(&s.out, h)
	} else {
		w, err = parent.CreatePart(h)
	}
	if err != nil {
		return err
	}
	if !n.isLeaf() {
		s.stack = append(s.stack, buildFrame{w: w, n: n})
		return nil
	}
	if _, err := w.Write(sample); err != nil {
		return err
	}
	if complete {
		return w.Close()
	}
	s.leaf, s.body = w, n.part.Body
	return nil
}

// readSample reads the first bytes of body into the sample buffer and
// reports whether they are all of it.
func (s *stream) readSample(body io.Reader) ([]byte, bool, error) {
	if body == nil {
		return nil, true, nil
	}
	n, err := io.ReadFull(body, s.buf)
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return s.buf[:n], true, nil
	case err != nil:
		return nil, false, err
	}
	return s.buf[:n], false, nil
}

// copyBody copies one buffer of the current body through its encoder.
func (s *stream) copyBody() error {
	n, err := s.body.Read(s.buf[:cap(s.buf)])
	if n > 0 {
		if _, werr := s.leaf.Write(s.buf[:n]); werr != nil {
			return werr
		}
	}
	if err == io.EOF {
		s.body = nil
		return s.leaf.Close()
	}
	return err
}

// A builderReader is the io.Reader of Builder.Reader: each Read runs steps
// until there is output, which is at most one step's worth.
type builderReader struct {
	s   *stream
	buf bytes.Buffer
	err error
}

func (r *builderReader) Read(p []byte) (int, error) {
	for r.buf.Len() == 0 && r.err == nil && !r.s.done {
		r.err = r.s.step()
	}
	if r.buf.Len() > 0 {
		return r.buf.Read(p)
	}
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

// WriteTo writes what is left of the message to w: what Read has buffered,
// then the rest straight to w, with no copy in between.
func (r *builderReader) WriteTo(w io.Writer) (int64, error) {
	n, err := r.buf.WriteTo(w)
	if err != nil || r.err != nil {
		return n, errors.Join(err, r.err)
	}
	cw := &countingWriter{w: w, n: n}
	r.s.out.w = cw
	for !r.s.done {
		if err := r.s.step(); err != nil {
			r.err = err
			return cw.n, err
		}
	}
	return cw.n, nil
}
