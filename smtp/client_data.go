package smtp

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/mailwire/mailwire/internal/debugtrace"
	"github.com/mailwire/mailwire/internal/dotstream"
)

// bdatChunkSize is how much Bdat buffers before it sends a chunk: large
// enough that the wait for each chunk's reply costs little, small enough to
// keep a client's memory modest.
const bdatChunkSize = 128 << 10

// errWriterClosed is returned by a DataWriter used after Close.
var errWriterClosed = errors.New("smtp: DataWriter used after Close")

// DataWriter is the message of a transaction on its way to the server,
// returned by Data, LMTPData and Bdat. Write sends message octets; Close
// ends the message and returns the server's verdict. Until Close returns,
// the Client sends nothing else. The context given to Data or Bdat governs
// every Write and the Close.
type DataWriter struct {
	c       *Client
	dot     *dotstream.Writer // DATA: stuffs dots, checks line ends
	chunk   []byte            // BDAT: octets not sent yet
	size    int64             // octets written, for the debug trace
	replies []*Reply
	err     error
	closed  bool
}

// Data sends DATA (RFC 5321 4.1.1.4) and, once the server answered 354,
// returns the writer for the message. Write dot-stuffs (RFC 5321 4.5.2);
// a bare CR or LF fails the Write and closes the connection without the
// terminator, so the server delivers nothing, unless Options.NormalizeNewlines is
// set. Close sends the terminating "." and returns nil for a 250, else the
// *Reply. On an LMTP client Data behaves as LMTPData.
func (c *Client) Data(ctx context.Context) (*DataWriter, error) {
	if err := c.allowed(VerbDATA); err != nil {
		return nil, err
	}
	if err := c.w.Begin(ctx); err != nil {
		return nil, err
	}
	if err := c.command(VerbDATA, "DATA", CodeStartMailInput); err != nil {
		return nil, c.w.End(err)
	}
	return c.openData(true), nil
}

// LMTPData is Data for an LMTP client (RFC 2033 4.2): after the message
// the server answers once for each accepted recipient. Close returns a
// *SendError when any of them refused it; RecipientReplies gives every
// reply, in RCPT order.
func (c *Client) LMTPData(ctx context.Context) (*DataWriter, error) {
	if !c.lmtp {
		return nil, fmt.Errorf("%w: LMTPData on an SMTP client", ErrClientState)
	}
	return c.Data(ctx)
}

// Bdat starts sending the message with BDAT chunks (RFC 3030 2): Write
// buffers octets and sends them as "BDAT n" chunks; Close sends the rest
// as "BDAT n LAST" and returns the verdict like Data's Close. The octets
// are sent as they are, without dot-stuffing or line-end checks: BDAT
// frames by length, so no octet can end the message early. It needs the
// CHUNKING extension.
func (c *Client) Bdat(ctx context.Context) (*DataWriter, error) {
	if err := c.allowed(VerbBDAT); err != nil {
		return nil, err
	}
	if err := c.needExt("CHUNKING", "BDAT"); err != nil {
		return nil, err
	}
	if err := c.w.Begin(ctx); err != nil {
		return nil, err
	}
	return c.openData(false), nil
}

func (c *Client) openData(dot bool) *DataWriter {
	c.dataOpen = true
	w := &DataWriter{c: c}
	if dot {
		w.dot = dotstream.NewWriter(c.w.Writer(), c.opts.NormalizeNewlines)
	} else {
		w.chunk = make([]byte, 0, bdatChunkSize)
	}
	return w
}

