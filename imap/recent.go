package imap

import (
	"slices"
	"sync"
)

// recentClaims decides, once for every backend, which session sees a
// message as \Recent: RFC 3501 section 2.3.2 gives the flag to the first
// session notified of the message, and to no other. The server keeps, per
// user and mailbox, the highest UID that a read-write session has claimed;
// a message above it is \Recent for the next session to hear of it. A
// read-write session (SELECT) claims what it sees; a read-only one
// (EXAMINE, section 6.3.2) sees the unclaimed messages as \Recent without
// taking them from the next SELECT.
//
// The claims live in the Server, not in the store: after a restart every
// message is \Recent once more, as section 2.3.2 asks when the server
// cannot tell ("that message SHOULD be considered recent"). IMAP4rev2
// drops \Recent altogether (RFC 9051 section 2.3.2).
type recentClaims struct {
	mu      sync.Mutex
	claimed map[recentKey]uint32
}

// recentKey names one mailbox of one user; a new UIDVALIDITY is a new
// mailbox whose UIDs mean other messages (RFC 3501 section 2.3.1.1).
type recentKey struct {
	user, mailbox string
	uidValidity   uint32
}

// open returns the UIDs of a mailbox being selected that are \Recent for
// this session; claim (a read-write selection) takes them, and every UID
// up to the last, from later sessions. uids ascend.
func (r *recentClaims) open(k recentKey, uids []uint32, claim bool) []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, _ := slices.BinarySearch(uids, r.claimed[k]+1)
	recent := slices.Clone(uids[i:])
	if claim && len(recent) > 0 {
		r.set(k, recent[len(recent)-1])
	}
	return recent
}

// arrived reports whether the new message uid, of which a selected session
// has just heard, is \Recent there; claim takes it from the others.
func (r *recentClaims) arrived(k recentKey, uid uint32, claim bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if uid <= r.claimed[k] {
		return false
	}
	if claim {
		r.set(k, uid)
	}
	return true
}

// count returns the number STATUS reports as RECENT (RFC 3501 section
// 6.3.10): the messages no session has claimed. STATUS sees counts, not
// UIDs, so the messages above the claimed UID are taken to be those
// between it and UIDNEXT, at most all there are; a message above it that
// was expunged unclaimed is still counted.
func (r *recentClaims) count(k recentKey, st *MailboxStatus) uint32 {
	r.mu.Lock()
	floor := r.claimed[k]
	r.mu.Unlock()
	if st.UIDNext <= floor+1 {
		return 0
	}
	return min(st.Messages, st.UIDNext-1-floor)
}

// forget drops the claims on a user's mailbox that was deleted or renamed
// away, so that the map holds only mailboxes that exist.
func (r *recentClaims) forget(user, mailbox string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.claimed {
		if k.user == user && k.mailbox == mailbox {
			delete(r.claimed, k)
		}
	}
}

func (r *recentClaims) set(k recentKey, uid uint32) {
	if r.claimed == nil {
		r.claimed = make(map[recentKey]uint32)
	}
	r.claimed[k] = uid
}
