package maildir

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/mailwire/mailwire/message"
)

// A Store is the mail of one user kept in a Maildir++ tree, protocol
// neutral: its folders, their messages with UIDs, flags, keywords,
// internal dates and mod-sequences, and the changes made by others.
// imap/imapmaildir serves a Store over IMAP and pop3/pop3maildir over
// POP3, so that one user's mail is one Store whichever protocol reads it
// (a POP3 DELE+QUIT is an IMAP EXPUNGE).
//
// Every piece of state lives on disk in Dovecot's formats (see the
// package documentation), so that several processes, on one machine or
// over a shared file system, and Dovecot itself, serve one Maildir at
// the same time: UIDs are handed out only under the dovecot-uidlist
// dotlock, and what memory holds is a cache of the disk that each
// Mailbox brings up to date before it answers. What Dovecot keeps in
// its binary index the Store keeps in files of its own beside Dovecot's
// (ModSeqFile, CacheFile), which Dovecot ignores.
//
// A Store is safe for concurrent use by many goroutines.
type Store struct {
	root string
	opts StoreOptions // with the defaults filled in
	log  *slog.Logger

	mu      sync.Mutex
	closed  bool
	boxes   map[string]*Mailbox // by normalized name
	cleaned map[string]bool     // folders whose tmp/ was cleaned
	done    chan struct{}       // closed by Close
	wg      sync.WaitGroup      // pollers and lock touchers
}

// StoreOptions configure OpenStore. The zero value is usable.
type StoreOptions struct {
	// PollInterval is how often a watched mailbox (one with an open
	// Watcher) looks on disk for changes made outside this process: by
	// another server process, by Dovecot, or by a delivery agent
	// dropping a file in new/. 0 means DefaultPollInterval. Changes made
	// through this Store are reported at once.
	PollInterval time.Duration
	// StructureLimits bound the parse of a message for Structure; zero
	// fields mean the message package's defaults.
	StructureLimits message.Limits
	// CacheSize is how many parsed structures are kept in memory; 0
	// means DefaultCacheSize. They are also kept on disk (CacheFile),
	// so a restart reads them back instead of parsing the messages.
	CacheSize int
	// Logger receives what the store repairs or cannot read (a corrupt
	// cache record, a stale lock removed); nil discards it.
	Logger *slog.Logger
}

// Defaults of StoreOptions.
const (
	// DefaultPollInterval keeps a change made by another process
	// visible within a second (an IDLE session sees it then).
	DefaultPollInterval = 250 * time.Millisecond
	// DefaultCacheSize structures take a few megabytes.
	DefaultCacheSize = 16384
)

// Files the Store keeps beside Dovecot's in every folder.
const (
	// ModSeqFile records the mod-sequence of every change of the
	// folder (RFC 7162 section 3.1.1): HIGHESTMODSEQ, each message's
	// mod-sequence, and the UIDs expunged with the mod-sequence of their
	// expunge, so that every process gives a change the same value.
	ModSeqFile = "mailwire-modseq"
	// CacheFile holds each message's internal date, wire size, CRLF
	// checkpoints and parsed MIME structure, keyed by base name, so
	// that a restart neither stats nor parses the messages again.
	CacheFile = "mailwire-cache"
	// SpecialUseFile holds the special-use attribute (RFC 6154) given
	// to a folder at CREATE, in the Maildir root: "<name>\t<attr>" lines.
	SpecialUseFile = "mailwire-special-use"
)

// Errors of the Store.
var (
	// ErrNoMailbox reports a folder that does not exist (IMAP NO
	// [NONEXISTENT] or [TRYCREATE]).
	ErrNoMailbox = errors.New("maildir: no such mailbox")
	// ErrExpunged reports a message removed (by anyone) before it was
	// read (IMAP NO [EXPUNGEISSUED], RFC 5530).
	ErrExpunged = errors.New("maildir: message expunged")
	// ErrInUse reports a POP3 maildrop lock held by another session
	// (RFC 2449 [IN-USE]).
	ErrInUse = errors.New("maildir: maildrop in use")
	// ErrClosed reports a call on a closed Store.
	ErrClosed = errors.New("maildir: store closed")
)

// OpenStore opens the Maildir++ tree at root, creating the root Maildir
// (tmp, new, cur) when it is missing. It removes files older than
// TmpMaxAge from tmp/ of the folders it opens (CleanTmp).
func OpenStore(root string, opts *StoreOptions) (*Store, error) {
	s := &Store{root: root, boxes: map[string]*Mailbox{}, cleaned: map[string]bool{}, done: make(chan struct{})}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.PollInterval <= 0 {
		s.opts.PollInterval = DefaultPollInterval
	}
	if s.opts.CacheSize <= 0 {
		s.opts.CacheSize = DefaultCacheSize
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := Create(root); err != nil {
		return nil, err
	}
	s.cleanTmp(Inbox, root)
	return s, nil
}

// cleanTmp runs CleanTmp on a folder the first time this Store opens it.
func (s *Store) cleanTmp(name, dir string) {
	if s.cleaned[name] {
		return
	}
	s.cleaned[name] = true
	if n, err := CleanTmp(dir, TmpMaxAge, time.Now()); err != nil {
		s.log.Warn("maildir: cleaning tmp", "dir", dir, "err", err)
	} else if n > 0 {
		s.log.Info("maildir: removed old files from tmp", "dir", dir, "count", n)
	}
}

// Root is the Maildir root.
func (s *Store) Root() string { return s.root }

// Close stops the store's pollers; Watchers see their channel closed.
// It waits for the pollers and the maildrop lock's toucher to stop.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	boxes := s.boxes
	s.boxes = map[string]*Mailbox{}
	s.mu.Unlock()
	for _, m := range boxes {
		m.closeWatchers()
	}
	s.wg.Wait()
	for _, m := range boxes {
		m.cache.closeFile(nil)
	}
	return nil
}

// Mailbox returns the folder name ("INBOX", or a Maildir++ name with
// "." between levels, as CheckName takes it). One *Mailbox serves every
// caller in this process; it answers ErrNoMailbox for a missing folder.
func (s *Store) Mailbox(ctx context.Context, name string) (*Mailbox, error) {
	norm, err := checkExisting(name)
	if err != nil {
		return nil, err
	}
	dir, err := FolderPath(s.root, norm)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if m := s.boxes[norm]; m != nil && Exists(dir) && !m.isVanished() {
		return m, nil
	}
	if !Exists(dir) {
		delete(s.boxes, norm)
		return nil, ErrNoMailbox
	}
	s.cleanTmp(norm, dir)
	m := newMailbox(s, norm, dir)
	s.boxes[norm] = m
	return m, nil
}

// dropMailboxes forgets the cached Mailboxes of name and its children
// (after a delete or rename) and tells their Watchers that every
// message is gone.
func (s *Store) dropMailboxes(name string, children bool) {
	s.mu.Lock()
	var dropped []*Mailbox
	for n, m := range s.boxes {
		if n == name || children && len(n) > len(name) && n[:len(name)+1] == name+string(Separator) {
			dropped = append(dropped, m)
			delete(s.boxes, n)
		}
	}
	s.mu.Unlock()
	for _, m := range dropped {
		m.vanish()
		m.cache.closeFile(nil)
	}
}
