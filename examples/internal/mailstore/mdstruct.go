package mailstore

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/message/maildir"
)

// maxCachedStructures bounds the structures a Maildir store keeps in
// memory. A structure costs a few hundred bytes per MIME part (at most
// message.DefaultMaxParts of them), so the cache stays within tens of
// megabytes even when it is full of the largest messages.
const maxCachedStructures = 4096

// structCache keeps the MIME structure of Maildir messages once parsed,
// so that FETCH ENVELOPE, BODYSTRUCTURE, body sections and SEARCH do not
// read and parse a file again (imap.StructureMessage). A message file's
// content never changes (Maildir renames a file to change its flags, and
// writes a new one for new content), so the key is the folder, the
// unique part of the file name and the size. A message over the parsing
// limits, such as one another program dropped in the folder, gets its
// truncated structure cached like any other (imap.ParseStructure).
type structCache struct {
	mu      sync.Mutex
	entries map[string]*structEntry
	parses  atomic.Int64 // structures parsed, for tests
}

type structEntry struct {
	once sync.Once
	st   *message.Structure
}

// get returns the structure cached under key, parsing it with parse the
// first time; concurrent callers wait for the one parse. A parse that
// fails (a file removed meanwhile) is not cached, and nil makes the server
// parse again and report the error.
func (c *structCache) get(key string, parse func() (*message.Structure, error)) *message.Structure {
	c.mu.Lock()
	e := c.entries[key]
	if e == nil {
		if c.entries == nil {
			c.entries = make(map[string]*structEntry)
		}
		for k := range c.entries {
			if len(c.entries) < maxCachedStructures {
				break
			}
			delete(c.entries, k) // any entry: the cache only saves work
		}
		e = &structEntry{}
		c.entries[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		c.parses.Add(1)
		if st, err := parse(); err == nil {
			e.st = st
		}
	})
	if e.st == nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return e.st
}

// structKey names a message file's content: its folder, the unique part
// of its name (the flags after ":2," change) and its size.
func structKey(path string, size int64) string {
	folder := filepath.Dir(filepath.Dir(path)) // the parent of new/ or cur/
	return folder + "\x00" + maildir.ParseName(filepath.Base(path)).Base + "\x00" + strconv.FormatInt(size, 10)
}

// Structure implements imap.StructureMessage from the store's cache.
func (v *mdView) Structure() *message.Structure {
	return v.h.s.structs.get(structKey(v.path, v.size), func() (*message.Structure, error) {
		r, err := v.Open(context.Background())
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return imap.ParseStructure(r, v.size)
	})
}
