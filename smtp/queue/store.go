package queue

import (
	"errors"
	"io"
)

// ErrExists is returned by Store.Create and Queue.Enqueue for an ID that
// is already queued.
var ErrExists = errors.New("queue: entry exists")

// ErrNotFound is returned for an ID that is not queued.
var ErrNotFound = errors.New("queue: no such entry")

// Store keeps queue entries. Spool is the default; a database or a
// replicated store can take its place. Every method must be durable when
// it returns: the Queue calls Create before the SMTP server may answer
// 250 (RFC 5321 section 6.1), and Update before it acts on the new state.
// A Queue calls the methods of one entry one at a time.
type Store interface {
	// Create stores a new entry and its message, read from msg to EOF,
	// and sets e.Size. Either both are stored or, after a failure or a
	// crash, neither is. An existing ID gives ErrExists.
	Create(e *Entry, msg io.Reader) error
	// Update replaces the envelope of an entry, atomically.
	Update(e *Entry) error
	// Remove deletes an entry and its message.
	Remove(id string) error
	// Open returns the message of an entry.
	Open(id string) (io.ReadCloser, error)
	// List returns every stored entry, in no particular order.
	List() ([]*Entry, error)
}
