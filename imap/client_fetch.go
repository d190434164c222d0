package imap

import (
	"context"
	"io"
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// FetchCommand is a FETCH or STORE in progress. Messages arrive one at a
// time through Next, each with its items, body sections as streams, so
// memory stays flat however many messages or however large the bodies.
// Close must be called; it drains what the caller did not read. All is
// the same walk as a range-over-func iterator, and closes the command.
type FetchCommand struct {
	c    *Client
	ctx  context.Context
	cmd  *command
	msgs chan *FetchMessageData
	// ack is shared by the command's messages: only one literal is on
	// the wire at a time, so one channel serves them all and a message
	// costs one allocation less.
	ack chan struct{}
	cur *FetchMessageData
	err error
}

// FetchMessageData is one message of a FETCH response (RFC 3501 section
// 7.4.2).
type FetchMessageData struct {
	Seq   uint32
	items chan FetchItemData
	ack   chan struct{} // the caller is done with a streamed literal
	quit  chan struct{} // the client's: no reader left to ack
	held  bool          // the last item streamed a literal not yet acked
}

// Next returns the next item, or nil after the last one. A body section's
// Literal is valid until Next is called again.
func (m *FetchMessageData) Next() FetchItemData {
	m.release()
	item, ok := <-m.items
	if !ok {
		return nil
	}
	switch it := item.(type) {
	case FetchItemDataBodySection:
		m.held = it.Literal != nil && !isInMemory(it.Literal)
	case FetchItemDataBinarySection:
		m.held = it.Literal != nil && !isInMemory(it.Literal)
	}
	return item
}

// release hands the connection back to the reading goroutine.
func (m *FetchMessageData) release() {
	if m.held {
		m.held = false
		// The reading goroutine is normally parked on ack already, and
		// a plain send to it is cheaper than the select.
		select {
		case m.ack <- struct{}{}:
		default:
			select {
			case m.ack <- struct{}{}:
			case <-m.quit:
			}
		}
	}
}

// drain skips the remaining items.
func (m *FetchMessageData) drain() {
	for m.Next() != nil {
	}
}

// Collect reads all items into a FetchMessageBuffer.
func (m *FetchMessageData) Collect() (*FetchMessageBuffer, error) {
	buf := &FetchMessageBuffer{Seq: m.Seq}
	for item := m.Next(); item != nil; item = m.Next() {
		if err := buf.add(item); err != nil {
			m.drain()
			return nil, err
		}
	}
	return buf, nil
}

// Next returns the next message, or nil when the command is done; then
// Close reports its result.
func (f *FetchCommand) Next() *FetchMessageData {
	if f.cur != nil {
		f.cur.drain()
		f.cur = nil
	}
	select {
	case m, ok := <-f.msgs:
		if !ok {
			return nil
		}
		f.cur = m
		return m
	case <-f.ctx.Done():
		f.err = f.ctx.Err()
		return nil
	}
}

// Close drains the command and returns its result. When the context
// ended first, the server is given Options.CancelTimeout to finish the
// response (what arrives meanwhile is skipped), and the connection is
// closed if it does not, since IMAP cannot abort a FETCH otherwise.
func (f *FetchCommand) Close() error {
	if f.cur != nil {
		f.cur.drain()
		f.cur = nil
	}
	for m := range f.msgs {
		m.drain()
	}
	if f.err != nil {
		return f.err
	}
	if f.cmd == nil {
		return ErrClosed
	}
	_, err := f.c.wait(context.WithoutCancel(f.ctx), f.cmd)
	if err == nil {
		err = f.ctx.Err()
	}
	return err
}

// Collect reads every message into memory.
func (f *FetchCommand) Collect() ([]*FetchMessageBuffer, error) {
	var out []*FetchMessageBuffer
	for m := f.Next(); m != nil; m = f.Next() {
		buf, err := m.Collect()
		if err != nil {
			f.Close()
			return nil, err
		}
		out = append(out, buf)
	}
	return out, f.Close()
}

// Fetch retrieves data of the messages in seqs (RFC 3501 section 6.4.5).
func (c *Client) Fetch(ctx context.Context, seqs SeqSet, opts *FetchOptions) *FetchCommand {
	return c.fetch(ctx, VerbFETCH, seqs, func(w *wire.Writer) { writeFetchOptions(w, opts) })
}

// UIDFetch is Fetch by UID (RFC 3501 section 6.4.8); the server includes
// UID in every response.
func (c *Client) UIDFetch(ctx context.Context, uids SeqSet, opts *FetchOptions) *FetchCommand {
	return c.fetch(ctx, VerbUIDFETCH, uids, func(w *wire.Writer) { writeFetchOptions(w, opts) })
}

// StoreFlagsOp is how STORE changes flags (RFC 3501 section 6.4.6).
type StoreFlagsOp int

// Store operations: FLAGS, +FLAGS and -FLAGS.
const (
	StoreFlagsSet StoreFlagsOp = iota
	StoreFlagsAdd
	StoreFlagsDel
)

// StoreFlags is a STORE's flag change.
type StoreFlags struct {
	Op     StoreFlagsOp
	Silent bool // .SILENT: no FETCH responses
	Flags  []Flag
}

// StoreOptions hold STORE modifiers: UNCHANGEDSINCE (RFC 7162 section
// 3.1.3); messages changed since are reported by the MODIFIED code of the
// error.
type StoreOptions struct {
	UnchangedSince uint64
}

// Store changes flags of the messages in seqs (RFC 3501 section 6.4.6);
// the FETCH responses with the new flags come through the returned
// command.
func (c *Client) Store(ctx context.Context, seqs SeqSet, flags *StoreFlags, opts *StoreOptions) *FetchCommand {
	return c.fetch(ctx, VerbSTORE, seqs, func(w *wire.Writer) { writeStore(w, flags, opts) })
}

// UIDStore is Store by UID (RFC 3501 section 6.4.8).
func (c *Client) UIDStore(ctx context.Context, uids SeqSet, flags *StoreFlags, opts *StoreOptions) *FetchCommand {
	return c.fetch(ctx, VerbUIDSTORE, uids, func(w *wire.Writer) { writeStore(w, flags, opts) })
}

func writeStore(w *wire.Writer, flags *StoreFlags, opts *StoreOptions) {
	if opts != nil && opts.UnchangedSince > 0 {
		w.Raw("(UNCHANGEDSINCE ").Number64(opts.UnchangedSince).Raw(") ")
	}
	item := []string{"FLAGS", "+FLAGS", "-FLAGS"}[flags.Op]
	if flags.Silent {
		item += ".SILENT"
	}
	w.Raw(item).SP()
	writeFlagList(w, flags.Flags)
}

func (c *Client) fetch(ctx context.Context, v Verb, set SeqSet, args func(*wire.Writer)) *FetchCommand {
	f := &FetchCommand{c: c, ctx: ctx, msgs: make(chan *FetchMessageData, 32), ack: make(chan struct{})}
	err := checkSet(set)
	var cmd *command
	if err == nil {
		cmd, err = c.begin(ctx, v, func(u *untagged) (bool, error) {
			if u.Name != "FETCH" {
				return false, nil
			}
			return true, f.deliver(u)
		})
	}
	if err != nil {
		f.err = err
		close(f.msgs)
		return f
	}
	f.cmd = cmd
	stop := c.watchCancel(ctx, cmd)
	// Closing msgs when the tagged response arrives needs a hook on the
	// reading goroutine; the command's done channel is it.
	go func() {
		select {
		case <-cmd.done:
		case <-c.closed:
		}
		stop()
		close(f.msgs)
	}()
	c.w.SP().Raw(set.String()).SP()
	args(c.w)
	if err := c.end(cmd); err != nil {
		f.err = err
	}
	return f
}

// deliver runs on the reading goroutine: it hands a message to the
// caller and streams its items, waiting while the caller reads a literal.
func (f *FetchCommand) deliver(u *untagged) error {
	m := &FetchMessageData{Seq: u.Num, items: make(chan FetchItemData, 16), ack: f.ack, quit: f.c.quit}
	if !f.send(m) {
		return readFetchItems(u.r, func(FetchItemData) error { return nil })
	}
	err := readFetchItems(u.r, func(item FetchItemData) error {
		if f.ctx.Err() != nil {
			return nil // cancelled: skip, Close drains
		}
		streamed := false
		switch it := item.(type) {
		case FetchItemDataBodySection:
			streamed = it.Literal != nil && !isInMemory(it.Literal)
		case FetchItemDataBinarySection:
			streamed = it.Literal != nil && !isInMemory(it.Literal)
		}
		// Most items find room in the buffer: a plain non-blocking send
		// is much cheaper than the three-way select.
		select {
		case m.items <- item:
		default:
			select {
			case m.items <- item:
			case <-f.ctx.Done():
				return nil
			case <-f.c.quit:
				return ErrClosed
			}
		}
		if streamed {
			// The caller owns the connection until it acks; not even a
			// cancelled context may take it back while it reads.
			select {
			case <-m.ack:
			case <-f.c.quit:
				return ErrClosed
			}
		}
		return nil
	})
	close(m.items)
	return err
}

func (f *FetchCommand) send(m *FetchMessageData) bool {
	if f.ctx.Err() != nil {
		return false
	}
	select {
	case f.msgs <- m: // room in the buffer: no select needed
		return true
	default:
	}
	select {
	case f.msgs <- m:
		return true
	case <-f.ctx.Done():
		return false
	case <-f.c.quit:
		return false
	}
}

// isInMemory tells a quoted string's reader from a literal on the wire.
func isInMemory(r io.Reader) bool {
	_, ok := r.(*strings.Reader)
	return ok
}
