package maildir

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/mailwire/mailwire/message"
)

// API DRAFT (session 7): the signatures and doc comments below are the
// contract the IMAP and POP3 adapters are written against; the bodies are
// filled in by the store's implementation. Nothing here lands on main
// with a panic in it.

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
type Store struct{}

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
func OpenStore(root string, opts *StoreOptions) (*Store, error) { panic("draft") }

// Root is the Maildir root.
func (s *Store) Root() string { panic("draft") }

// Close stops the store's pollers; Watchers see their channel closed.
func (s *Store) Close() error { panic("draft") }

// FolderInfo is one folder as Folders lists it.
type FolderInfo struct {
	Folder
	// SpecialUse is the RFC 6154 attribute given at CreateFolder
	// ("\\Sent", "\\Trash" ...), or "".
	SpecialUse string
	// Subscribed reports the name in the subscriptions file.
	Subscribed bool
}

// Folders lists the folders (ListFolders) with their special use and
// subscription; subscribed names without a folder are listed too, with
// Dir "" and NoSelect set (RFC 3501 section 6.3.9 LSUB shows them).
func (s *Store) Folders(ctx context.Context) ([]FolderInfo, error) { panic("draft") }

// CreateFolder creates a folder (see the function CreateFolder) and
// records its special use, which may be "".
func (s *Store) CreateFolder(ctx context.Context, name, specialUse string) error { panic("draft") }

// DeleteFolder deletes a folder and its messages (see the function
// DeleteFolder); sessions watching it see every message removed.
func (s *Store) DeleteFolder(ctx context.Context, name string) error { panic("draft") }

// RenameFolder renames a folder and its children (see the function
// RenameFolder). Renaming INBOX moves its messages into a new folder
// and leaves INBOX empty (RFC 3501 section 6.3.5).
func (s *Store) RenameFolder(ctx context.Context, from, to string) error { panic("draft") }

// Subscribe adds name to, or removes it from, the subscriptions.
func (s *Store) Subscribe(ctx context.Context, name string, on bool) error { panic("draft") }

// Mailbox returns the folder name ("INBOX", or a Maildir++ name with
// "." between levels, as CheckName takes it). One *Mailbox serves every
// caller in this process; it answers ErrNoMailbox for a missing folder.
func (s *Store) Mailbox(ctx context.Context, name string) (*Mailbox, error) { panic("draft") }

// LockMaildrop takes the POP3 lock of the store's INBOX, a dotlock that
// other processes see too (RFC 1939 section 8): ErrInUse while another
// session holds it. The returned function releases it; the lock is kept
// fresh while held, so a crashed holder's lock goes stale.
func (s *Store) LockMaildrop(ctx context.Context) (unlock func() error, err error) { panic("draft") }

// A Mailbox is one folder of a Store. Its methods bring the in-memory
// index up to date with the disk before they answer (a readdir of new/
// and cur/ when their modification time changed, a read of what was
// appended to dovecot-uidlist and ModSeqFile), so every process sees
// the same UIDs, flags and mod-sequences.
type Mailbox struct{}

// Name is the folder's name as Store.Mailbox took it.
func (m *Mailbox) Name() string { panic("draft") }

// Status is a folder's counts (RFC 3501 section 6.3.10, RFC 7162
// HIGHESTMODSEQ, RFC 8438 SIZE).
type Status struct {
	Messages, Unseen, Deleted uint32
	UIDNext, UIDValidity      uint32
	Size                      int64 // sum of the messages' wire sizes
	HighestModSeq             uint64
	// Keywords are the keywords defined in the folder
	// (dovecot-keywords), for IMAP's FLAGS response.
	Keywords []string
}

// Status returns the folder's counts.
func (m *Mailbox) Status(ctx context.Context) (*Status, error) { panic("draft") }

// Info is one message of a folder.
type Info struct {
	UID uint32
	// Flags are IMAP's system flags ("\\Seen", "\\Answered",
	// "\\Flagged", "\\Deleted", "\\Draft") and keywords, from the info
	// letters of the file name and dovecot-keywords. A letter without a
	// keyword in the file is not listed (it is kept on the file).
	Flags  []string
	ModSeq uint64
	// InternalDate is the file's modification time (as Dovecot takes
	// it); Size the wire size (RFC822.SIZE).
	InternalDate time.Time
	Size         int64
	// POP3UIDL is the P field of the message's dovecot-uidlist record,
	// "" when Dovecot did not set one.
	POP3UIDL string
}

// Messages returns every message of the folder, ascending by UID.
func (m *Mailbox) Messages(ctx context.Context) ([]Info, error) { panic("draft") }

// Lookup returns the messages among uids (ascending) that still exist.
func (m *Mailbox) Lookup(ctx context.Context, uids []uint32) ([]Info, error) { panic("draft") }

