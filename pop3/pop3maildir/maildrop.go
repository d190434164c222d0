package pop3maildir

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
)

// maildrop is one POP3 session's view of a Store's INBOX: the messages
// listed at login, numbered from 1 (RFC 1939 section 5), and the
// maildrop lock, held until Close.
type maildrop struct {
	store  *maildir.Store
	unlock func() error
	inbox  *maildir.Mailbox
	uids   []uint32 // message n is uids[n-1]
}

// Messages lists the INBOX: each message's wire size (Info.Size) and its
// UIDL (uidl).
func (d *maildrop) Messages(ctx context.Context) ([]pop3.MessageInfo, error) {
	inbox, err := d.store.Mailbox(ctx, "INBOX")
	if err != nil {
		return nil, err
	}
	validity, infos, err := listing(ctx, inbox)
	if err != nil {
		return nil, err
	}
	d.inbox = inbox
	d.uids = make([]uint32, len(infos))
	out := make([]pop3.MessageInfo, len(infos))
	for i, info := range infos {
		d.uids[i] = info.UID
		out[i] = pop3.MessageInfo{Size: info.Size, UID: uidl(info, validity)}
	}
	return out, nil
}

// listing returns the messages of inbox and the UIDVALIDITY their UIDs
// belong to. The two are read apart, so it reads the UIDVALIDITY again
// after the messages: the UIDs are those of that UIDVALIDITY only if it
// did not change between (dovecot-uidlist rebuilt by someone else).
func listing(ctx context.Context, inbox *maildir.Mailbox) (uint32, []maildir.Info, error) {
	for range 3 {
		before, err := inbox.Status(ctx)
		if err != nil {
			return 0, nil, err
		}
		infos, err := inbox.Messages(ctx)
		if err != nil {
			return 0, nil, err
		}
		after, err := inbox.Status(ctx)
		if err != nil {
			return 0, nil, err
		}
		if before.UIDValidity == after.UIDValidity {
			return after.UIDValidity, infos, nil
		}
	}
	return 0, nil, errors.New("pop3maildir: the INBOX UIDVALIDITY keeps changing")
}

// uidl is a message's unique-id listing (RFC 1939 section 7): the one
// Dovecot recorded in dovecot-uidlist, else what Dovecot's default
// pop3_uidl_format "%08Xu%08Xv" gives, the UID then the UIDVALIDITY in
// eight lower-case hexadecimal digits each (Dovecot's %X writes lower case).
func uidl(info maildir.Info, uidValidity uint32) string {
	if info.POP3UIDL != "" {
		return info.POP3UIDL
	}
	return fmt.Sprintf("%08x%08x", info.UID, uidValidity)
}

// Open streams message n in its wire form, from the file. A message
// removed since login (by an IMAP EXPUNGE, say) answers as Dovecot's
// pop3 does: "-ERR Message N expunged.".
func (d *maildrop) Open(ctx context.Context, n int) (io.ReadCloser, error) {
	msg, err := d.inbox.Open(ctx, d.uids[n-1])
	if errors.Is(err, maildir.ErrExpunged) {
		return nil, pop3.ErrResponse("", fmt.Sprintf("Message %d expunged.", n))
	}
	if err != nil {
		return nil, err
	}
	return messageReader{msg.NewReader(0, -1), msg}, nil
}

// messageReader reads a message and closes its file.
type messageReader struct {
	io.Reader
	io.Closer
}

// Delete removes the messages numbered (RFC 1939 section 6, the UPDATE
// state) in one Mailbox.Remove; those already removed by someone else
// count as removed. IMAP sessions watching the INBOX see them expunged.
// An error leaves the messages Remove had not reached yet; the client is
// told -ERR, and those it removed stay removed (files cannot be removed
// all at once).
func (d *maildrop) Delete(ctx context.Context, numbers []int) error {
	uids := make([]uint32, len(numbers))
	for i, n := range numbers {
		uids[i] = d.uids[n-1]
	}
	_, err := d.inbox.Remove(ctx, nil, uids)
	return err
}

// Close releases the maildrop lock.
func (d *maildrop) Close(context.Context) error {
	return d.unlock()
}
