package relay

import (
	"slices"
	"time"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

// record stores the outcome of an attempt for the recipients of j: one
// reply each, from host; passedOn tells whether the next hop took the DSN
// parameters (RFC 3461 section 4).
func (r *Relay) record(j job, replies []*smtp.Reply, host string, passedOn bool) {
	now := r.now()
	_, err := r.Queue.Update(j.entry.ID, func(e *queue.Entry) {
		for k, i := range j.rcpts {
			r.apply(e, &e.Recipients[i], replies[k], host, now, passedOn)
		}
	})
	if err != nil && r.Logger != nil {
		r.Logger.Error("relay: recording an attempt", "id", j.entry.ID, "err", err)
	}
	for k, i := range j.rcpts {
		r.log("relay: attempt", "id", j.entry.ID, "to", j.entry.Recipients[i].Addr, "host", host, "reply", replies[k].Error())
	}
}

// apply moves one recipient on after a reply (RFC 5321 section 4.2.1:
// 2yz done, 4yz try again, 5yz give up) and notes the DSN it needs.
func (r *Relay) apply(e *queue.Entry, rc *queue.Recipient, reply *smtp.Reply, host string, now time.Time, passedOn bool) {
	rc.Attempts++
	rc.LastAttempt = now
	rc.Reply = reply
	rc.RemoteMTA = host
	switch {
	case reply.Code < 400:
		rc.State = queue.Delivered
		if wants(e, rc, smtp.NotifySuccess) {
			rc.Report = queue.ActionDelivered
			if !passedOn {
				// RFC 3461 section 6.2.1 (b): the next hop cannot
				// report on, so this MTA says "relayed".
				rc.Report = queue.ActionRelayed
			}
		}
	case reply.Permanent():
		rc.State = queue.Failed
		if wants(e, rc, smtp.NotifyFailure) {
			rc.Report = queue.ActionFailed
		}
	default:
		expires := e.Arrived.Add(orDefault(r.MaxAge, DefaultMaxAge))
		if !now.Before(expires) {
			// RFC 5321 section 4.5.4.1: give up and bounce.
			rc.State = queue.Failed
			if wants(e, rc, smtp.NotifyFailure) {
				rc.Report = queue.ActionFailed
			}
			return
		}
		rc.State = queue.Deferred
		rc.NextAttempt = now.Add(r.backoff(rc.Attempts))
		if rc.NextAttempt.After(expires) {
			rc.NextAttempt = expires
		}
		if !rc.DelayReported && wants(e, rc, smtp.NotifyDelay) {
			rc.Report = queue.ActionDelayed
		}
	}
}

// backoff is the wait after the n'th failed attempt: MinBackoff doubled
// for each earlier one, up to MaxBackoff.
func (r *Relay) backoff(n int) time.Duration {
	d := orDefault(r.MinBackoff, DefaultMinBackoff)
	limit := orDefault(r.MaxBackoff, DefaultMaxBackoff)
	for range n - 1 {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}

// wants reports whether the sender is to be told of the event (RFC 3461
// section 4.1): never for a null sender (RFC 5321 section 6.2) or NEVER;
// without NOTIFY, failures only (delays are left to the MTA, and this one
// does not send them unasked).
func wants(e *queue.Entry, rc *queue.Recipient, event smtp.DSNNotify) bool {
	if e.From == "" {
		return false
	}
	if rc.Options.Notify == nil {
		return event == smtp.NotifyFailure
	}
	return slices.Contains(rc.Options.Notify, event)
}
