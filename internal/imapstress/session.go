package imapstress

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// allowedNO lists, per command, the tagged NO codes a correct server may
// answer under concurrent change: STORE and COPY of messages another
// session expunged (RFC 2180 sections 4.2 and 4.4.1, RFC 5530
// EXPUNGEISSUED). FETCH answers OK [EXPUNGEISSUED] (section 4.1).
var allowedNO = map[string][]string{
	"STORE":     {"EXPUNGEISSUED"},
	"UID STORE": {"EXPUNGEISSUED"},
	"COPY":      {"EXPUNGEISSUED"},
	"UID COPY":  {"EXPUNGEISSUED"},
}

// session is one raw-protocol client: it writes commands and checks every
// response against its view.
type session struct {
	nc    net.Conn
	br    *bufio.Reader
	v     *view
	n     int // tags sent
	stats *Report
	// timeout bounds each wait for the server: a hang is an error.
	timeout time.Duration
}

func dial(cfg *Config, stats *Report) (*session, error) {
	nc, err := cfg.Dial()
	if err != nil {
		return nil, err
	}
	s := &session{nc: nc, br: bufio.NewReaderSize(nc, 64<<10), v: newView(), stats: stats, timeout: cfg.Timeout}
	s.v.command = "greeting"
	if _, err := s.read(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	return s, nil
}

// read reads and checks one response; it returns the tagged line's tag
// and status, or "" for untagged and continuation responses. A check that
// fails is an error: after it the view can no longer be trusted.
func (s *session) read() (*tagged, error) {
	s.nc.SetReadDeadline(time.Now().Add(s.timeout))
	r, err := readResponse(s.br)
	if err != nil {
		return nil, err
	}
	s.stats.addResponse()
	p := newParser(r)
	switch {
	case p.peek() == '+':
		return &tagged{continuation: true}, nil
	case p.peek() == '*':
		p.i++
		if err := p.sp(); err != nil {
			return nil, err
		}
		if err := s.v.untagged(p); err != nil {
			return nil, fmt.Errorf("during %s: %w: %v", s.v.command, err, r)
		}
		return nil, nil
	}
	t, err := parseTagged(p)
	if err != nil {
		return nil, fmt.Errorf("during %s: %w: %v", s.v.command, err, r)
	}
	return t, nil
}

// tagged is a command's completion (RFC 3501 section 7.1), or a
// continuation request when continuation is set.
type tagged struct {
	tag, status, code string
	continuation      bool
}

func parseTagged(p *parser) (*tagged, error) {
	tag, err := p.atom()
	if err != nil {
		return nil, err
	}
	if err := p.sp(); err != nil {
		return nil, err
	}
	status, err := p.atom()
	if err != nil {
		return nil, err
	}
	t := &tagged{tag: tag, status: strings.ToUpper(status)}
	if !p.atEnd() {
		if err := p.sp(); err != nil {
			return nil, err
		}
		if t.code, err = p.code(); err != nil {
			return nil, err
		}
	}
	p.text()
	return t, nil
}

// send writes a command line (or, with tag "", a raw line such as DONE or
// literal data).
func (s *session) send(line string) error {
	s.nc.SetWriteDeadline(time.Now().Add(s.timeout))
	_, err := s.nc.Write([]byte(line))
	return err
}

// continued sends a command that must be answered with a continuation
// request (APPEND's literal, IDLE) and returns its tag once it was.
func (s *session) continued(name, args string) (string, error) {
	tag, err := s.begin(name, args)
	if err != nil {
		return "", err
	}
	t, err := s.finish(tag)
	if err != nil {
		return "", err
	}
	if !t.continuation {
		return "", fmt.Errorf("%s: no continuation request", name)
	}
	return tag, nil
}

// dialLogin is dial, then LOGIN with the configured user.
func dialLogin(cfg *Config, stats *Report) (*session, error) {
	s, err := dial(cfg, stats)
	if err != nil {
		return nil, err
	}
	if err := s.command("LOGIN", cfg.User+" "+cfg.Password); err != nil {
		s.nc.Close()
		return nil, err
	}
	return s, nil
}

// begin writes "tag command" and notes the command for the EXPUNGE rule.
func (s *session) begin(name, args string) (string, error) {
	s.n++
	tag := "t" + strconv.Itoa(s.n)
	s.v.command = name
	s.stats.addOp()
	line := tag + " " + name
	if args != "" {
		line += " " + args
	}
	return tag, s.send(line + "\r\n")
}

// finish reads up to the tagged reply of tag and checks it: OK, or a NO
// with a code allowedNO lists for the command; never BAD nor SERVERBUG.
// A continuation request is returned to the caller (APPEND, IDLE).
func (s *session) finish(tag string) (*tagged, error) {
	for {
		t, err := s.read()
		if err != nil {
			return nil, err
		}
		if t == nil {
			continue
		}
		if t.continuation {
			return t, nil
		}
		if t.tag != tag {
			return nil, fmt.Errorf("%s: tagged reply %s for %s", s.v.command, t.tag, tag)
		}
		return t, s.judge(t)
	}
}

func (s *session) judge(t *tagged) error {
	name := s.v.command
	s.v.command = ""
	s.stats.reply(strings.TrimSpace(name + " " + t.status + " " + t.code))
	switch {
	case t.code == "SERVERBUG":
		return fmt.Errorf("%s: %s [SERVERBUG]", name, t.status)
	case t.status == "OK":
		return nil
	case t.status == "NO":
		for _, c := range allowedNO[name] {
			if c == t.code {
				return nil
			}
		}
	}
	return fmt.Errorf("%s answered %s [%s]", name, t.status, t.code)
}

// command runs one command to its tagged reply; a continuation request is
// an error.
func (s *session) command(name, args string) error {
	tag, err := s.begin(name, args)
	if err != nil {
		return err
	}
	t, err := s.finish(tag)
	if err == nil && t.continuation {
		err = fmt.Errorf("%s: unexpected continuation request", name)
	}
	return err
}
