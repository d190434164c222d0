package message

import (
	"bufio"
	"bytes"
	"io"
)

// ReadHeader reads a header section (RFC 5322 section 2.2) up to and
// including the empty line that ends it, with the default Limits. It
// accepts CRLF and bare LF line ends, 8-bit bytes (RFC 6532), obsolete
// white space before the colon (RFC 5322 section 4.5) and lines without a
// colon, all kept as read. A section that runs to the end of the input is
// returned without error. A section over a limit yields a *LimitError.
func ReadHeader(r *bufio.Reader) (Header, error) {
	var p headerParser
	lr := lineReader{br: r}
	h, _, err := p.read(&lr, Limits{}.withDefaults(), false, nil)
	return h, err
}

// ReadHeaderTruncated reads a header section as ReadHeader does, but a
// section over lim's MaxHeaderFields or MaxHeaderBytes (zero fields mean
// the defaults) is not an error: the fields before the limit are kept,
// the rest of the section is read through and dropped, and
// Header.Truncated reports it. Memory stays bounded by lim however long
// the section is. A server uses it to answer from a stored message that
// no limit may make unreadable; only I/O errors are returned.
func ReadHeaderTruncated(r *bufio.Reader, lim Limits) (Header, error) {
	var p headerParser
	lr := lineReader{br: r}
	h, _, err := p.read(&lr, lim.withDefaults(), true, nil)
	return h, err
}

// A headerParser reads header sections, reusing its scratch space from one
// section to the next so that a section costs one allocation for its bytes
// and one for its fields.
type headerParser struct {
	raw    []byte
	starts []int
}

var (
	crlf = []byte("\r\n")
	lf   = []byte("\n")
)

// read reads one header section from lr. When isDelim is not nil it is
// asked about every line that starts a line; a true answer ends the section
// at that line (which is consumed) and read reports delim. With trunc, a
// limit stops the keeping of fields instead of failing: the field that
// would cross it and all after it are dropped, and h.cut is set.
func (p *headerParser) read(lr *lineReader, lim Limits, trunc bool, isDelim func([]byte) bool) (h Header, delim bool, err error) {
	p.raw = p.raw[:0]
	p.starts = p.starts[:0]
	h.read = true
	bol := true
	first := true
	keep := true // fields are still being kept
	for {
		line, rerr := lr.next()
		if rerr != nil {
			if rerr != io.EOF {
				return h, false, rerr
			}
			break
		}
		if bol {
			if isDelim != nil && isDelim(line) {
				delim = true
				break
			}
			if line[0] == '\n' || (line[0] == '\r' && len(line) == 2 && line[1] == '\n') {
				if len(line) == 1 {
					h.end = lf
				} else {
					h.end = crlf
				}
				break
			}
			if keep && (!isWSP(line[0]) || len(p.starts) == 0) {
				if len(p.starts) >= lim.MaxHeaderFields {
					if !trunc {
						return h, false, &LimitError{"MaxHeaderFields", lim.MaxHeaderFields}
					}
					keep, h.cut = false, true
				} else {
					p.starts = append(p.starts, len(p.raw))
				}
			}
			if first && line[len(line)-1] == '\n' {
				h.lf = len(line) < 2 || line[len(line)-2] != '\r'
				first = false
			}
		}
		if keep && len(p.raw)+len(line) > lim.MaxHeaderBytes {
			if !trunc {
				return h, false, &LimitError{"MaxHeaderBytes", lim.MaxHeaderBytes}
			}
			// Drop the whole field this line belongs to.
			n := len(p.starts) - 1
			p.raw, p.starts = p.raw[:p.starts[n]], p.starts[:n]
			keep, h.cut = false, true
		}
		if keep {
			p.raw = append(p.raw, line...)
		}
		bol = line[len(line)-1] == '\n'
	}
	if len(p.starts) == 0 {
		return h, delim, nil
	}
	raw := bytes.Clone(p.raw)
	h.fields = make([]Field, len(p.starts))
	for i, s := range p.starts {
		e := len(raw)
		if i+1 < len(p.starts) {
			e = p.starts[i+1]
		}
		f := raw[s:e:e]
		h.fields[i] = Field{Key: fieldKey(f), raw: f}
	}
	return h, delim, nil
}

// fieldKey returns the name of a raw field: the text before the colon on
// its first line, less obsolete trailing white space (RFC 5322 section
// 4.5). It returns "" when the line has no colon or the name is not a
// run of printable characters (RFC 5322 section 2.2: ftext).
func fieldKey(raw []byte) string {
	i := bytes.IndexByte(raw, ':')
	if i <= 0 {
		return ""
	}
	if nl := bytes.IndexByte(raw[:i], '\n'); nl >= 0 {
		return ""
	}
	k := raw[:i]
	for len(k) > 0 && isWSP(k[len(k)-1]) {
		k = k[:len(k)-1]
	}
	if len(k) == 0 {
		return ""
	}
	for _, c := range k {
		if c <= ' ' || c >= 0x7f {
			return ""
		}
	}
	if s, ok := commonKeys[string(k)]; ok {
		return s
	}
	return string(k)
}

// commonKeys lets frequent field names share one string instead of
// costing an allocation per field.
var commonKeys = func() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{
		"Return-Path", "Received", "Authentication-Results", "DKIM-Signature",
		"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
		"Received-SPF", "Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc",
		"Subject", "Message-ID", "Message-Id", "In-Reply-To", "References",
		"MIME-Version", "Mime-Version", "Content-Type", "Content-Transfer-Encoding",
		"Content-Disposition", "Content-ID", "Content-Id", "Content-Description",
		"Content-Language", "Content-Location", "Content-MD5", "User-Agent",
		"X-Mailer", "X-Spam-Status", "X-Spam-Score", "List-Unsubscribe",
		"List-Id", "Precedence", "Importance", "Thread-Index", "Thread-Topic",
		"X-Priority", "Delivered-To", "X-Originating-IP", "Comments", "Keywords",
	} {
		m[k] = k
	}
	return m
}()
