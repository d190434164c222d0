package imap

import (
	"context"
	"iter"
)

// Range-over-function iterators for the commands a caller walks through.
// They share one convention: an iter.Seq2 of values and a nil error, and,
// when the command failed, one last pair of a zero value and the error:
//
//	for m, err := range c.Fetch(ctx, seqs, opts).All() {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// A loop may stop early: the command is then finished as its Close or
// plain method would finish it, so the client is ready for the next one.

// All iterates over the command's messages as Next does, then closes the
// command and yields its error, if any. When the loop stops early, All
// closes the command all the same, which reads and skips the rest of the
// response (IMAP has no way to stop a FETCH, RFC 3501 section 6.4.5);
// calling Close afterwards returns the command's result again.
func (f *FetchCommand) All() iter.Seq2[*FetchMessageData, error] {
	return func(yield func(*FetchMessageData, error) bool) {
		for m := f.Next(); m != nil; m = f.Next() {
			if !yield(m, nil) {
				f.Close()
				return
			}
		}
		if err := f.Close(); err != nil {
			yield(nil, err)
		}
	}
}

// Items iterates over the message's items as Next does: a body section's
// Literal is valid until the next iteration. Stopping early leaves the
// rest for the command's Next, All or Close to skip.
func (m *FetchMessageData) Items() iter.Seq[FetchItemData] {
	return func(yield func(FetchItemData) bool) {
		for item := m.Next(); item != nil; item = m.Next() {
			if !yield(item) {
				return
			}
		}
	}
}

// ListSeq runs List when the loop starts and yields the mailboxes. The
// whole response is read first: with LIST-STATUS a mailbox's STATUS may
// come after its LIST response (RFC 5819 section 2), so a ListData is
// complete only at the end of the command.
func (c *Client) ListSeq(ctx context.Context, ref string, patterns []string, opts *ListOptions) iter.Seq2[*ListData, error] {
	return func(yield func(*ListData, error) bool) {
		list, err := c.List(ctx, ref, patterns, opts)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, d := range list {
			if !yield(d, nil) {
				return
			}
		}
	}
}

// SearchSeq runs Search without options when the loop starts and yields
// the message numbers found (RFC 3501 section 7.2.5) in the order the
// server sent them, walking the result's ranges rather than listing them
// in memory.
func (c *Client) SearchSeq(ctx context.Context, criteria *SearchCriteria) iter.Seq2[uint32, error] {
	return c.searchSeq(ctx, VerbSEARCH, criteria)
}

// UIDSearchSeq is SearchSeq yielding UIDs (RFC 3501 section 6.4.8).
func (c *Client) UIDSearchSeq(ctx context.Context, criteria *SearchCriteria) iter.Seq2[uint32, error] {
	return c.searchSeq(ctx, VerbUIDSEARCH, criteria)
}

func (c *Client) searchSeq(ctx context.Context, v Verb, criteria *SearchCriteria) iter.Seq2[uint32, error] {
	return func(yield func(uint32, error) bool) {
		data, err := c.search(ctx, v, criteria, nil)
		if err != nil {
			yield(0, err)
			return
		}
		for _, r := range data.All.Ranges {
			lo, hi := min(r.Start, r.Stop), max(r.Start, r.Stop)
			for n := lo; n <= hi && n != 0; n++ {
				if !yield(n, nil) {
					return
				}
			}
		}
	}
}