// Append stores the message read from r with flags and internal date
// (now when zero) and returns the folder's UIDVALIDITY and the message's
// UID (RFC 4315 APPENDUID). It reads r to its end and stores nothing when
// r fails. The message is on disk (synced) and in dovecot-uidlist when
// Append returns; every Watcher is told.
func (m *Mailbox) Append(ctx context.Context, r io.Reader, flags []string, date time.Time) (uidValidity, uid uint32, err error) {
	panic("draft")
}

// Open returns the message's wire form for reading at any offset
// (ErrExpunged when it is gone). The caller closes it.
func (m *Mailbox) Open(ctx context.Context, uid uint32) (*Message, error) { panic("draft") }

// Structure returns the message's parsed MIME structure, from memory,
// from CacheFile, or parsed once and then cached in both.
func (m *Mailbox) Structure(ctx context.Context, uid uint32) (*message.Structure, error) {
	panic("draft")
}

// FlagOp is how SetFlags changes flags (RFC 3501 section 6.4.6).
type FlagOp int

// The FlagOps.
const (
	FlagsReplace FlagOp = iota // FLAGS
	FlagsAdd                   // +FLAGS
	FlagsRemove                // -FLAGS
)

// SetFlags changes the flags of the messages among uids and returns the
// messages whose flags or mod-sequence changed, with their new state.
// A message whose mod-sequence is above unchangedSince (when not 0) is
// left alone and returned in failed (RFC 7162 section 3.1.3
// UNCHANGEDSINCE, [MODIFIED]). A keyword beyond the 26 letters of the
// info answers ErrKeywordsFull. origin, when not nil, is the Watcher of
// the caller, which is not told of the change.
func (m *Mailbox) SetFlags(ctx context.Context, origin *Watcher, uids []uint32, op FlagOp, flags []string, unchangedSince uint64) (changed []Info, failed []uint32, err error) {
	panic("draft")
}

// Remove deletes the messages among uids (whatever their flags: the
// IMAP adapter passes those with \Deleted) and returns the UIDs removed.
// Every Watcher but origin is told.
func (m *Mailbox) Remove(ctx context.Context, origin *Watcher, uids []uint32) ([]uint32, error) {
	panic("draft")
}

// Copy copies the messages among uids into dest with their flags and
// internal dates (a hard link where the file system allows) and returns
// dest's UIDVALIDITY and the new UIDs in the order of uids (RFC 4315
// COPYUID).
func (m *Mailbox) Copy(ctx context.Context, uids []uint32, dest *Mailbox) (uidValidity uint32, newUIDs []uint32, err error) {
	panic("draft")
}

// Move is Copy followed by Remove of the sources (RFC 6851); a crash in
// between leaves the message in both folders, never in neither.
func (m *Mailbox) Move(ctx context.Context, origin *Watcher, uids []uint32, dest *Mailbox) (uidValidity uint32, newUIDs []uint32, err error) {
	panic("draft")
}

// ChangedSince returns the messages whose mod-sequence is above modseq
// and the UIDs expunged since then, for CONDSTORE's CHANGEDSINCE and
// QRESYNC's VANISHED (EARLIER) (RFC 7162 sections 3.1.4.1 and 3.2.5.1).
func (m *Mailbox) ChangedSince(ctx context.Context, modseq uint64) (changed []Info, vanished []uint32, err error) {
	panic("draft")
}

// ChangeKind is the kind of a Change.
type ChangeKind int

// The ChangeKinds.
const (
	Added   ChangeKind = iota + 1 // a message was added
	Removed                       // a message was removed
	Changed                       // a message's flags changed
)

// A Change is one change of a watched folder.
type Change struct {
	Kind ChangeKind
	Info // UID always; for Added and Changed the message's new state
}

// Watch starts watching the folder: the returned Watcher collects every
// change from now on (made in this process through another Watcher or
// none, or found on disk), so that an IMAP session selected on it
// reports them (RFC 3501 section 7, RFC 2177 IDLE). The caller closes it.
func (m *Mailbox) Watch() *Watcher { panic("draft") }

// A Watcher is one observer of a Mailbox.
type Watcher struct{}

// Changes returns the changes since the last call, oldest first.
func (w *Watcher) Changes() []Change { panic("draft") }

// Notify returns a channel that receives a value when Changes has
// something new.
func (w *Watcher) Notify() <-chan struct{} { panic("draft") }

// Close stops the watch.
func (w *Watcher) Close() error { panic("draft") }

// Stores are the Stores of many users, each opened once in the process
// and shared by every caller, so that the IMAP and POP3 adapters given
// the same Stores tell each other's sessions of a change at once, and
// an MDA delivering through it wakes IDLE sessions without waiting for
// a poll.
type Stores struct {
	// Path returns the Maildir root of a user, such as
	// filepath.Join(dir, user, "Maildir") (Dovecot's mail_location =
	// maildir:~/Maildir). It must not be nil.
	Path func(user string) string
	// Options are given to OpenStore.
	Options *StoreOptions
}

// Open returns the Store of user, opening it on first use.
func (t *Stores) Open(user string) (*Store, error) { panic("draft") }

// Close closes every Store opened.
func (t *Stores) Close() error { panic("draft") }
