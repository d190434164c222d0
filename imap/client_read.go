package imap

import (
	"bytes"
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// This file holds the client's reading goroutine: it reads each response
// (RFC 3501 section 7), hands untagged ones to the commands in flight or
// to the UnilateralHandler, and completes a command at its tagged
// response, feeding the outcome to the state table.

// untagged is one untagged response being dispatched. For status
// responses and EXISTS, RECENT and EXPUNGE the line has been read; for the
// others the reader stands after the name and a taker reads to the CRLF.
type untagged struct {
	Name   string
	Num    uint32
	Status *StatusResponse
	r      *wire.Reader
}

// readLoop reads responses until the connection ends and dispatches them.
func (c *Client) readLoop() {
	var err error
	for err == nil {
		err = c.readResponse()
	}
	c.mu.Lock()
	c.err = asMalformed(err)
	c.transition(VerbUnknown, OutcomeClosed)
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	c.conn.Close()
	close(c.closed)
	for _, cmd := range pending {
		cmd.err = c.closeErr()
		close(cmd.done)
	}
}

// readResponse reads and dispatches one response (RFC 3501 section 7).
func (c *Client) readResponse() error {
	b, err := c.r.Peek()
	if err != nil {
		return err
	}
	switch b {
	case '*':
		_, _ = c.r.ReadByte()
		if err := c.r.SP(); err != nil {
			return err
		}
		return c.readUntagged()
	case '+':
		_, _ = c.r.ReadByte()
		c.r.Accept(' ')
		text, err := c.r.Text()
		if err != nil {
			return err
		}
		if err := c.r.CRLF(); err != nil {
			return err
		}
		select {
		case c.contCh <- text:
		default: // nobody asked; the protocol is confused, but carry on
		}
		return nil
	}
	tag, err := c.r.Tag()
	if err != nil {
		return err
	}
	if err := c.r.SP(); err != nil {
		return err
	}
	typ, err := c.r.Atom()
	if err != nil {
		return err
	}
	resp, err := readStatusResponse(c.r, tag, StatusType(strings.ToUpper(typ)))
	if err != nil {
		return err
	}
	return c.complete(resp)
}

// complete ends the command resp answers.
func (c *Client) complete(resp *StatusResponse) error {
	c.mu.Lock()
	var cmd *command
	for i, p := range c.pending {
		if p.tag == resp.Tag {
			cmd = p
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			break
		}
	}
	if cmd == nil {
		c.mu.Unlock()
		return &wire.SyntaxError{Msg: "response for unknown tag " + resp.Tag}
	}
	c.transition(cmd.verb, outcomeOf(resp.Type))
	if resp.Code == CodeCapability {
		c.setCapsLocked(strings.Fields(resp.CodeArg))
	}
	if c.state != StateSelected {
		c.mailbox = nil
	}
	c.mu.Unlock()
	cmd.resp = resp
	close(cmd.done)
	if cmd.resume != nil && resp.Type == StatusOK {
		<-cmd.resume
	}
	return nil
}

// readUntagged reads the response after "* ".
func (c *Client) readUntagged() error {
	u := &c.resp
	*u = untagged{r: c.r}
	if b, err := c.r.Peek(); err == nil && b >= '0' && b <= '9' {
		if u.Num, err = c.r.Number(); err != nil {
			return err
		}
		if err := c.r.SP(); err != nil {
			return err
		}
	}
	name, err := c.r.AtomBytes()
	if err != nil {
		return err
	}
	u.Name = responseName(name)
	switch u.Name {
	case "OK", "NO", "BAD", "PREAUTH", "BYE":
		if u.Status, err = readStatusResponse(c.r, "", StatusType(u.Name)); err != nil {
			return err
		}
		if u.Status.Code == CodeCapability {
			c.setCaps(strings.Fields(u.Status.CodeArg))
		}
		select {
		case <-c.greeted:
		default:
			c.mu.Lock()
			c.state = Greeting(u.Status.Type)
			c.greeting = u.Status
			c.mu.Unlock()
			close(c.greeted)
			return nil
		}
	case "EXISTS", "RECENT", "EXPUNGE":
		if err := c.r.CRLF(); err != nil {
			return err
		}
		c.trackMailbox(u)
	case "CAPABILITY":
		caps, err := readAtomsToEOL(c.r)
		if err != nil {
			return err
		}
		c.setCaps(caps)
		return nil
	case "ENABLED":
		caps, err := readAtomsToEOL(c.r)
		if err != nil {
			return err
		}
		c.mu.Lock()
		for _, name := range caps {
			c.enabled[Cap(strings.ToUpper(name))] = struct{}{}
		}
		c.mu.Unlock()
		return nil
	}
	// The handlers may block (a FETCH waits for its reader), so they
	// are offered the response outside c.mu, from a copy.
	c.mu.Lock()
	c.offer = append(c.offer[:0], c.pending...)
	c.mu.Unlock()
	taken, err := c.offerUntagged(u)
	clear(c.offer) // let finished commands go
	if err != nil || taken {
		return err
	}
	return c.unilateral(u)
}

// offerUntagged hands u to the pending commands in order until one takes
// it.
func (c *Client) offerUntagged(u *untagged) (bool, error) {
	for _, cmd := range c.offer {
		if cmd.untagged == nil {
			continue
		}
		if taken, err := cmd.untagged(u); err != nil || taken {
			return taken, err
		}
	}
	return false, nil
}

// responseNames are the untagged response names a client meets most, so
// that reading one does not allocate; FETCH comes first, since a large
// FETCH sends it once per message.
var responseNames = []string{"FETCH", "EXISTS", "EXPUNGE", "RECENT", "OK", "NO", "BAD", "BYE", "PREAUTH",
	"CAPABILITY", "ENABLED", "FLAGS", "LIST", "LSUB", "STATUS", "SEARCH", "ESEARCH", "VANISHED"}

// responseName returns the upper-case name of an untagged response;
// names are case-insensitive (RFC 3501 section 9).
func responseName(name []byte) string {
	for _, n := range responseNames {
		if bytes.EqualFold(name, []byte(n)) {
			return n
		}
	}
	return strings.ToUpper(string(name))
}

func (c *Client) setCaps(names []string) {
	c.mu.Lock()
	c.setCapsLocked(names)
	c.mu.Unlock()
}

// setCapsLocked caches capabilities; begin passes LITERAL+ and LITERAL-
// (RFC 7888) on to the writer.
func (c *Client) setCapsLocked(names []string) {
	c.caps = newCaps(names)
}

// readAtomsToEOL reads *(SP atom) CRLF.
func readAtomsToEOL(r *wire.Reader) ([]string, error) {
	var out []string
	for r.Accept(' ') {
		if b, _ := r.Peek(); b == '\r' || b == '\n' {
			break // trailing space, seen in the wild
		}
		a, err := r.Atom()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, r.CRLF()
}
