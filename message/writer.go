package message

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"time"
)

// autoSampleSize is how much of a body a Writer looks at to choose a
// transfer encoding when none is given.
const autoSampleSize = 8 << 10

// maxLine is the longest line RFC 5322 section 2.1.1 allows, line end
// excluded.
const maxLine = 998

// A Writer writes one MIME entity: its header, then its body in its
// transfer encoding, or for a multipart entity its parts (CreatePart).
// Close must be called to finish the entity.
type Writer struct {
	w      io.Writer
	header Header
	parent *Writer

	// multipart
	boundary string
	child    *Writer
	parts    int

	// leaf
	started bool           // the header has been written
	enc     io.WriteCloser // the transfer encoder of the body
	sample  []byte         // body held back to choose an encoding
	closed  bool
	err     error
}

// NewWriter starts a message on w with header h. Fields a message must have
// are added when missing: Date and Message-ID (RFC 5322 section 3.6) and
// MIME-Version (RFC 2045 section 4). See CreatePart for how the body is
// encoded.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if !h.Has("Date") {
		h.SetDate(time.Now())
	}
	if !h.Has("Message-ID") {
		h.Set("Message-ID", newMessageID(&h))
	}
	if !h.Has("MIME-Version") {
		h.Set("MIME-Version", "1.0")
	}
	return newEntityWriter(w, h, nil)
}

// newMessageID generates a Message-ID (RFC 5322 section 3.6.4): random
// left part, the From domain on the right.
func newMessageID(h *Header) string {
	domain := "localhost"
	if list, _ := h.AddressList("From"); len(list) > 0 {
		if d := list[0].Domain(); d != "" {
			domain = d
		}
	}
	return "<" + randomHex(16) + "@" + domain + ">"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func newEntityWriter(w io.Writer, h Header, parent *Writer) (*Writer, error) {
	mw := &Writer{w: w, header: h, parent: parent}
	mt, params, err := h.ContentType()
	if err == nil && strings.HasPrefix(mt, "multipart/") {
		mw.boundary = params.Get("boundary")
		if mw.boundary == "" {
			// "=_" cannot occur in quoted-printable or base64 text, so
			// the boundary cannot occur in encoded parts (RFC 2046
			// section 5.1.1).
			mw.boundary = "=_" + randomHex(15)
			mw.header.SetContentType(mt, append(params, Param{"boundary", mw.boundary}))
		}
		return mw, mw.writeHeader()
	}
	if cte := strings.ToLower(h.Get("Content-Transfer-Encoding")); cte != "" {
		return mw, mw.start(cte)
	}
	return mw, nil
}

func (mw *Writer) writeHeader() error {
	mw.started = true
	_, err := mw.header.WriteTo(mw.w)
	return err
}

// start writes the header and sets up the encoder for cte.
func (mw *Writer) start(cte string) error {
	if err := mw.writeHeader(); err != nil {
		return err
	}
	mt, _, _ := mw.header.ContentType()
	text := strings.HasPrefix(mt, "text/")
	switch cte {
	case "base64":
		mw.enc = newBase64Writer(mw.w)
	case "quoted-printable":
		mw.enc = &qpWriter{w: mw.w}
	default:
		mw.enc = &identityWriter{w: mw.w, text: text, limit: cte == "7bit" || cte == "8bit"}
	}
	return nil
}

// chooseEncoding picks a transfer encoding (RFC 2045 section 6) for a body
// that starts with sample (and is all of sample when complete): the
// identity for short-lined ASCII text, quoted-printable for text that is
// mostly ASCII, base64 for the rest. Encapsulated messages are never
// encoded (RFC 2046 section 5.2.1).
func chooseEncoding(mt string, sample []byte, complete bool) string {
	var nonASCII, ctl, line, longest int
	for _, c := range sample {
		switch {
		case c == '\n':
			line = 0
			continue
		case c >= 0x80:
			nonASCII++
		case c < ' ' && c != '\t' && c != '\r' || c == 0x7f:
			ctl++
		}
		line++
		longest = max(longest, line)
	}
	if strings.HasPrefix(mt, "message/") {
		if nonASCII > 0 || ctl > 0 || longest > maxLine {
			return "8bit"
		}
		return "7bit"
	}
	if !strings.HasPrefix(mt, "text/") || ctl > 0 {
		return "base64"
	}
	switch {
	case complete && nonASCII == 0 && longest <= maxLine:
		return "7bit"
	case nonASCII*3 <= len(sample):
		return "quoted-printable"
	}
	return "base64"
}

// Write writes body bytes of a non-multipart entity, encoding them.
func (mw *Writer) Write(p []byte) (int, error) {
	if mw.err != nil {
		return 0, mw.err
	}
	if mw.boundary != "" {
		return 0, errors.New("message: Write on a multipart entity; use CreatePart")
	}
	if mw.closed {
		return 0, errors.New("message: Write after Close")
	}
	if !mw.started {
		mw.sample = append(mw.sample, p...)
		if len(mw.sample) < autoSampleSize {
			return len(p), nil
		}
		if err := mw.decide(false); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	n, err := mw.enc.Write(p)
	mw.err = err
	return n, err
}

// decide chooses the transfer encoding from the sample and writes what was
// held back.
func (mw *Writer) decide(complete bool) error {
	mt, _, _ := mw.header.ContentType()
	cte := chooseEncoding(mt, mw.sample, complete)
	if cte != "7bit" || mw.header.Has("Content-Transfer-Encoding") {
		mw.header.Set("Content-Transfer-Encoding", cte)
	}
	if err := mw.start(cte); err != nil {
		mw.err = err
		return err
	}
	_, err := mw.enc.Write(mw.sample)
	mw.sample = nil
	mw.err = err
	return err
}

// CreatePart starts the next part of a multipart entity with header h and
// returns its Writer, closing the previous part if it is still open. A
// part's body is encoded with the Content-Transfer-Encoding its header
// names; without one the Writer chooses from the first 8 KiB of the body:
// the identity for short-lined ASCII text, quoted-printable for mostly
// ASCII text, base64 otherwise, so lines never exceed 998 octets (RFC 5322
// section 2.1.1). Text in an identity encoding is written with CRLF line
// ends; a longer line in a body whose header names 7bit or 8bit makes Write
// fail with ErrLineTooLong.
func (mw *Writer) CreatePart(h Header) (*Writer, error) {
	if mw.boundary == "" {
		return nil, errors.New("message: CreatePart on a non-multipart entity")
	}
	if mw.child != nil {
		if err := mw.child.Close(); err != nil {
			return nil, err
		}
	}
	sep := "\r\n--" + mw.boundary + "\r\n"
	if mw.parts == 0 {
		sep = sep[2:]
	}
	mw.parts++
	if _, err := io.WriteString(mw.w, sep); err != nil {
		return nil, err
	}
	child, err := newEntityWriter(mw.w, h, mw)
	mw.child = child
	return child, err
}

// Close finishes the entity: it writes a leaf's header and body if the
// encoding was still being chosen, or a multipart's close delimiter.
func (mw *Writer) Close() error {
	if mw.closed {
		return mw.err
	}
	mw.closed = true
	if mw.err != nil {
		return mw.err
	}
	if mw.boundary != "" {
		if mw.child != nil {
			if err := mw.child.Close(); err != nil {
				return err
			}
		}
		end := "\r\n--" + mw.boundary + "--\r\n"
		if mw.parts == 0 {
			end = end[2:]
		}
		_, err := io.WriteString(mw.w, end)
		return err
	}
	if !mw.started {
		if err := mw.decide(true); err != nil {
			return err
		}
	}
	return mw.enc.Close()
}
