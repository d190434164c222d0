package pop3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/dotstream"
)

// ListItem is one scan listing (RFC 1939 section 5, LIST).
type ListItem struct {
	Number int
	Size   int64
}

// UIDItem is one unique-id listing (RFC 1939 section 7, UIDL).
type UIDItem struct {
	Number int
	UID    string
}

func checkNumber(n int) error {
	if n < 1 {
		return fmt.Errorf("%w: message number %d", ErrInvalidArgument, n)
	}
	return nil
}

// Stat sends STAT (RFC 1939 section 5): the number of messages not marked
// deleted and their size in octets.
func (c *Client) Stat(ctx context.Context) (count int, size int64, err error) {
	if err := c.allowed(VerbSTAT); err != nil {
		return 0, 0, err
	}
	err = c.call(ctx, VerbSTAT, func() error {
		r, err := c.cmd("STAT")
		if err != nil {
			return err
		}
		f := strings.Fields(r.Text)
		if len(f) < 2 {
			return c.w.Fail(fmt.Errorf("%w: STAT %q", ErrMalformedResponse, r.Text))
		}
		var ok1, ok2 bool
		count, ok1 = parseDecimal(f[0])
		size, ok2 = parseSize(f[1])
		if !ok1 || !ok2 {
			return c.w.Fail(fmt.Errorf("%w: STAT %q", ErrMalformedResponse, r.Text))
		}
		return nil
	})
	return count, size, err
}

// parseSize parses a size in octets, up to 18 digits.
func parseSize(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// List sends LIST (RFC 1939 section 5) and returns the scan listing of
// every message not marked deleted.
func (c *Client) List(ctx context.Context) ([]ListItem, error) {
	var items []ListItem
	err := c.listing(ctx, VerbLIST, func(num int, value string) error {
		size, ok := parseSize(value)
		if !ok {
			return fmt.Errorf("%w: LIST size %q", ErrMalformedResponse, value)
		}
		items = append(items, ListItem{Number: num, Size: size})
		return nil
	})
	return items, err
}

// ListOne sends LIST n (RFC 1939 section 5).
func (c *Client) ListOne(ctx context.Context, n int) (ListItem, error) {
	var item ListItem
	err := c.listOne(ctx, VerbLIST, n, func(num int, value string) error {
		size, ok := parseSize(value)
		if !ok {
			return fmt.Errorf("%w: LIST size %q", ErrMalformedResponse, value)
		}
		item = ListItem{Number: num, Size: size}
		return nil
	})
	return item, err
}

// Uidl sends UIDL (RFC 1939 section 7) and returns the unique-id listing
// of every message not marked deleted.
func (c *Client) Uidl(ctx context.Context) ([]UIDItem, error) {
	var items []UIDItem
	err := c.listing(ctx, VerbUIDL, func(num int, value string) error {
		items = append(items, UIDItem{Number: num, UID: value})
		return nil
	})
	return items, err
}

// UidlOne sends UIDL n (RFC 1939 section 7).
func (c *Client) UidlOne(ctx context.Context, n int) (UIDItem, error) {
	var item UIDItem
	err := c.listOne(ctx, VerbUIDL, n, func(num int, value string) error {
		item = UIDItem{Number: num, UID: value}
		return nil
	})
	return item, err
}

// splitListing parses "msg value" (RFC 1939 sections 5 and 7).
func splitListing(s string) (int, string, bool) {
	num, value, ok := strings.Cut(s, " ")
	n, nok := parseDecimal(num)
	value, _, _ = strings.Cut(value, " ") // RFC 1939 5: later text is ignored
	return n, value, ok && nok && n > 0 && value != ""
}

func (c *Client) listing(ctx context.Context, v Verb, add func(int, string) error) error {
	if err := c.allowed(v); err != nil {
		return err
	}
	return c.call(ctx, v, func() error {
		if _, err := c.cmd(v.String()); err != nil {
			return err
		}
		body, err := c.readMultiLine()
		if err != nil {
			return err
		}
		for _, line := range lines(body) {
			n, value, ok := splitListing(string(line))
			if !ok {
				return c.w.Fail(fmt.Errorf("%w: %s line %q", ErrMalformedResponse, v, line))
			}
			if err := add(n, value); err != nil {
				return c.w.Fail(err)
			}
		}
		return nil
	})
}

func (c *Client) listOne(ctx context.Context, v Verb, n int, set func(int, string) error) error {
	if err := checkNumber(n); err != nil {
		return err
	}
	if err := c.allowed(v); err != nil {
		return err
	}
	return c.call(ctx, v, func() error {
		r, err := c.cmd(v.String() + " " + strconv.Itoa(n))
		if err != nil {
			return err
		}
		num, value, ok := splitListing(r.Text)
		if !ok {
			return c.w.Fail(fmt.Errorf("%w: %s %q", ErrMalformedResponse, v, r.Text))
		}
		if err := set(num, value); err != nil {
			return c.w.Fail(err)
		}
		return nil
	})
}

// MessageReader streams a message of Retr or Top, unstuffed (RFC 1939
// section 3). It owns the Client's connection until Close.
type MessageReader struct {
	c    *Client
	r    *dotstream.Reader
	err  error
	done bool
}

// Read reads the message; io.EOF comes at its end.
func (m *MessageReader) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	n, err := m.r.Read(p)
	if err != nil && err != io.EOF {
		m.err = m.c.w.Fail(fmt.Errorf("pop3: reading a message: %w", err))
		return n, m.err
	}
	return n, err
}

