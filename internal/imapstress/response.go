package imapstress

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxResponse bounds one response, literals included, so that a broken
// server cannot make the checker's memory grow without end.
const maxResponse = 1 << 20

// response is one server response (RFC 3501 section 7): its lines joined,
// each literal's data replaced by the "{n}" that announced it, and the
// literals' data in order.
type response struct {
	text []byte
	lits [][]byte
}

func (r *response) String() string {
	s := string(r.text)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strconv.Quote(s)
}

// readResponse reads one response. Every line must end with CRLF (RFC
// 3501 section 2.2); a line that ends with a literal's "{n}" continues
// after the n bytes of data.
func readResponse(br *bufio.Reader) (*response, error) {
	r := &response{}
	total := 0
	for {
		line, err := readLine(br, maxResponse-total)
		if err != nil {
			return nil, err
		}
		r.text = append(r.text, line...)
		total += len(line)
		n, ok := literalAtEnd(line)
		if !ok {
			return r, nil
		}
		if total += n; total > maxResponse {
			return nil, errors.New("response too long")
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(br, data); err != nil {
			return nil, err
		}
		r.lits = append(r.lits, data)
	}
}

// readLine reads up to CRLF, which it drops, refusing a bare LF.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > limit {
			return nil, errors.New("response too long")
		}
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
	if !bytes.HasSuffix(line, []byte("\r\n")) {
		return nil, fmt.Errorf("line not ended by CRLF: %q", line)
	}
	return line[:len(line)-2], nil
}

// literalAtEnd returns n when line ends with "{n}".
func literalAtEnd(line []byte) (int, bool) {
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(line[i+1 : len(line)-1]))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
