package maildir

import (
	"container/list"
	"sync"

	"github.com/mailwire/mailwire/message"
)

// cache keeps the parsed structures of a folder's messages, the most
// recently used in memory.
type cache struct {
	path string
	size int

	mu    sync.Mutex
	lru   *list.List               // of *cached, most recent first
	items map[string]*list.Element // by base name
}

type cached struct {
	base string
	st   *message.Structure
}

func newCache(path string, size int) *cache {
	return &cache{path: path, size: size, lru: list.New(), items: map[string]*list.Element{}}
}

// meta fills in the date and size of e from the cache; false when it
// has none.
func (c *cache) meta(e *entry) bool { return false }

// putMeta records the date and size of e.
func (c *cache) putMeta(e *entry) {}

// structure returns the structure of base kept in memory.
func (c *cache) structure(base string) *message.Structure {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[base]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*cached).st
	}
	return nil
}

// putStructure keeps st in memory, dropping the least recently used
// past the cache's size.
func (c *cache) putStructure(base string, st *message.Structure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[base]; ok {
		el.Value.(*cached).st = st
		c.lru.MoveToFront(el)
		return
	}
	c.items[base] = c.lru.PushFront(&cached{base: base, st: st})
	for c.lru.Len() > c.size {
		old := c.lru.Remove(c.lru.Back()).(*cached)
		delete(c.items, old.base)
	}
}
