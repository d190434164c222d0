package mailstore

import (
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// mdFolder is the in-memory index of one Maildir folder; every field is
// guarded by Maildir.mu.
type mdFolder struct {
	dir      string
	list     *UIDList
	msgs     []*mdMsg // ascending UIDs
	byBase   map[string]*mdMsg
	handles  []*mdHandle
	stampNew time.Time
	stampCur time.Time
	stampAt  time.Time // when the stamps were taken
	// watchStop ends the watch for outside changes while sessions
	// have the folder selected (startWatch).
	watchStop chan struct{}
}

// mdMsg is one message file.
type mdMsg struct {
	uid   uint32
	name  maildir.Name
	path  string
	date  time.Time
	size  int64 // RFC822.SIZE: the size with CRLF line ends
	flags []imap.Flag
}

// sync brings the index in line with the directories: files others
// added get UIDs, files others removed are expunged, renamed ones
// update their flags, and every session is told (RFC 3501 section 7).
func (f *mdFolder) sync() error {
	f.stamp()
	entries, err := maildir.Scan(f.dir)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(entries))
	var fresh []maildir.Entry
	for _, e := range entries {
		seen[e.Base] = true
		m, ok := f.byBase[e.Base]
		if !ok {
			fresh = append(fresh, e)
			continue
		}
		m.path = e.Path
		if m.name.Flags != e.Flags {
			m.name = e.Name
			m.flags = append(keywords(m.flags), flagsFromInfo(e.Flags)...)
			f.broadcast(nil, imap.Update{Type: imap.UpdateFlags, UID: m.uid, Flags: slices.Clone(m.flags)})
		}
	}
	pruned := false
	f.msgs = slices.DeleteFunc(f.msgs, func(m *mdMsg) bool {
		if seen[m.name.Base] {
			return false
		}
		f.drop(nil, m)
		pruned = true
		return true
	})
	// Known UIDs first, then new files in the order they arrived.
	sort.Slice(fresh, func(i, j int) bool {
		ui, uj := f.list.UIDs[fresh[i].Base], f.list.UIDs[fresh[j].Base]
		if ui != uj {
			return ui != 0 && (uj == 0 || ui < uj)
		}
		return fresh[i].ModTime.Before(fresh[j].ModTime) || fresh[i].ModTime.Equal(fresh[j].ModTime) && fresh[i].Base < fresh[j].Base
	})
	listed := true
	for _, e := range fresh {
		if _, ok := f.list.UIDs[e.Base]; !ok {
			listed = false
		}
		if _, err := f.adopt(e, false); err != nil {
			return err
		}
	}
	for base := range f.list.UIDs {
		if !seen[base] {
			delete(f.list.UIDs, base)
			pruned = true
		}
	}
	if pruned || !listed {
		return f.list.Write(f.dir)
	}
	return nil
}

// stamp records the times of new and cur and when they were read.
func (f *mdFolder) stamp() {
	f.stampAt = time.Now()
	f.stampNew, f.stampCur = maildir.Stamp(f.dir)
}

// stampSlack is how close to the time they were read the stamps may be
// and still be trusted: a directory's time has the file system's
// granularity (a clock tick, or a second on some), so a file added in
// the same tick as the stamp leaves the time as it was. Stamps that
// recent are rechecked by a scan, as Dovecot does with its one-second
// rule for dirty Maildir directories.
const stampSlack = time.Second

// syncIfChanged syncs when new or cur changed since the last sync, or
// may have changed unseen (stampSlack).
func (f *mdFolder) syncIfChanged() error {
	n, c := maildir.Stamp(f.dir)
	if n.Equal(f.stampNew) && c.Equal(f.stampCur) && f.stampAt.Sub(n) > stampSlack && f.stampAt.Sub(c) > stampSlack {
		return nil
	}
	return f.sync()
}

