package mailstore

import "time"

// watchInterval bounds how late a selected session, IDLE ones included
// (RFC 2177), hears of files that other programs (Dovecot's LDA,
// Postfix's local) put in or take out of a folder: nothing tells the
// store of them, so the directories' times are checked this often while
// the folder is selected somewhere. A check is two stat calls; the
// directories are read only when their times moved.
const watchInterval = 250 * time.Millisecond

// startWatch checks the folder for outside changes every watchInterval
// until stopWatch; the caller holds s.mu. What a check finds reaches the
// sessions as sync's updates; a failed check is left for the sessions'
// own Poll, which reports it.
func (s *Maildir) startWatch(f *mdFolder) {
	if f.watchStop != nil {
		return
	}
	stop := make(chan struct{})
	f.watchStop = stop
	s.watching.Add(1)
	go func() {
		defer s.watching.Done()
		tick := time.NewTicker(watchInterval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			s.mu.Lock()
			select {
			case <-stop:
			default:
				_ = f.syncIfChanged()
			}
			s.mu.Unlock()
		}
	}()
}

// stopWatch ends the folder's watch, if any; the caller holds s.mu.
func (f *mdFolder) stopWatch() {
	if f.watchStop != nil {
		close(f.watchStop)
		f.watchStop = nil
	}
}
