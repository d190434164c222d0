package maildir

import (
	"container/list"
	"log/slog"
	"os"
	"sync"

	"github.com/mailwire/mailwire/message"
)

// cache is a folder's CacheFile and the structures kept in memory: the
// most recently used CacheSize of them. The file's index (base name to
// record) is read only when a refresh meets messages it has not seen
// and dropped after it, so memory holds one offset per message, in its
// entry, not the index.
type cache struct {
	path string
	size int
	log  *slog.Logger

	mu      sync.Mutex
	lru     *list.List               // of *cached, most recent first
	items   map[string]*list.Element // by base name
	index   map[string]cacheRec      // nil when not loaded
	read    int64                    // offset of the file read so far
	records int                      // records read from the file
	pending []byte                   // records putMeta queued for flush
	// file is CacheFile kept open for reading records, so that a FETCH
	// of thousands of structures does not open it thousands of times;
	// nil until the first read, and again after a compaction replaced
	// the file or a read through it failed.
	file *os.File
}

type cached struct {
	base string
	st   *message.Structure
}

func newCache(path string, size int, log *slog.Logger) *cache {
	return &cache{path: path, size: size, log: log, lru: list.New(), items: map[string]*list.Element{}}
}

// meta fills in the date, size and structure record of e from the
// file; false when it has none.
func (c *cache) meta(e *entry) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.index == nil {
		c.index = map[string]cacheRec{}
		data, err := readCacheTail(c.path, c.read)
		if err != nil {
			c.log.Warn("maildir: reading "+CacheFile, "path", c.path, "err", err)
		}
		c.read = readCacheRecords(data, c.read, func(r cacheRec, _ []byte) {
			c.records++
			if old, ok := c.index[r.base]; ok && old.kind == 'S' && r.kind == 'M' {
				return // a structure record outranks a later date-and-size one
			}
			c.index[r.base] = r
		})
	}
	r, ok := c.index[e.base]
	if !ok {
		return false
	}
	e.date, e.size = r.date, r.size
	if r.kind == 'S' {
		e.cacheOff = r.off
	}
	return true
}

// putMeta queues a date-and-size record of e for flush.
func (c *cache) putMeta(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := cacheRec{kind: 'M', base: e.base, date: e.date, size: e.size}
	c.pending = append(c.pending, r.encode()...)
	c.records++
}

// flush writes the queued records in one write and drops the index.
func (c *cache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index = nil
	if len(c.pending) == 0 {
		return
	}
	if _, err := appendCacheRecords(c.path, c.pending); err != nil {
		c.log.Warn("maildir: writing "+CacheFile, "path", c.path, "err", err)
	}
	c.pending = nil
}

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

// structureAt reads the structure of base from its record at off; nil
// when the record is not there or does not check out (then the message
// is parsed again).
func (c *cache) structureAt(base string, off int64) (*message.Structure, []Checkpoint) {
	r, err := c.recordAt(base, off)
	if err != nil || r.kind != 'S' {
		c.log.Warn("maildir: a bad "+CacheFile+" record", "path", c.path, "offset", off, "err", err)
		return nil, nil
	}
	st := new(message.Structure)
	if err := st.UnmarshalBinary(r.structure); err != nil {
		c.log.Warn("maildir: a bad structure in "+CacheFile, "path", c.path, "offset", off, "err", err)
		return nil, nil
	}
	c.keep(base, st)
	return st, r.checkpoints
}

// recordAt reads base's record at off through the kept-open file. A
// read that fails or finds another record opens the file again once:
// another process may have compacted it, and the open file is the old
// one.
func (c *cache) recordAt(base string, off int64) (cacheRec, error) {
	for try := 0; ; try++ {
		c.mu.Lock()
		if c.file == nil {
			f, err := os.Open(c.path)
			if err != nil {
				c.mu.Unlock()
				return cacheRec{}, err
			}
			c.file = f
		}
		f := c.file
		c.mu.Unlock()
		r, err := readCacheRecordAt(f, off)
		if err == nil && r.base == base {
			return r, nil
		}
		if err == nil {
			err = errCacheRec
		}
		c.closeFile(f)
		if try > 0 {
			return cacheRec{}, err
		}
	}
}

// closeFile closes the kept-open file if it is still f (or any, for
// nil), so that the next read opens CacheFile again.
func (c *cache) closeFile(f *os.File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.file != nil && (f == nil || c.file == f) {
		c.file.Close()
		c.file = nil
	}
}

// checkpointsAt reads the CRLF checkpoints of base from its record.
func (c *cache) checkpointsAt(base string, off int64) []Checkpoint {
	r, err := c.recordAt(base, off)
	if err != nil {
		return nil
	}
	return r.checkpoints
}

// putStructure keeps st in memory (when keep is set) and appends its
// record to the file,
// returning the record's offset (-1 when it was not written).
func (c *cache) putStructure(e *entry, cps []Checkpoint, st *message.Structure, keep bool) int64 {
	if keep {
		c.keep(e.base, st)
	}
	data, err := st.MarshalBinary()
	if err != nil {
		return -1 // too deep or large to cache: parsed again next time
	}
	r := cacheRec{kind: 'S', base: e.base, date: e.date, size: e.size, checkpoints: cps, structure: data}
	enc := r.encode()
	if len(enc) > cacheMaxRec {
		return -1
	}
	off, err := appendCacheRecords(c.path, enc)
	c.mu.Lock()
	c.records++
	c.mu.Unlock()
	if err != nil {
		c.log.Warn("maildir: writing "+CacheFile, "path", c.path, "err", err)
		return -1
	}
	return off
}

// keep puts st in the memory LRU, dropping the least recently used
// past the cache's size.
func (c *cache) keep(base string, st *message.Structure) {
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