// adopt indexes a message file, giving it its listed UID or the next
// one (recorded at once when record is set, else by the caller's
// rewrite of the list), and tells the sessions (EXISTS). A message
// already indexed, because a sync found it first, is returned as it is.
func (f *mdFolder) adopt(e maildir.Entry, record bool) (*mdMsg, error) {
	if m, ok := f.byBase[e.Base]; ok {
		return m, nil
	}
	uid, ok := f.list.UIDs[e.Base]
	if !ok || uid < f.lastUID() {
		uid = f.list.Next
		f.list.Next++
		if record {
			if err := f.list.Add(f.dir, uid, e.Base); err != nil {
				return nil, err
			}
		} else {
			f.list.UIDs[e.Base] = uid
		}
	}
	f.list.Next = max(f.list.Next, uid+1)
	m := &mdMsg{uid: uid, name: e.Name, path: e.Path, date: e.ModTime, size: e.Field('W'),
		flags: flagsFromInfo(e.Flags)}
	if m.size < 0 {
		if data, err := os.ReadFile(e.Path); err == nil {
			m.size = maildir.WireSize(data)
		}
	}
	f.msgs = append(f.msgs, m)
	f.byBase[e.Base] = m
	for _, h := range f.handles {
		h.push(imap.Update{Type: imap.UpdateNew, UID: m.uid, Flags: slices.Clone(m.flags)})
	}
	return m, nil
}

// lastUID is the highest UID in the index, 0 when empty.
func (f *mdFolder) lastUID() uint32 {
	if len(f.msgs) == 0 {
		return 0
	}
	return f.msgs[len(f.msgs)-1].uid
}

// find returns the message with uid.
func (f *mdFolder) find(uid uint32) *mdMsg {
	i, ok := slices.BinarySearchFunc(f.msgs, uid, func(m *mdMsg, uid uint32) int {
		return int(int64(m.uid) - int64(uid))
	})
	if !ok {
		return nil
	}
	return f.msgs[i]
}

// drop forgets a message that is gone (the caller removes it from msgs)
// and tells every session but by.
func (f *mdFolder) drop(by *mdHandle, m *mdMsg) {
	delete(f.byBase, m.name.Base)
	delete(f.list.UIDs, m.name.Base)
	f.broadcast(by, imap.Update{Type: imap.UpdateExpunge, UID: m.uid})
}

// remove deletes the files of messages and expunges them, telling every
// session but by; the list is rewritten once.
func (f *mdFolder) remove(by *mdHandle, gone []*mdMsg) ([]uint32, error) {
	var uids []uint32
	for _, m := range gone {
		if err := os.Remove(m.path); err != nil && !notExist(err) {
			return uids, err
		}
		f.drop(by, m)
		uids = append(uids, m.uid)
	}
	f.msgs = slices.DeleteFunc(f.msgs, func(m *mdMsg) bool { _, ok := f.byBase[m.name.Base]; return !ok })
	if len(uids) == 0 {
		return nil, nil
	}
	return uids, f.list.Write(f.dir)
}

// expungeAll tells the sessions every message is gone and detaches them.
func (f *mdFolder) expungeAll() {
	for _, m := range f.msgs {
		f.broadcast(nil, imap.Update{Type: imap.UpdateExpunge, UID: m.uid})
	}
	f.msgs = nil
	f.handles = nil
	f.stopWatch()
}

// broadcast queues u for every session of the folder but by.
func (f *mdFolder) broadcast(by *mdHandle, u imap.Update) {
	for _, h := range f.handles {
		if h != by {
			h.push(u)
		}
	}
}

// setFlags renames a message's file to carry flags (keywords are kept
// in memory only). The rename follows the file if another program moved
// it (withFile); a message whose file is gone is errGone.
func (f *mdFolder) setFlags(m *mdMsg, flags []imap.Flag) error {
	return f.withFile(m.uid, func(m *mdMsg) error {
		n := maildir.Name{Base: m.name.Base, Flags: infoFlags(flags, m.name.Flags)}
		if n.Flags != m.name.Flags || !strings.Contains(m.path, "/cur/") {
			path, err := maildir.SetFlags(f.dir, m.path, n)
			if err != nil {
				return err
			}
			m.path, m.name = path, n
			f.stamp()
		}
		m.flags = flags
		return nil
	})
}
