package transcript

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// player runs a script's steps from one side: it sends the lines of the
// side it plays and checks those of the other.
type player struct {
	sc    *Script
	plays byte // 'C' against a server, 'S' against a client
	ph    Placeholders
	tls   *tls.Config                  // for <starttls>
	dial  func() (net.Conn, error)     // opens a new connection; nil: only conns[1]
	check func(name, arg string) error // for "=" lines; nil: none allowed
	conns map[int]*conn
	// deadline bounds each connection from its start (DefaultDeadline).
	deadline time.Duration
}

// validate refuses, before anything runs, the steps this player cannot run.
func (p *player) validate() error {
	for _, st := range p.sc.Steps {
		var msg string
		switch {
		case st.Side == FormCheck && p.check == nil:
			msg = "a check line, but this transcript has no checks"
		case st.Side == p.plays && st.Form == FormPattern:
			msg = "a pattern on the side the runner plays: it cannot be sent"
		case st.Conn != 1 && p.dial == nil:
			msg = "a client transcript has one connection"
		}
		if msg != "" {
			return &Error{File: p.sc.File, Line: st.Line, Msg: st.label() + " " + msg}
		}
	}
	return nil
}

// run plays every step, stops at the first that fails, and closes every
// connection.
func (p *player) run() error {
	defer func() {
		for _, c := range p.conns {
			c.nc.Close()
		}
	}()
	if err := p.validate(); err != nil {
		return err
	}
	for _, st := range p.sc.Steps {
		if err := p.step(st); err != nil {
			what := st.label()
			if st.Side == FormCheck {
				what += " " + st.Text + ":"
			}
			return &Error{File: p.sc.File, Line: st.Line, Msg: what + " " + err.Error()}
		}
	}
	return nil
}

func (p *player) step(st Step) error {
	if st.Side == FormCheck {
		name, arg, _ := strings.Cut(st.Text, " ")
		return p.check(name, Unescape(arg))
	}
	c, err := p.conn(st.Conn)
	if err != nil {
		return err
	}
	if st.Form == FormLine && st.Text == StartTLS {
		return c.startTLS(p.plays == 'C', p.tls)
	}
	if st.Side == p.plays {
		return p.send(c, st)
	}
	return p.expect(c, st)
}

// conn returns connection n, dialing it on first use.
func (p *player) conn(n int) (*conn, error) {
	if c := p.conns[n]; c != nil {
		if c.closed {
			return nil, fmt.Errorf("connection %d was closed before this line", n)
		}
		return c, nil
	}
	if p.dial == nil {
		return nil, errors.New("no such connection")
	}
	nc, err := p.dial()
	if err != nil {
		return nil, err
	}
	c := newConn(nc, p.deadline)
	p.conns[n] = c
	return c, nil
}

func (p *player) send(c *conn, st Step) error {
	if st.Form == FormLine && st.Text == Closed {
		c.close()
		return nil
	}
	text, err := p.ph.expand(st.Text, c.vars)
	if err != nil {
		return err
	}
	if st.Form == FormLine {
		text += "\r\n"
	}
	return c.write(text)
}

func (p *player) expect(c *conn, st Step) error {
	switch {
	case st.Form == FormLine && st.Text == Closed:
		return c.expectClose()
	case st.Form == FormRaw:
		want := Unescape(st.Text)
		got, err := c.readRaw(len(want))
		if err == nil && got != want {
			err = fmt.Errorf("want %q, got %q", want, got)
		}
		return err
	}
	got, err := c.readLine()
	if err != nil {
		return fmt.Errorf("want %q: %w", st.Text, err)
	}
	if st.Form == FormPattern {
		return matchPattern(st.Text, got)
	}
	return p.ph.match(st.Text, got, c.vars)
}