// Close reads and discards what is left of the message, so that the
// session can go on, and hands the connection back to the Client.
func (m *MessageReader) Close() error {
	if m.done {
		return m.err
	}
	m.done = true
	c := m.c
	if m.err == nil {
		if err := m.r.Discard(); err != nil {
			m.err = c.w.Fail(fmt.Errorf("pop3: reading a message: %w", err))
		} else {
			c.traceMessage(m.r.Size())
		}
	}
	c.reader = nil
	c.w.End(nil)
	return m.err
}

// Retr sends RETR n (RFC 1939 section 5) and returns the message as a
// stream; ctx bounds the call and the reading, until Close.
func (c *Client) Retr(ctx context.Context, n int) (*MessageReader, error) {
	return c.message(ctx, VerbRETR, "RETR "+strconv.Itoa(n), n)
}

// Top sends TOP n lines (RFC 1939 section 7) and returns the header and the
// first lines of the body of message n as a stream.
func (c *Client) Top(ctx context.Context, n, lines int) (*MessageReader, error) {
	if lines < 0 {
		return nil, fmt.Errorf("%w: TOP line count %d", ErrInvalidArgument, lines)
	}
	return c.message(ctx, VerbTOP, "TOP "+strconv.Itoa(n)+" "+strconv.Itoa(lines), n)
}

func (c *Client) message(ctx context.Context, v Verb, line string, n int) (*MessageReader, error) {
	if err := checkNumber(n); err != nil {
		return nil, err
	}
	if err := c.allowed(v); err != nil {
		return nil, err
	}
	if err := c.w.Begin(ctx); err != nil {
		return nil, err
	}
	_, err := c.cmd(line)
	c.transition(v, c.outcome(err))
	if err != nil {
		return nil, c.w.End(err)
	}
	m := &MessageReader{c: c, r: dotstream.NewReader(c.w.Reader(), dotstream.Options{AllowBareNewlines: true})}
	c.reader = m
	return m, nil
}

// Dele marks messages deleted (RFC 1939 section 5); the server removes
// them only after Quit. With PIPELINING announced in the last CAPA
// all DELE commands go out at once (RFC 2449 6.6). The first -ERR is
// returned; the other numbers are marked all the same.
func (c *Client) Dele(ctx context.Context, numbers ...int) error {
	for _, n := range numbers {
		if err := checkNumber(n); err != nil {
			return err
		}
	}
	if err := c.allowed(VerbDELE); err != nil {
		return err
	}
	return c.call(ctx, VerbDELE, func() error {
		var first error
		pipelined := c.caps.Has("PIPELINING")
		for i, n := range numbers {
			c.w.WriteLine("DELE " + strconv.Itoa(n))
			if pipelined && i < len(numbers)-1 {
				continue
			}
			if err := c.w.Flush(); err != nil {
				return err
			}
			count := 1
			if pipelined {
				count = len(numbers)
			}
			for range count {
				if _, err := c.expectOK(); err != nil {
					if _, ok := err.(*Response); !ok {
						return err
					}
					if first == nil {
						first = err
					}
				}
			}
		}
		return first
	})
}

// Rset sends RSET (RFC 1939 section 5): no message stays marked deleted.
func (c *Client) Rset(ctx context.Context) error { return c.simple(ctx, VerbRSET) }

// Noop sends NOOP (RFC 1939 section 5), which keeps the session alive.
func (c *Client) Noop(ctx context.Context) error { return c.simple(ctx, VerbNOOP) }

func (c *Client) simple(ctx context.Context, v Verb) error {
	if err := c.allowed(v); err != nil {
		return err
	}
	return c.call(ctx, v, func() error {
		_, err := c.cmd(v.String())
		return err
	})
}

// Quit sends QUIT and closes the connection. From TRANSACTION the server
// enters UPDATE and removes the messages marked deleted (RFC 1939 section
// 6); a -ERR, returned as a *Response, means they were not removed.
func (c *Client) Quit(ctx context.Context) error {
	if err := c.allowed(VerbQUIT); err != nil {
		return err
	}
	err := c.w.Do(ctx, func() error {
		_, err := c.cmd("QUIT")
		return err
	})
	var r *Response
	if c.state == StateTransaction && (err == nil || errors.As(err, &r)) {
		// The server answers once it has left UPDATE: its reply is the
		// outcome of the update, which ends the session either way.
		c.transition(VerbQUIT, OutcomeAccepted)
	}
	c.transition(VerbQUIT, c.outcome(err))
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}
