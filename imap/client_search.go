package imap

import (
	"context"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// Search finds messages (RFC 3501 section 6.4.4); with options it uses
// ESEARCH (RFC 4731) and SEARCHRES (RFC 5182). SearchSeq ranges over
// the numbers of a search without options.
func (c *Client) Search(ctx context.Context, criteria *SearchCriteria, opts *SearchOptions) (*SearchData, error) {
	return c.search(ctx, VerbSEARCH, criteria, opts)
}

// UIDSearch is Search returning UIDs (RFC 3501 section 6.4.8).
func (c *Client) UIDSearch(ctx context.Context, criteria *SearchCriteria, opts *SearchOptions) (*SearchData, error) {
	return c.search(ctx, VerbUIDSEARCH, criteria, opts)
}

func (c *Client) search(ctx context.Context, v Verb, criteria *SearchCriteria, opts *SearchOptions) (*SearchData, error) {
	data := &SearchData{UID: v == VerbUIDSEARCH}
	var tag string
	cmd, err := c.begin(ctx, v, func(u *untagged) (bool, error) {
		switch u.Name {
		case "SEARCH":
			d, err := readSearchResponse(u.r)
			if err == nil {
				data.All.Ranges = append(data.All.Ranges, d.All.Ranges...)
				data.ModSeq = max(data.ModSeq, d.ModSeq)
			}
			return true, err
		case "ESEARCH":
			t, d, err := readESearchResponse(u.r)
			if err == nil && (t == "" || t == tag) {
				d.UID = data.UID
				*data = *d
			}
			return true, err
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	tag = cmd.tag
	c.w.SP()
	writeSearchReturn(c.w, opts)
	if needsCharset(criteria) {
		c.w.Raw("CHARSET UTF-8 ")
	}
	writeSearchCriteria(c.w, criteria)
	if err := c.end(cmd); err != nil {
		return nil, err
	}
	if _, err := c.wait(ctx, cmd); err != nil {
		return nil, err
	}
	if opts.any() && data.Count == 0 && len(data.All.Ranges) > 0 {
		data.Count = uint32(len(data.Nums()))
	}
	return data, nil
}

// needsCharset reports whether criteria hold non-ASCII text, which needs
// CHARSET UTF-8 (RFC 3501 section 6.4.4).
func needsCharset(c *SearchCriteria) bool {
	if c == nil {
		return false
	}
	texts := append(append([]string{}, c.Body...), c.Text...)
	for _, h := range c.Header {
		texts = append(texts, h.Value)
	}
	for _, t := range texts {
		for i := 0; i < len(t); i++ {
			if t[i] >= 0x80 {
				return true
			}
		}
	}
	for i := range c.Not {
		if needsCharset(&c.Not[i]) {
			return true
		}
	}
	for i := range c.Or {
		if needsCharset(&c.Or[i][0]) || needsCharset(&c.Or[i][1]) {
			return true
		}
	}
	return false
}

// SortKey is a sort criterion of RFC 5256 section 3.
type SortKey string

// Sort keys.
const (
	SortArrival SortKey = "ARRIVAL"
	SortCc      SortKey = "CC"
	SortDate    SortKey = "DATE"
	SortFrom    SortKey = "FROM"
	SortSize    SortKey = "SIZE"
	SortSubject SortKey = "SUBJECT"
	SortTo      SortKey = "TO"
)

// SortCriterion is one key, optionally reversed.
type SortCriterion struct {
	Key     SortKey
	Reverse bool
}

// Sort returns the numbers of matching messages in the requested order
// (RFC 5256 section 3); uid selects UID SORT.
func (c *Client) Sort(ctx context.Context, uid bool, keys []SortCriterion, criteria *SearchCriteria) ([]uint32, error) {
	v := VerbSORT
	if uid {
		v = VerbUIDSORT
	}
	var nums []uint32
	_, err := c.run(ctx, v, func(w *wire.Writer) {
		w.Open()
		for i, k := range keys {
			w.Sep(i)
			if k.Reverse {
				w.Raw("REVERSE ")
			}
			w.Atom(string(k.Key))
		}
		w.Raw(") UTF-8 ")
		writeSearchCriteria(w, criteria)
	}, func(u *untagged) (bool, error) {
		if u.Name != "SORT" {
			return false, nil
		}
		for u.r.Accept(' ') {
			n, err := u.r.Number()
			if err != nil {
				return true, err
			}
			nums = append(nums, n)
		}
		return true, u.r.CRLF()
	})
	return nums, err
}

// Thread is one node of a THREAD response (RFC 5256 section 4): a message
// (Num 0 for a missing parent) and its replies.
type Thread struct {
	Num      uint32
	Children []*Thread
}

// ThreadAlgorithm names a threading algorithm (RFC 5256 section 3).
type ThreadAlgorithm string

// Threading algorithms.
const (
	ThreadOrderedSubject ThreadAlgorithm = "ORDEREDSUBJECT"
	ThreadReferences     ThreadAlgorithm = "REFERENCES"
)

// Thread returns the messages matching criteria as threads (RFC 5256
// section 3); uid selects UID THREAD.
func (c *Client) Thread(ctx context.Context, uid bool, alg ThreadAlgorithm, criteria *SearchCriteria) ([]*Thread, error) {
	v := VerbTHREAD
	if uid {
		v = VerbUIDTHREAD
	}
	var threads []*Thread
	_, err := c.run(ctx, v, func(w *wire.Writer) {
		w.Atom(string(alg)).Raw(" UTF-8 ")
		writeSearchCriteria(w, criteria)
	}, func(u *untagged) (bool, error) {
		if u.Name != "THREAD" {
			return false, nil
		}
		for u.r.Accept(' ') {
			for {
				b, _ := u.r.Peek()
				if b != '(' {
					break
				}
				t, err := readThread(u.r)
				if err != nil {
					return true, err
				}
				threads = append(threads, t)
			}
		}
		return true, u.r.CRLF()
	})
	return threads, err
}

// readThread reads thread-list (RFC 5256 section 4): "(" (thread-members
// / thread-nested) ")", where members are numbers separated by spaces,
// then nested lists for branches.
func readThread(r *wire.Reader) (*Thread, error) {
	root := &Thread{}
	cur := root
	first := true
	err := r.ListNoSP(func() error {
		r.Accept(' ')
		b, err := r.Peek()
		if err != nil {
			return err
		}
		if b == '(' {
			child, err := readThread(r)
			if err != nil {
				return err
			}
			cur.Children = append(cur.Children, child)
			return nil
		}
		n, err := r.Number()
		if err != nil {
			return err
		}
		if first {
			root.Num, first = n, false
			return nil
		}
		next := &Thread{Num: n}
		cur.Children = append(cur.Children, next)
		cur = next
		return nil
	})
	if first && len(root.Children) > 0 {
		return root, err // a thread whose parent is missing: "((1)(2))"
	}
	return root, err
}

// CopyData is the COPYUID result of COPY and MOVE (RFC 4315 section 3).
type CopyData struct {
	UIDValidity     uint32
	SourceUIDs      SeqSet
	DestinationUIDs SeqSet
}

// Copy copies messages to a mailbox (RFC 3501 section 6.4.7); with UIDPLUS
// the result maps source to destination UIDs.
func (c *Client) Copy(ctx context.Context, seqs SeqSet, mailbox string) (*CopyData, error) {
	return c.copyMove(ctx, VerbCOPY, seqs, mailbox)
}

// UIDCopy is Copy by UID.
func (c *Client) UIDCopy(ctx context.Context, uids SeqSet, mailbox string) (*CopyData, error) {
	return c.copyMove(ctx, VerbUIDCOPY, uids, mailbox)
}

// Move moves messages to a mailbox (RFC 6851 section 3.1).
func (c *Client) Move(ctx context.Context, seqs SeqSet, mailbox string) (*CopyData, error) {
	return c.copyMove(ctx, VerbMOVE, seqs, mailbox)
}

// UIDMove is Move by UID.
func (c *Client) UIDMove(ctx context.Context, uids SeqSet, mailbox string) (*CopyData, error) {
	return c.copyMove(ctx, VerbUIDMOVE, uids, mailbox)
}

func (c *Client) copyMove(ctx context.Context, v Verb, set SeqSet, mailbox string) (*CopyData, error) {
	if err := checkSet(set); err != nil {
		return nil, err
	}
	if err := checkMailbox(mailbox); err != nil {
		return nil, err
	}
	data := new(CopyData)
	resp, err := c.run(ctx, v, func(w *wire.Writer) {
		w.Raw(set.String()).SP()
		writeMailbox(w, mailbox)
	}, func(u *untagged) (bool, error) {
		// MOVE sends COPYUID in an untagged OK before the expunges
		// (RFC 6851 section 4.3).
		if u.Status != nil && u.Status.Code == CodeCopyUID {
			data.UIDValidity, data.SourceUIDs, data.DestinationUIDs, _ = u.Status.CopyUID()
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if v, src, dst, ok := resp.CopyUID(); ok {
		data.UIDValidity, data.SourceUIDs, data.DestinationUIDs = v, src, dst
	}
	return data, nil
}
