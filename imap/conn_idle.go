package imap

import (
	"strings"
)

// handleIdle answers IDLE (RFC 2177 section 3): after the continuation
// the session reports changes to the selected mailbox as they happen,
// until the client sends DONE. A goroutine waits for the client's input
// while this one waits for the backend; it ends as soon as input arrives
// or the connection closes, so it never outlives the session.
func (c *Conn) handleIdle(tag string) (*StatusResponse, error) {
	if err := c.eol(); err != nil {
		return nil, err
	}
	c.w.Raw("+ idling").CRLF()
	var changed <-chan struct{}
	if c.sel != nil {
		changed = c.sel.mbox.Changed()
		if err := c.sendUpdates(true); err != nil {
			return nil, err
		}
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	input := make(chan error, 1)
	c.io.SetReadTimeout(c.timeout())
	c.io.SetIdle(true)
	go func() {
		_, err := c.line.BR.Peek(1)
		input <- err
	}()
	for {
		select {
		case err := <-input:
			c.io.SetIdle(false)
			if err != nil {
				return nil, err
			}
			return c.endIdle()
		case <-changed:
			if err := c.sendUpdates(true); err != nil {
				return nil, err
			}
			if err := c.w.Flush(); err != nil {
				return nil, err
			}
		}
	}
}

// endIdle reads the DONE that ends IDLE (RFC 2177 section 3); anything
// else is answered BAD.
func (c *Conn) endIdle() (*StatusResponse, error) {
	word, err := c.r.Atom()
	if err != nil {
		return nil, err
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	if !strings.EqualFold(word, "DONE") {
		return &StatusResponse{Type: StatusBAD, Text: "Expected DONE"}, nil
	}
	return ok("IDLE terminated"), nil
}
