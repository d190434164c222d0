package queue

import (
	"slices"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// State is where delivery to one recipient stands.
type State int

// The recipient states. Delivered and Failed are final: the relay never
// tries the recipient again (RFC 5321 section 6.1: the message is the
// next MTA's responsibility, or it was bounced).
const (
	// Pending: not yet tried.
	Pending State = iota
	// Deferred: tried, refused for now with a 4yz reply or not reached;
	// it is tried again at NextAttempt (RFC 5321 section 4.5.4.1).
	Deferred
	// Delivered: the next hop answered 2yz.
	Delivered
	// Failed: the next hop answered 5yz, the address cannot be routed,
	// or the message grew too old in the queue.
	Failed
)

var stateNames = [...]string{"pending", "deferred", "delivered", "failed"}

// String names the state as the queue listing shows it.
func (s State) String() string {
	if int(s) < len(stateNames) && s >= 0 {
		return stateNames[s]
	}
	return "unknown"
}

// Final reports whether the recipient needs no more delivery attempts.
func (s State) Final() bool { return s == Delivered || s == Failed }

// Action is the DSN action (RFC 3464 section 2.3.3) a recipient still has
// to be reported with, "" when there is nothing to report.
type Action string

// The DSN actions of RFC 3464 section 2.3.3.
const (
	ActionFailed    Action = "failed"
	ActionDelayed   Action = "delayed"
	ActionDelivered Action = "delivered"
	ActionRelayed   Action = "relayed"
)

// Recipient is one forward path of a queued message with its delivery
// state.
type Recipient struct {
	// Addr is the forward path as given in RCPT TO.
	Addr string
	// Options are the RCPT parameters, kept to pass NOTIFY and ORCPT on
	// to the next hop (RFC 3461 section 6.2).
	Options smtp.RcptOptions
	State   State
	// Reply is the last reply for this recipient, or one made up for a
	// failure that had none (a host not reached), for the DSN's
	// Status and Diagnostic-Code (RFC 3464 section 2.3.4, 2.3.6).
	Reply *smtp.Reply `json:",omitempty"`
	// RemoteMTA is the host that gave Reply.
	RemoteMTA   string    `json:",omitempty"`
	Attempts    int       `json:",omitempty"`
	LastAttempt time.Time `json:",omitzero"`
	// NextAttempt is when a Pending or Deferred recipient is due; the
	// zero time means now.
	NextAttempt time.Time `json:",omitzero"`
	// Report is the DSN still owed to the sender for this recipient.
	Report Action `json:",omitempty"`
	// DelayReported is set once a "delayed" DSN went out, so that the
	// sender is warned once, not after every attempt.
	DelayReported bool `json:",omitempty"`
}

// Entry is one queued message: its envelope and the state of each
// recipient. The message octets are kept by the Store under the same ID.
type Entry struct {
	// ID names the entry in the store; it is safe as a file name.
	ID string
	// From is the reverse path, "" for the null path <> (RFC 5321
	// section 4.5.5): a bounce, which must never cause another one.
	From    string
	Options smtp.MailOptions
	// Recipients are in the order they were accepted.
	Recipients []Recipient
	// Arrived is when the message was queued, for the maximum age and
	// the DSN's Arrival-Date (RFC 3464 section 2.2.5).
	Arrived time.Time
	// Size is the length of the message in octets.
	Size int64
	// DSNs counts the delivery status notifications made for this
	// entry; it names the next one, so that making it again after a
	// crash finds it already queued instead of queueing it twice.
	DSNs int `json:",omitempty"`
}

// Clone returns a deep copy, which can be changed without changing e.
func (e *Entry) Clone() *Entry {
	c := *e
	c.Recipients = slices.Clone(e.Recipients)
	for i := range c.Recipients {
		r := &c.Recipients[i]
		r.Options.Notify = slices.Clone(r.Options.Notify)
		if r.Reply != nil {
			rp := *r.Reply
			rp.Lines = slices.Clone(rp.Lines)
			r.Reply = &rp
		}
	}
	return &c
}

// Done reports whether every recipient is final and reported, so that the
// entry can leave the queue.
func (e *Entry) Done() bool {
	for _, r := range e.Recipients {
		if !r.State.Final() || r.Report != "" {
			return false
		}
	}
	return true
}

// Due returns the earliest NextAttempt of a recipient that still needs
// delivery, and false when none does.
func (e *Entry) Due() (time.Time, bool) {
	var due time.Time
	found := false
	for _, r := range e.Recipients {
		if r.State.Final() {
			continue
		}
		if !found || r.NextAttempt.Before(due) {
			due, found = r.NextAttempt, true
		}
	}
	return due, found
}
