package relay

import (
	"errors"
	"fmt"
	"io"

	"github.com/mailwire/mailwire/smtp/queue"
)

// finish sends the DSNs that e owes and removes e from the queue once
// every recipient is final and reported. It reports whether e is gone.
//
// It is safe to repeat after a crash: the DSN's ID is derived from e's ID
// and DSN count, so a DSN queued before the crash is found (ErrExists)
// rather than queued twice, and the recipient is marked delivered or
// failed before the entry is removed.
func (r *Relay) finish(e *queue.Entry) bool {
	var idx []int
	for i, rc := range e.Recipients {
		if rc.Report != "" {
			idx = append(idx, i)
		}
	}
	if len(idx) > 0 {
		if err := r.sendDSN(e, idx); err != nil {
			r.errorf("relay: queueing a DSN", e.ID, err)
			return false
		}
		var err error
		e, err = r.Queue.Update(e.ID, func(e *queue.Entry) {
			for _, i := range idx {
				rc := &e.Recipients[i]
				if rc.Report == queue.ActionDelayed {
					rc.DelayReported = true
				}
				rc.Report = ""
			}
			e.DSNs++
		})
		if err != nil {
			r.errorf("relay: recording a DSN", e.ID, err)
			return false
		}
	}
	if !e.Done() {
		return false
	}
	if err := r.Queue.Remove(e.ID); err != nil {
		r.errorf("relay: removing", e.ID, err)
		return false
	}
	r.log("relay: done", "id", e.ID)
	return true
}

// sendDSN queues the DSN for recipients idx of e, with the null reverse
// path (RFC 5321 section 6.2 and RFC 3461 section 6.1).
func (r *Relay) sendDSN(e *queue.Entry, idx []int) error {
	if e.From == "" {
		return nil
	}
	groups := map[queue.Action][]int{}
	var order []queue.Action
	for _, i := range idx {
		a := e.Recipients[i].Report
		if groups[a] == nil {
			order = append(order, a)
		}
		groups[a] = append(groups[a], i)
	}
	for n, a := range order {
		// The DSN streams into the queue: a returned message is never
		// held in memory whole.
		pr, pw := io.Pipe()
		written := make(chan struct{})
		go func() {
			defer close(written)
			pw.CloseWithError(r.writeDSN(pw, e, groups[a]))
		}()
		dsn := &queue.Entry{
			ID:         fmt.Sprintf("%s.dsn%d.%d", e.ID, e.DSNs, n),
			Recipients: []queue.Recipient{{Addr: e.From}},
		}
		_, err := r.Queue.Enqueue(dsn, pr)
		pr.CloseWithError(errors.Join(err, io.ErrClosedPipe))
		<-written
		if err != nil && !errors.Is(err, queue.ErrExists) {
			return err
		}
		r.log("relay: dsn", "id", dsn.ID, "action", string(a), "to", e.From)
	}
	return nil
}

func (r *Relay) errorf(msg, id string, err error) {
	if r.Logger != nil {
		r.Logger.Error(msg, "id", id, "err", err)
	}
}
