package imap

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// This file holds the writing side of a command: begin checks the state
// table, tags the command and writes its name under the write lock, the
// caller writes the arguments, end sends it, and wait waits for its
// tagged response (RFC 3501 section 5.5: commands may be pipelined).

// command is one command in flight.
type command struct {
	tag  string
	verb Verb
	done chan struct{}
	resp *StatusResponse
	err  error
	// untagged is offered the untagged responses that arrive while the
	// command is pending, in order; it reports whether it consumed one.
	untagged func(u *untagged) (bool, error)
	// resume, when set, makes the reading goroutine wait after a tagged
	// OK until the caller has switched the transport (STARTTLS, COMPRESS).
	resume chan struct{}
}

// awaitContinuation waits for the server's "+" after a synchronizing
// literal (RFC 3501 section 7.5). The write lock is held, so the
// continuation is for the command being written.
func (c *Client) awaitContinuation() error {
	_, err := c.continuation(c.writeCtx, c.lastWritten)
	return err
}

// continuation waits for "+" for cmd, which the caller is writing; if cmd
// ends first (the server refused it with a tagged NO or BAD), that is the
// error.
func (c *Client) continuation(ctx context.Context, cmd *command) (string, error) {
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	select {
	case text := <-c.contCh:
		return text, nil
	case <-cmd.done:
		if cmd.err != nil {
			return "", cmd.err
		}
		if err := cmd.resp.Err(); err != nil {
			return "", err
		}
		return "", asMalformed(&wire.SyntaxError{Msg: "command completed while a continuation was expected"})
	case <-c.closed:
		return "", c.closeErr()
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// begin registers a new command and starts writing it: the write lock is
// held until end. The command's tag and name are written. A command the
// state does not allow is refused before anything is written.
func (c *Client) begin(ctx context.Context, v Verb, untagged func(*untagged) (bool, error)) (*command, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.writeMu.Lock()
	c.mu.Lock()
	if err := c.allowedLocked(v); err != nil {
		c.mu.Unlock()
		c.writeMu.Unlock()
		return nil, err
	}
	// The writer's options follow what the server offered and what was
	// enabled; they change only here, under the write lock.
	c.w.LiteralPlus = c.caps.Has(CapLiteralPlus)
	c.w.LiteralMinus = c.caps.Has(CapLiteralMinus)
	c.w.UTF8 = c.enabled.Has(CapUTF8Accept)
	c.tagSeq++
	cmd := &command{tag: "T" + strconv.FormatUint(c.tagSeq, 10), verb: v, done: make(chan struct{}), untagged: untagged}
	c.pending = append(c.pending, cmd)
	c.mu.Unlock()
	c.lastWritten, c.writeCtx = cmd, ctx
	c.w.Mark()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetWriteDeadline(dl)
	} else {
		_ = c.conn.SetWriteDeadline(time.Time{})
	}
	writeCommandHead(c.w, cmd.tag, v)
	return cmd, nil
}

// end finishes writing the command begun with begin: CRLF, flush, and
// the write lock released. A write error closes the connection, since
// half a command cannot be taken back.
func (c *Client) end(cmd *command) error {
	c.w.CRLF()
	return c.finish(cmd)
}

// finish flushes what was written of cmd and releases the write lock. An
// argument the writer refused (wire.ErrNotAtom) is ErrInvalidArgument.
func (c *Client) finish(cmd *command) error {
	err := c.w.Flush()
	if errors.Is(err, wire.ErrNotAtom) {
		err = &kindError{ErrInvalidArgument, err}
	}
	if errors.Is(err, ErrInvalidArgument) && c.w.Abort() {
		// Nothing was sent: forget the command, keep the connection.
		c.mu.Lock()
		for i, p := range c.pending {
			if p == cmd {
				c.pending = append(c.pending[:i], c.pending[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		c.lastWritten, c.writeCtx, c.saslLines = nil, nil, false
		c.writeMu.Unlock()
		cmd.err = err
		close(cmd.done)
		return err
	}
	c.lastWritten, c.writeCtx, c.saslLines = nil, nil, false
	c.writeMu.Unlock()
	if err != nil {
		c.conn.Close()
		<-c.closed
		return err
	}
	return nil
}

// wait waits for cmd's tagged response; NO and BAD come back as a
// *StatusResponse error.
func (c *Client) wait(ctx context.Context, cmd *command) (*StatusResponse, error) {
	select {
	case <-cmd.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if cmd.err != nil {
		return nil, cmd.err
	}
	return cmd.resp, cmd.resp.Err()
}

// run sends command v, whose arguments args writes, and waits for it.
func (c *Client) run(ctx context.Context, v Verb, args func(w *wire.Writer), untagged func(*untagged) (bool, error)) (*StatusResponse, error) {
	cmd, err := c.begin(ctx, v, untagged)
	if err != nil {
		return nil, err
	}
	if args != nil {
		c.w.SP()
		args(c.w)
	}
	if err := c.end(cmd); err != nil {
		return nil, err
	}
	return c.wait(ctx, cmd)
}

// runSwitching sends command v with args, raw, after its name, and once
// the server said OK runs switchTo, which puts a new transport under the
// connection (STARTTLS, COMPRESS): the reading goroutine waits after the
// tagged OK until switchTo has returned, so that it reads nothing more
// through the old one.
func (c *Client) runSwitching(ctx context.Context, v Verb, args string, switchTo func() error) error {
	cmd, err := c.begin(ctx, v, nil)
	if err != nil {
		return err
	}
	c.w.Raw(args)
	cmd.resume = make(chan struct{})
	defer close(cmd.resume)
	if err := c.end(cmd); err != nil {
		return err
	}
	if _, err := c.wait(ctx, cmd); err != nil {
		return err
	}
	return switchTo()
}
