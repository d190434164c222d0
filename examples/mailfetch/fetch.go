package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// fetcher copies the new messages of a source into a Maildir.
type fetcher struct {
	dir     string
	delete  bool          // remove stored messages from the source
	timeout time.Duration // per network step; 0: none
	// saveEvery bounds how often the state file is rewritten while
	// messages arrive, so that a large first run does not rewrite it once
	// per message; 0 saves after each message. The state is always saved
	// at the end of a run, failed or not.
	saveEvery time.Duration
	// notice receives what the user should know about a run that is not
	// an error, such as a restarter's notice; nil discards it.
	notice io.Writer
}

// summary counts what a run did.
type summary struct {
	fetched, present, deleted int
}

func (s summary) String() string {
	return fmt.Sprintf("fetched %d new messages, %d already present, %d deleted", s.fetched, s.present, s.deleted)
}

// step returns a context for one network step.
func (f *fetcher) step(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, f.timeout)
}

// run fetches every message whose id the state does not hold yet. Each one
// is recorded only after it is in new/ (or cur/). With delete, every message the
// state holds (stored now or before) is marked deleted and the session is
// committed; on any error the session is dropped without committing, so
// nothing is deleted, and the next run picks up where this one stopped.
func (f *fetcher) run(ctx context.Context, conn connector) (sum summary, err error) {
	md, err := openMaildir(f.dir)
	if err != nil {
		return sum, err
	}
	state, err := loadState(f.dir)
	if err != nil {
		return sum, err
	}
	sctx, cancel := f.step(ctx)
	src, err := conn.Connect(sctx)
	cancel()
	if err != nil {
		return sum, err
	}
	committed := false
	defer func() {
		if !committed {
			src.Close()
		}
	}()
	stored, err := f.fetchNew(ctx, src, md, state, &sum)
	if err != nil {
		return sum, err
	}
	if f.delete && len(stored) > 0 {
		sctx, cancel = f.step(ctx)
		err = src.Delete(sctx, stored)
		cancel()
		if err != nil {
			return sum, err
		}
	}
	sctx, cancel = f.step(ctx)
	defer cancel()
	committed = true // Commit ends the session whatever it answers
	if err := src.Commit(sctx); err != nil {
		return sum, err
	}
	if f.delete {
		sum.deleted = len(stored)
	}
	return sum, nil
}

// fetchNew lists the source, stores the messages the state does not hold
// and returns the ids of all the messages that are stored, new or not. The
// state is saved before it returns, with an error too, so that every
// message stored stays recorded.
func (f *fetcher) fetchNew(ctx context.Context, src source, md *folder, state *uidState, sum *summary) (stored []string, err error) {
	account := src.Account()
	sctx, cancel := f.step(ctx)
	ids, err := src.List(sctx)
	cancel()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if id == "" || strings.ContainsAny(id, " \t\r\n") {
			return nil, fmt.Errorf("unusable unique id %q", id)
		}
	}
	if r, ok := src.(restarter); ok && f.notice != nil {
		if msg := r.Restarted(state.ids(account)); msg != "" {
			fmt.Fprintln(f.notice, msg)
		}
	}
	dirty := state.prune(account, ids)
	defer func() {
		if dirty {
			if serr := state.save(); err == nil {
				err = serr
			}
		}
	}()
	lastSave := time.Now()
	for _, id := range ids {
		if state.has(account, id) {
			sum.present++
			stored = append(stored, id)
			continue
		}
		ok, err := f.fetchOne(ctx, src, md, id)
		if ok {
			state.add(account, id)
			dirty = true
			sum.fetched++
			stored = append(stored, id)
		}
		if err != nil {
			return stored, err
		}
		if time.Since(lastSave) >= f.saveEvery {
			if err := state.save(); err != nil {
				return stored, err
			}
			dirty, lastSave = false, time.Now()
		}
	}
	return stored, nil
}

// fetchOne streams one message into the Maildir and reports whether it
// is stored (in new/, or in cur/ with flags), which can be so even with
// an error: when the message was read whole but the end of the response
// failed, it is stored (and must be recorded) but the session is broken.
func (f *fetcher) fetchOne(ctx context.Context, src source, md *folder, id string) (stored bool, err error) {
	sctx, cancel := f.step(ctx)
	defer cancel()
	r, err := src.Open(sctx, id)
	if err != nil {
		return false, err
	}
	var flags func() string
	if fs, ok := r.(flaggedStream); ok {
		flags = fs.MaildirFlags
	}
	_, err = md.deliverFlags(r, flags)
	stored = err == nil
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return stored, fmt.Errorf("message %s: %w", id, err)
	}
	return true, nil
}
