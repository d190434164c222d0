package imap

import (
	"context"
	"io"
	"time"

	"github.com/mailwire/mailwire/message"
)

// Backend is the mail store a Server serves. It checks credentials and
// opens one User per authenticated session. It is called from many
// goroutines at once.
//
// A backend only stores messages: bytes, flags, internal date and UID.
// The server computes ENVELOPE, BODYSTRUCTURE, body sections and SEARCH
// itself, and owns each session's message sequence numbers (RFC 3501
// section 2.3.1.2); backends deal only in UIDs and change events.
//
// Every method that returns an error refuses the command: a
// *StatusResponse is sent as it is (its Tag is replaced), any other error
// is logged and the client sees NO [SERVERBUG] (RFC 5530 section 3), so
// no internal detail leaks.
type Backend interface {
	// Login checks a user name and password, from LOGIN (RFC 3501
	// section 6.2.3) or from AUTHENTICATE PLAIN or LOGIN (section
	// 6.2.2). A plain error answers NO [AUTHENTICATIONFAILED] (RFC 5530).
	Login(ctx context.Context, c *Conn, username, password string) (User, error)
}

// Delimiter is the hierarchy delimiter of mailbox names (RFC 3501 section
// 5.1.1) that the server announces and that backends receive: "a/b" is
// mailbox b inside a. The server refuses names with empty, "." or ".."
// levels, NUL or other control characters before a backend sees them, so
// a backend that maps names to paths cannot be led out of its root.
const Delimiter = '/'

// MailboxInfo describes one mailbox for LIST and LSUB (RFC 3501 sections
// 6.3.8 and 6.3.9).
type MailboxInfo struct {
	Name string // full name, levels separated by Delimiter, UTF-8
	// Attrs holds \Noselect, \Noinferiors and the special-use attributes
	// of RFC 6154 section 2 (\Sent, \Trash ...). The server adds
	// \HasChildren and \HasNoChildren (RFC 3348) itself.
	Attrs      []MailboxAttr
	Subscribed bool
}

// MailboxStatus are the counts STATUS reports (RFC 3501 section 6.3.10,
// RFC 8438 for Size). RECENT is the server's to count: it decides which
// session sees a message as \Recent, for every backend (section 2.3.2).
type MailboxStatus struct {
	Messages    uint32
	Unseen      uint32
	Deleted     uint32
	UIDNext     uint32
	UIDValidity uint32
	Size        int64 // sum of RFC822.SIZE of the messages
}

// User is the mail store of one authenticated session. Its methods are
// called from the session's goroutine, one at a time; different sessions
// of the same user call their own User values concurrently.
//
// Mailbox names are UTF-8 with Delimiter between levels; "INBOX" is
// always spelled so, whatever case the client used (RFC 3501 section 5.1).
type User interface {
	// Username is the name the session logged in with.
	Username() string
	// ListMailboxes returns every mailbox of the user; the server
	// matches LIST and LSUB patterns itself.
	ListMailboxes(ctx context.Context) ([]MailboxInfo, error)
	// CreateMailbox creates a mailbox (RFC 3501 section 6.3.3) and any
	// missing superior levels. specialUse is the attribute asked for with
	// CREATE ... (USE (...)) (RFC 6154 section 3), or "". An existing
	// name answers NO [ALREADYEXISTS].
	CreateMailbox(ctx context.Context, name string, specialUse MailboxAttr) error
	// DeleteMailbox deletes a mailbox (RFC 3501 section 6.3.4). A mailbox
	// with inferiors becomes \Noselect instead. INBOX cannot be deleted.
	DeleteMailbox(ctx context.Context, name string) error
	// RenameMailbox renames a mailbox and its inferiors (RFC 3501
	// section 6.3.5). Renaming INBOX moves its messages into a new
	// mailbox and leaves INBOX empty.
	RenameMailbox(ctx context.Context, from, to string) error
	// SetSubscribed adds the name to, or removes it from, the
	// subscriptions (RFC 3501 sections 6.3.6 and 6.3.7).
	SetSubscribed(ctx context.Context, name string, subscribed bool) error
	// Status returns a mailbox's counts without selecting it.
	Status(ctx context.Context, name string) (*MailboxStatus, error)
	// Append stores a message of size bytes read from r (RFC 3501
	// section 6.3.11) and returns the mailbox's UIDVALIDITY and the new
	// UID (RFC 4315 APPENDUID). It must read r to its end, and store
	// nothing when r fails: APPEND is atomic. A missing mailbox answers
	// NO [TRYCREATE].
	Append(ctx context.Context, name string, flags []Flag, date time.Time, r io.Reader, size int64) (uidValidity, uid uint32, err error)
	// Open opens a mailbox for SELECT (readOnly false) or EXAMINE (RFC
	// 3501 sections 6.3.1 and 6.3.2) and returns its state.
	Open(ctx context.Context, name string, readOnly bool) (Mailbox, *MailboxView, error)
	// Logout is called once when the session ends.
	Logout(ctx context.Context) error
}

