package maildir

import (
	"bytes"
	"io"
)

// lfWriter turns CRLF into LF on the way to w and counts what it wrote
// and what the message will be once served with CRLF again.
type lfWriter struct {
	w        io.Writer
	cr       bool  // a CR ended the previous write
	size     int64 // bytes written to w
	wireSize int64 // bytes once every LF is CRLF again
	last     byte  // last byte written to w
}

func (l *lfWriter) Write(p []byte) (int, error) {
	n := len(p)
	if l.cr {
		l.cr = false
		if len(p) > 0 && p[0] == '\n' {
			if err := l.emit([]byte{'\n'}); err != nil {
				return 0, err
			}
			p = p[1:]
		} else if err := l.emit([]byte{'\r'}); err != nil {
			return 0, err
		}
	}
	for len(p) > 0 {
		i := bytes.Index(p, []byte("\r\n"))
		if i < 0 {
			chunk := p
			if chunk[len(chunk)-1] == '\r' {
				chunk, l.cr = chunk[:len(chunk)-1], true
			}
			if err := l.emit(chunk); err != nil {
				return 0, err
			}
			break
		}
		if err := l.emit(p[:i]); err != nil {
			return 0, err
		}
		if err := l.emit([]byte{'\n'}); err != nil {
			return 0, err
		}
		p = p[i+2:]
	}
	return n, nil
}

// flush writes a CR held back at the end.
func (l *lfWriter) flush() error {
	if l.cr {
		l.cr = false
		return l.emit([]byte{'\r'})
	}
	return nil
}

// emit writes b and counts it: each LF not after a CR grows by one when
// served (ToCRLF).
func (l *lfWriter) emit(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if _, err := l.w.Write(b); err != nil {
		return err
	}
	l.size += int64(len(b))
	l.wireSize += int64(len(b) + bytes.Count(b, []byte{'\n'}) - bytes.Count(b, []byte("\r\n")))
	if b[0] == '\n' && l.last == '\r' {
		l.wireSize--
	}
	l.last = b[len(b)-1]
	return nil
}

// ToCRLF returns data with every LF that has no CR before it turned into
// CRLF: the form IMAP and POP3 send (RFC 5322 section 2.3).
func ToCRLF(data []byte) []byte {
	out := make([]byte, 0, len(data)+bytes.Count(data, []byte{'\n'}))
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return append(out, data...)
		}
		out = append(out, data[:i]...)
		if len(out) == 0 || out[len(out)-1] != '\r' {
			out = append(out, '\r')
		}
		out = append(out, '\n')
		data = data[i+1:]
	}
}

// WireSize is the size of data as ToCRLF would return it.
func WireSize(data []byte) int64 {
	return int64(len(data) + bytes.Count(data, []byte{'\n'}) - bytes.Count(data, []byte("\r\n")))
}
