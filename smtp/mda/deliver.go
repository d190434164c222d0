package mda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mailwire/mailwire/smtp"
)

// software is the comment after "by" in the Received field.
const software = "mailwire"

// spooled is a message on disk while its copies are delivered.
type spooled struct {
	f    *os.File
	size int64
}

// spool streams r once to a new file in SpoolDir. An error from r (size
// limit, bare LF, the client gone) is returned as it is, so that the
// server sends the reply that belongs to it; a failure of the file is
// wrapped and gets 451 4.3.0. The file is removed again on error.
func (a *Agent) spool(r io.Reader) (*spooled, error) {
	f, err := os.CreateTemp(a.SpoolDir, "mailwire-mda-*")
	if err != nil {
		return nil, fmt.Errorf("mda: spooling the message: %w", err)
	}
	sp := &spooled{f: f}
	buf := make([]byte, 32<<10)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				sp.remove()
				return nil, fmt.Errorf("mda: spooling the message: %w", err)
			}
			sp.size += int64(n)
		}
		if rerr == io.EOF {
			return sp, nil
		}
		if rerr != nil {
			sp.remove()
			return nil, rerr
		}
	}
}

// remove closes and deletes the spool file.
func (sp *spooled) remove() {
	sp.f.Close()
	os.Remove(sp.f.Name())
}

// reader is one copy: its trace fields, then the message from the file.
// Each copy has a section reader of its own, so copies never share an
// offset.
func (sp *spooled) reader(trace string) io.Reader {
	return io.MultiReader(strings.NewReader(trace), io.NewSectionReader(sp.f, 0, sp.size))
}

// delivery is one copy of the message: a user and the forward paths of
// the transaction that reach them, in RCPT order.
type delivery struct {
	user  string
	addrs []string
}

// deliveries groups the recipients by user, in the order each user was
// first named: two addresses of one user get one copy (RFC 5321 section
// 4.4 allows one path in "for"; the copy names the first, the one address
// under which that user's mailbox was first reached in this transaction).
func (s *session) deliveries() []delivery {
	var ds []delivery
	index := make(map[string]int, len(s.rcpts))
	for _, rc := range s.rcpts {
		i, ok := index[rc.user]
		if !ok {
			i = len(ds)
			index[rc.user] = i
			ds = append(ds, delivery{user: rc.user})
		}
		ds[i].addrs = append(ds[i].addrs, rc.addr)
	}
	return ds
}

// traceFor returns the header fields that go on top of one copy: the
// Return-Path and the Received field of RFC 5321 section 4.4, the latter
// naming the copy's first address in "for". Only that user reads the
// copy, so no Bcc is revealed (section 7.6).
func (s *session) traceFor(base smtp.Trace, d delivery) string {
	base.For = d.addrs[0]
	return smtp.ReturnPath(s.from) + base.Received()
}

// baseTrace is what every copy of this message's Received field says.
func (s *session) baseTrace() smtp.Trace {
	t := smtp.TraceOf(s.c)
	t.By, t.Software, t.ID, t.Date = s.a.Domain, software, newID(), s.a.now()
	return t
}

// deliver stores one copy, its error saying which copy failed and how
// many were stored before it; errors.As still finds a *smtp.Reply in it.
func (s *session) deliver(ctx context.Context, sp *spooled, t smtp.Trace, d delivery) error {
	if err := s.a.Mailboxes.Deliver(ctx, d.user, sp.reader(s.traceFor(t, d))); err != nil {
		return fmt.Errorf("mda: delivering to %s: %w", d.user, err)
	}
	return nil
}

// Data spools the message once, then stores one copy per distinct user.
// It returns nil, and the server answers 250, only once every copy is
// stored; the first failure ends the delivery and is returned, with the
// number of copies already stored, so that nothing is acknowledged that
// was not stored.
func (s *session) Data(ctx context.Context, r io.Reader) error {
	sp, err := s.a.spool(r)
	if err != nil {
		return err
	}
	defer sp.remove()
	t := s.baseTrace()
	ds := s.deliveries()
	for i, d := range ds {
		if err := s.deliver(ctx, sp, t, d); err != nil {
			return fmt.Errorf("%w (%d of %d copies stored before)", err, i, len(ds))
		}
	}
	return nil
}

// LMTPData is Data for a server in LMTP mode (RFC 2033 section 4.2):
// every copy is tried, and a failed one is reported for the addresses of
// its user alone, so that the client retries or bounces only those.
func (s *session) LMTPData(ctx context.Context, r io.Reader, status *smtp.LMTPStatus) error {
	sp, err := s.a.spool(r)
	if err != nil {
		return err
	}
	defer sp.remove()
	t := s.baseTrace()
	for _, d := range s.deliveries() {
		if err := s.deliver(ctx, sp, t, d); err != nil {
			for _, addr := range d.addrs {
				status.Set(addr, err)
			}
		}
	}
	return nil
}

// newID is the id the Received field carries, unique enough to find one
// message in logs.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
