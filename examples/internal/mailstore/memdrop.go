package mailstore

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/pop3"
)

// memDrop is a POP3 session's view of an in-memory INBOX, fixed at login.
type memDrop struct {
	u        imap.User
	validity uint32
	msgs     []imapmem.Message
	sizes    []int64 // POP3 sizes of msgs, from the store's sizeCache
	release  func()
}

func (d *memDrop) Messages(context.Context) ([]pop3.MessageInfo, error) {
	out := make([]pop3.MessageInfo, len(d.msgs))
	for i, m := range d.msgs {
		out[i] = pop3.MessageInfo{Size: d.sizes[i], UID: uidl(d.validity, m.UID)}
	}
	return out, nil
}

func (d *memDrop) Open(_ context.Context, n int) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(d.msgs[n-1].Data)), nil
}

// Delete flags the messages \Deleted and expunges exactly those UIDs
// (RFC 4315 UID EXPUNGE semantics), so every IMAP session with the INBOX
// selected is told EXPUNGE. The INBOX is opened read-only, as POP3 only
// reads and deletes; imapmem's handles accept Store and Expunge either
// way, only the IMAP server refuses them on EXAMINE.
func (d *memDrop) Delete(ctx context.Context, numbers []int) error {
	mb, _, err := d.u.Open(ctx, imap.Inbox, true)
	if err != nil {
		return err
	}
	defer mb.Close(ctx)
	uids := make([]uint32, len(numbers))
	for i, n := range numbers {
		uids[i] = d.msgs[n-1].UID
	}
	if _, err := mb.Store(ctx, uids, imap.StoreFlagsAdd, []imap.Flag{imap.FlagDeleted}); err != nil {
		return err
	}
	_, err = mb.Expunge(ctx, uids)
	return err
}

func (d *memDrop) Close(ctx context.Context) error {
	d.release()
	return d.u.Logout(ctx)
}

// uidl is the POP3 unique-id of a message (RFC 1939 section 7): the
// IMAP UID and UIDVALIDITY together never name another message of the
// mailbox (RFC 3501 section 2.3.1.1). It is Dovecot's default
// pop3_uidl_format "%08Xu%08Xv", the form the Maildir store gives too.
func uidl(validity, uid uint32) string {
	return fmt.Sprintf("%08x%08x", uid, validity)
}

// crlfSize is the size of data once every bare LF is sent as CRLF, which
// is what POP3 LIST must report (RFC 1939 section 5).
func crlfSize(data []byte) int64 {
	return int64(len(data) + bytes.Count(data, []byte{'\n'}) - bytes.Count(data, []byte("\r\n")))
}
