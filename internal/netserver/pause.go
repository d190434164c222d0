package netserver

import "time"

// Pause waits until t, the time a FailureDelay gave a failed login's
// answer, and reports true; it holds no lock meanwhile. It ends early
// and reports false when the server closes or shuts down (CloseNow,
// InterruptIfIdle), or when the login deadline comes first: the session
// must then end without the answer. A client hanging up does not end
// it: the slot stays taken until the answer was due, or a client could
// learn a failure from the missing answer and drop the connection to
// guess again at once.
func (d *Deadlines) Pause(t time.Time) bool {
	select {
	case <-d.wake:
		return false
	default:
	}
	cut := false
	if !d.loginDeadline.IsZero() && d.loginDeadline.Before(t) {
		t, cut = d.loginDeadline, true
	}
	wait := time.Until(t)
	if wait <= 0 {
		return !cut
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return !cut
	case <-d.wake:
		return false
	}
}

// FailedLogin records a failed login of the session's client in f and
// pauses until its answer may go out; see Pause for what false means.
func (d *Deadlines) FailedLogin(f *FailureDelay) bool {
	at, _ := f.Fail(KeyOf(d.Conn().RemoteAddr()))
	if at.IsZero() {
		return true
	}
	return d.Pause(at)
}

func (d *Deadlines) wakeUp() { d.wakeOnce.Do(func() { close(d.wake) }) }
