package mailstore

import (
	"sync"

	"github.com/mailwire/mailwire/imap/imapmem"
)

// sizeCache remembers the POP3 size of each in-memory INBOX message
// (RFC 1939 section 5: the size as sent, with CRLF line ends), so that a
// login costs a map lookup per message instead of a scan of every
// message's bytes. A message's bytes never change under its UID (RFC
// 3501 section 2.3.1.1), so a size stays right for as long as the
// UIDVALIDITY does.
type sizeCache struct {
	mu    sync.Mutex
	users map[string]*userSizes
}

type userSizes struct {
	validity uint32
	sizes    map[uint32]int64
}

// sizes returns the POP3 sizes of msgs, in order, computing only those
// not seen before. Entries of messages no longer in the INBOX are
// dropped, so the cache holds no more than the INBOX does.
func (c *sizeCache) sizes(user string, validity uint32, msgs []imapmem.Message) []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users == nil {
		c.users = make(map[string]*userSizes)
	}
	old := c.users[user]
	if old != nil && old.validity != validity {
		old = nil
	}
	cur := &userSizes{validity: validity, sizes: make(map[uint32]int64, len(msgs))}
	out := make([]int64, len(msgs))
	for i, m := range msgs {
		size, ok := int64(0), false
		if old != nil {
			size, ok = old.sizes[m.UID]
		}
		if !ok {
			size = crlfSize(m.Data)
		}
		cur.sizes[m.UID] = size
		out[i] = size
	}
	c.users[user] = cur
	return out
}
