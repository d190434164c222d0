package imap

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// AppendOptions are APPEND's optional arguments (RFC 3501 section 6.3.11).
type AppendOptions struct {
	Flags []Flag
	Time  time.Time // internal date; zero lets the server choose
	// Binary sends the message as literal8 (RFC 3516 section 4.4), for
	// messages with NUL bytes; the server must have BINARY.
	Binary bool
}

// AppendData is APPEND's APPENDUID result (RFC 4315 section 3); zero
// without UIDPLUS.
type AppendData struct {
	UIDValidity uint32
	UID         uint32
}

// Append adds a message of size bytes read from r to mailbox (RFC 3501
// section 6.3.11). The message streams from r to the connection: it is
// never held in memory. With LITERAL+ it is sent without waiting for the
// server's continuation (RFC 7888).
func (c *Client) Append(ctx context.Context, mailbox string, size int64, r io.Reader, opts *AppendOptions) (*AppendData, error) {
	if err := checkMailbox(mailbox); err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, fmt.Errorf("%w: message size %d", ErrInvalidArgument, size)
	}
	resp, err := c.run(ctx, VerbAPPEND, func(w *wire.Writer) {
		writeMailbox(w, mailbox)
		if opts != nil && opts.Flags != nil {
			w.SP()
			writeFlagList(w, opts.Flags)
		}
		if opts != nil && !opts.Time.IsZero() {
			w.SP()
			writeDateTime(w, opts.Time)
		}
		w.SP().Literal(r, size, opts != nil && opts.Binary)
	}, nil)
	if err != nil {
		return nil, err
	}
	data := new(AppendData)
	if v, uids, ok := resp.AppendUID(); ok {
		data.UIDValidity = v
		if nums, ok := uids.Nums(); ok && len(nums) == 1 {
			data.UID = nums[0]
		}
	}
	return data, nil
}
