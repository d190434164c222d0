package maildir

import (
	"bytes"
	"context"
	"os"
	"time"
)

// cacheCompactLockStale is how long a compaction of CacheFile may hold
// its dotlock before another process takes it as stale.
const cacheCompactLockStale = 30 * time.Second

// cacheCompactMin is the number of records below which CacheFile is
// never compacted (a variable for tests).
var cacheCompactMin = 1024

// needsCompaction reports a CacheFile holding over twice as many
// records as the folder has messages (and over 1024): records of
// expunged messages, and date-and-size records a structure record
// superseded.
func (m *Mailbox) needsCompaction() bool {
	m.cache.mu.Lock()
	records := m.cache.records
	m.cache.mu.Unlock()
	return records > 2*len(m.msgs)+cacheCompactMin
}

// compactCache rewrites CacheFile with one record per message, the
// structure record where there is one, and renames it over the old
// file under its own dotlock (one compactor at a time). A record another
// process appends meanwhile may be lost, which costs a parse, no more;
// that process finds its offsets wrong (the record there is not the
// message's) and reads the new file's (reloadCacheOffsets). The caller
// holds m.mu.
func (m *Mailbox) compactCache(ctx context.Context) {
	c := m.cache
	wait, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	lock, err := Lock(wait, c.path, cacheCompactLockStale)
	if err != nil {
		return // another process compacts it
	}
	defer lock.Unlock()
	data, err := os.ReadFile(c.path)
	if err != nil {
		return
	}
	live := make(map[string]bool, len(m.msgs))
	for i := range m.msgs {
		live[m.msgs[i].base] = true
	}
	best := map[string]cacheRec{}
	raws := map[string][]byte{}
	var order []string
	readCacheRecords(data, 0, func(r cacheRec, raw []byte) {
		old, seen := best[r.base]
		if !live[r.base] || seen && old.kind == 'S' && r.kind == 'M' {
			return
		}
		if !seen {
			order = append(order, r.base)
		}
		best[r.base], raws[r.base] = r, raw
	})
	var out bytes.Buffer
	offs := make(map[string]int64, len(order))
	for _, base := range order {
		if best[base].kind == 'S' {
			offs[base] = int64(out.Len())
		}
		out.Write(raws[base])
	}
	tmp := c.path + ".tmp"
	if err := writeSynced(tmp, out.Bytes()); err != nil {
		return
	}
	defer c.closeFile(nil) // it reads the old file
	if err := os.Rename(tmp, c.path); err != nil {
		os.Remove(tmp)
		return
	}
	m.setCacheOffsets(offs, int64(out.Len()), len(order))
}

// setCacheOffsets points every entry at its structure record in the
// file as it now is. The caller holds m.mu.
func (m *Mailbox) setCacheOffsets(offs map[string]int64, read int64, records int) {
	for i := range m.msgs {
		e := &m.msgs[i]
		e.cacheOff = -1
		if off, ok := offs[e.base]; ok {
			e.cacheOff = off
		}
	}
	c := m.cache
	c.mu.Lock()
	c.index, c.read, c.records = nil, read, records
	c.mu.Unlock()
}

// reloadCacheOffsets reads CacheFile whole again and points the entries
// at their structure records: after another process compacted it, the
// offsets this one had are wrong. The caller holds m.mu.
func (m *Mailbox) reloadCacheOffsets() {
	m.cache.closeFile(nil) // the offsets are the new file's from now on
	data, err := readCacheTail(m.cache.path, 0)
	if err != nil {
		return
	}
	offs := map[string]int64{}
	records := 0
	read := readCacheRecords(data, 0, func(r cacheRec, _ []byte) {
		records++
		if r.kind == 'S' {
			offs[r.base] = r.off
		}
	})
	m.setCacheOffsets(offs, read, records)
}