// Write sends p as message data.
func (w *DataWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errWriterClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.dot != nil {
		n, err := w.dot.Write(p)
		w.size += int64(n)
		if err != nil {
			w.abort(fmt.Errorf("smtp: message not sent: %w", err))
			return n, w.err
		}
		return n, nil
	}
	written := 0
	for len(p) > 0 {
		n := copy(w.chunk[len(w.chunk):cap(w.chunk)], p)
		w.chunk = w.chunk[:len(w.chunk)+n]
		p = p[n:]
		written += n
		if len(w.chunk) == cap(w.chunk) {
			if err := w.sendChunk(false); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// abort breaks the connection before the message ended, so that the
// server sees no terminator and delivers nothing.
func (w *DataWriter) abort(err error) {
	w.err = w.c.w.Fail(err)
	w.c.dataOpen = false
	w.c.w.End(nil)
}

// sendChunk sends the buffered octets as one BDAT chunk (RFC 3030 2). A
// refused chunk fails the transaction: no other chunk may follow. The
// reply to LAST is the verdict on the message, which Close reads.
func (w *DataWriter) sendChunk(last bool) error {
	c := w.c
	line := "BDAT " + strconv.Itoa(len(w.chunk))
	if last {
		line += " LAST"
	}
	c.w.WriteLine(line)
	c.traceData(int64(len(w.chunk)))
	c.w.Writer().Write(w.chunk)
	w.size += int64(len(w.chunk))
	w.chunk = w.chunk[:0]
	if err := c.w.Flush(); err != nil {
		w.err = err
		return err
	}
	if last {
		return nil
	}
	r, err := c.read()
	if err == nil {
		err = c.answered(VerbBDAT, r, CodeOK)
	}
	if err != nil {
		w.err = err
	}
	return err
}

// traceData notes message octets in the debug trace without their content.
func (c *Client) traceData(n int64) {
	debugtrace.Octets(c.opts.Debug, debugtrace.Client, n)
}

// Close ends the message and returns the server's verdict: nil when it
// was accepted, else the *Reply (a *SendError on LMTP when some recipients
// refused it). The transaction is over either way (RFC 5321 4.1.1.4).
func (w *DataWriter) Close() error {
	if w.closed {
		return errWriterClosed
	}
	w.closed = true
	c := w.c
	if c.dataOpen && c.w.Err() == nil && w.err != nil {
		// A BDAT chunk was refused: the transaction failed (RFC 3030 2);
		// RSET brings the server back in step.
		return c.w.End(w.finishRefused())
	}
	if c.w.Err() != nil {
		c.w.End(nil)
		c.dataOpen = false
		if w.err != nil {
			return w.err
		}
		return c.w.Err()
	}
	if w.dot != nil {
		if err := w.dot.Close(); err != nil {
			w.abort(fmt.Errorf("smtp: message not sent: %w", err))
			return w.err
		}
		c.traceData(w.size)
		debugtrace.Line(c.opts.Debug, debugtrace.Client, ".")
		if err := c.w.Flush(); err != nil {
			return w.done(err)
		}
	} else if err := w.sendChunk(true); err != nil {
		return w.done(err)
	}
	return w.done(w.readVerdict())
}

// finishRefused sends RSET after a refused BDAT chunk and returns the
// refusal.
func (w *DataWriter) finishRefused() error {
	w.c.dataOpen = false
	if err := w.c.rset(); err != nil {
		return err
	}
	return w.err
}

// done ends the transaction and the call: the message ended, whatever the
// verdict (RFC 5321 4.1.1.4).
func (w *DataWriter) done(err error) error {
	c := w.c
	c.dataOpen = false
	c.transition(w.verb(), OutcomeMessageEnded)
	c.endTransaction()
	return c.w.End(err)
}

// verb is the command that carries the message.
func (w *DataWriter) verb() Verb {
	if w.dot != nil {
		return VerbDATA
	}
	return VerbBDAT
}

// readVerdict reads the reply to the end of the message: one for SMTP, one
// per accepted recipient for LMTP (RFC 2033 4.2).
func (w *DataWriter) readVerdict() error {
	c := w.c
	n := 1
	if c.lmtp {
		n = len(c.accepted)
	}
	var failed []*RecipientError
	for i := 0; i < n; i++ {
		r, err := c.read()
		if err != nil {
			return err
		}
		w.replies = append(w.replies, r)
		if r.Code != CodeOK {
			if !c.lmtp {
				return r
			}
			failed = append(failed, &RecipientError{Recipient: c.accepted[i], Reply: r})
		}
	}
	if failed != nil {
		return &SendError{Failed: failed, Delivered: n - len(failed)}
	}
	return nil
}

// RecipientReplies returns, after Close, the replies to the end of the
// message: for LMTP one per accepted recipient in RCPT order (RFC 2033
// 4.2), for SMTP the single final reply.
func (w *DataWriter) RecipientReplies() []*Reply { return w.replies }

// Reply returns, after Close, the last reply to the end of the message,
// whose text often names the server's queue ID, or nil.
func (w *DataWriter) Reply() *Reply {
	if len(w.replies) == 0 {
		return nil
	}
	return w.replies[len(w.replies)-1]
}