// MailboxView is a mailbox's state when it is opened.
type MailboxView struct {
	UIDValidity uint32
	UIDNext     uint32
	// Flags are the flags defined in the mailbox: the system flags and
	// every keyword in use (RFC 3501 section 7.2.6).
	Flags []Flag
	// PermanentFlags are those STORE can change; FlagWildcard allows new
	// keywords (RFC 3501 section 7.1, PERMANENTFLAGS).
	PermanentFlags []Flag
	// UIDs of the messages, ascending (RFC 3501 section 2.3.1.1).
	UIDs []uint32
	// FirstUnseen is the UID of the first message without \Seen, or 0.
	FirstUnseen uint32
}

// Mailbox is an opened mailbox: what a selected session reads and changes.
// Its methods are called from one session's goroutine. UIDs passed in are
// ascending; those that no longer exist are skipped without error.
//
// Flag changes and expunges made through a Mailbox are returned to its
// caller and are not reported back to it through Poll; those made by
// anyone else (another session, another server sharing the store) are.
// New messages are reported to every session through Poll, whoever added
// them (a delivery, APPEND or COPY into the selected mailbox).
type Mailbox interface {
	// Messages returns the messages with the given UIDs, in order, with
	// their flags as they are now.
	Messages(ctx context.Context, uids []uint32) ([]Message, error)
	// Store changes the flags of messages (RFC 3501 section 6.4.6) and
	// returns their new flags.
	Store(ctx context.Context, uids []uint32, op StoreFlagsOp, flags []Flag) ([]FlagUpdate, error)
	// Expunge removes the messages that have \Deleted (RFC 3501 section
	// 6.4.3), only those among uids when uids is not nil (RFC 4315 UID
	// EXPUNGE), and returns the UIDs removed.
	Expunge(ctx context.Context, uids []uint32) ([]uint32, error)
	// Copy copies messages to another mailbox with their flags and
	// internal dates (RFC 3501 section 6.4.7) and returns the
	// destination's UIDVALIDITY and the new UIDs in the order of uids
	// (RFC 4315 COPYUID). A missing destination answers NO [TRYCREATE].
	Copy(ctx context.Context, uids []uint32, dest string) (uidValidity uint32, newUIDs []uint32, err error)
	// Poll returns the changes others made since the last Poll (or the
	// Open), oldest first.
	Poll(ctx context.Context) ([]Update, error)
	// Changed returns a channel that receives a value when Poll has
	// something new, so that IDLE (RFC 2177) reports changes at once.
	Changed() <-chan struct{}
	// Close ends the selection (CLOSE, UNSELECT, another SELECT, logout).
	Close(ctx context.Context) error
}

// MoveMailbox is a Mailbox that moves messages atomically (RFC 6851).
// The server offers MOVE only when the backend implements it.
type MoveMailbox interface {
	Mailbox
	// Move is Copy followed by the removal of the source messages; it
	// returns what Copy returns.
	Move(ctx context.Context, uids []uint32, dest string) (uidValidity uint32, newUIDs []uint32, err error)
}

// SearchMailbox is a Mailbox with its own search index. The server hands
// it the criteria that do not depend on the session (no sequence numbers,
// no \Recent, which the server tracks per session) and evaluates the
// others itself.
type SearchMailbox interface {
	Mailbox
	// Search returns the UIDs among uids, ascending, of the messages
	// that match every criterion (RFC 3501 section 6.4.4).
	Search(ctx context.Context, criteria *SearchCriteria, uids []uint32) ([]uint32, error)
}

// Message is one stored message as Mailbox.Messages returns it.
type Message interface {
	UID() uint32
	// Flags are the message's flags at the time of the call, without
	// \Recent, which the server tracks per session.
	Flags() []Flag
	InternalDate() time.Time
	// Size is RFC822.SIZE: the bytes of the message as stored.
	Size() int64
	// Open returns the message bytes; the server reads only what a FETCH
	// asks for and closes it after the command. A message another
	// session expunged since Messages returned it answers a
	// *StatusResponse with CodeExpungeIssued (RFC 5530): FETCH then
	// skips it and ends OK [EXPUNGEISSUED] (RFC 2180 section 4.1).
	Open(ctx context.Context) (MessageReader, error)
}

// StructureMessage is a Message whose backend keeps its parsed structure
// (for example computed once at APPEND), so that FETCH ENVELOPE,
// BODYSTRUCTURE and BODY[section] need not parse the message again.
type StructureMessage interface {
	Message
	Structure() *message.Structure
}

// MessageReader reads a stored message at any offset.
type MessageReader interface {
	io.ReaderAt
	io.Closer
}

// FlagUpdate is the new flags of one message.
type FlagUpdate struct {
	UID   uint32
	Flags []Flag
}

// UpdateType is the kind of an Update.
type UpdateType int

// Changes a Mailbox reports through Poll.
const (
	// UpdateNew: a message was added (RFC 3501 section 7.3.1, EXISTS).
	UpdateNew UpdateType = iota + 1
	// UpdateExpunge: a message was removed (section 7.4.1, EXPUNGE).
	UpdateExpunge
	// UpdateFlags: a message's flags changed (section 7.4.2, FETCH).
	UpdateFlags
)

// Update is one change to an opened mailbox.
type Update struct {
	Type UpdateType
	UID  uint32
	// Flags are the new flags of UpdateFlags and the flags of UpdateNew.
	Flags []Flag
}
