package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/mailwire/mailwire/imap"
)

// listStatus is what -list asks of each mailbox (RFC 3501 section 6.3.10).
var listStatus = imap.StatusOptions{NumMessages: true, NumUnseen: true, UIDNext: true, UIDValidity: true}

// listFormat is one line of -list: the counts right-aligned under their
// headings, the name last since it has no fixed width.
const listFormat = "%8s %6s %7s %11s  %s\n"

// listMailboxes prints every mailbox of the account with its STATUS
// counts, one line each in the server's order. With LIST-STATUS (RFC
// 5819) one LIST brings the counts; without it each mailbox costs a
// STATUS. A \Noselect mailbox (RFC 3501 section 7.2.2) has no counts and
// shows "-".
func listMailboxes(ctx context.Context, o imapOptions, out io.Writer) error {
	c, err := o.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	var opts *imap.ListOptions
	if c.Supports(imap.CapListStatus) {
		opts = &imap.ListOptions{ReturnStatus: &listStatus}
	}
	boxes, err := c.List(ctx, "", []string{"*"}, opts)
	if err != nil {
		return fmt.Errorf("LIST: %w", err)
	}
	bw := bufio.NewWriter(out)
	fmt.Fprintf(bw, listFormat, "MESSAGES", "UNSEEN", "UIDNEXT", "UIDVALIDITY", "MAILBOX")
	for _, b := range boxes {
		st := b.Status
		if st == nil && !b.Has(imap.AttrNoSelect) && !b.Has(imap.AttrNonExistent) {
			if st, err = c.Status(ctx, b.Mailbox, &listStatus); err != nil {
				return fmt.Errorf("STATUS %s: %w", b.Mailbox, err)
			}
		}
		if st == nil {
			fmt.Fprintf(bw, listFormat, "-", "-", "-", "-", b.Mailbox)
			continue
		}
		fmt.Fprintf(bw, listFormat, count(st.NumMessages), count(st.NumUnseen),
			number(st.UIDNext), number(st.UIDValidity), b.Mailbox)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return c.Logout(ctx)
}

// count formats a STATUS count the server may leave out.
func count(n *uint32) string {
	if n == nil {
		return "-"
	}
	return strconv.FormatUint(uint64(*n), 10)
}

// number formats a UIDNEXT or UIDVALIDITY, zero when the server left it
// out (neither is ever zero when sent, RFC 3501 section 2.3.1.1).
func number(n uint32) string {
	if n == 0 {
		return "-"
	}
	return strconv.FormatUint(uint64(n), 10)
}
