package relay

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/smtp/queue"
)

// TLSPolicy says when the relay uses STARTTLS (RFC 3207).
type TLSPolicy int

const (
	// TLSOpportunistic uses STARTTLS when the server offers it, without
	// checking the certificate (unauthenticated encryption, RFC 7435),
	// and sends in the clear when it does not or the handshake fails.
	TLSOpportunistic TLSPolicy = iota
	// TLSRequired sends only over TLS, with the certificate verified by
	// TLSConfig; a server without STARTTLS defers the mail.
	TLSRequired
	// TLSDisabled never uses STARTTLS.
	TLSDisabled
)

// Defaults of the Relay's fields.
const (
	// DefaultMinBackoff and DefaultMaxBackoff bound the wait between two
	// attempts (RFC 5321 section 4.5.4.1: "at least 30 minutes", which
	// Postfix shortens to 5 minutes for the first retries).
	DefaultMinBackoff = 5 * time.Minute
	DefaultMaxBackoff = 4 * time.Hour
	// DefaultMaxAge is how long a message may stay queued (RFC 5321
	// section 4.5.4.1: "at least 4-5 days"; Postfix: 5 days).
	DefaultMaxAge = 5 * 24 * time.Hour
	// DefaultMaxConnections bounds the connections open at once.
	DefaultMaxConnections = 20
	// DefaultMaxPerDestination bounds the connections to one domain, so
	// that a burst does not look like an attack to its servers.
	DefaultMaxPerDestination = 5
	// DefaultConnectTimeout bounds a TCP connect (Postfix: 30 s).
	DefaultConnectTimeout = 30 * time.Second
	// DefaultTimeout bounds one transaction, its message included (RFC
	// 5321 section 4.5.3.2 gives the limits of each step).
	DefaultTimeout = 10 * time.Minute
)

// Relay delivers the mail of a Queue to the next hops. Set its fields,
// then call Run; fields must not change while it runs.
type Relay struct {
	// Queue is drained. Required.
	Queue *queue.Queue
	// Hostname is sent in EHLO and names this MTA in the DSNs'
	// Reporting-MTA (RFC 3464 section 2.2.2). Default "localhost".
	Hostname string

	// Routes maps a domain (lower case) to "host:port" (or "host",
	// port Port), used instead of its MX records; "*" routes every
	// other domain, as a smart host.
	Routes map[string]string
	// Resolver looks up MX and address records; nil is
	// net.DefaultResolver.
	Resolver Resolver
	// Port is the SMTP port of mail exchangers; "" is "25".
	Port string
	// Dialer opens connections (within ConnectTimeout); nil uses a
	// net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

	// TLS says when STARTTLS is used (RFC 3207); the zero value is
	// TLSOpportunistic.
	TLS TLSPolicy
	// TLSConfig configures STARTTLS; its ServerName is set to the
	// exchanger's name when empty. nil verifies certificates against the
	// system roots, except under TLSOpportunistic, which then encrypts
	// without verifying.
	TLSConfig *tls.Config

	// Retry: waits start at MinBackoff and double up to MaxBackoff;
	// recipients still deferred after MaxAge fail. Zero is the default.
	MinBackoff, MaxBackoff, MaxAge time.Duration
	// Concurrency; zero is the default.
	MaxConnections, MaxPerDestination int
	// Timeouts; zero is the default.
	ConnectTimeout, Timeout time.Duration

	// Logger, if set, records each attempt.
	Logger *slog.Logger
	// Now returns the current time; nil is time.Now.
	Now func() time.Time

	once  sync.Once
	mu    sync.Mutex
	busy  map[string]int // entry ID: jobs in flight
	wake  chan struct{}
	conns chan struct{} // semaphore of MaxConnections
}

func (r *Relay) init() {
	r.once.Do(func() {
		r.busy = make(map[string]int)
		r.wake = make(chan struct{}, 1)
		r.conns = make(chan struct{}, orDefault(r.MaxConnections, DefaultMaxConnections))
	})
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (r *Relay) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Relay) hostname() string {
	if r.Hostname != "" {
		return r.Hostname
	}
	return "localhost"
}

func (r *Relay) port() string {
	if r.Port != "" {
		return r.Port
	}
	return "25"
}

func (r *Relay) resolver() Resolver {
	if r.Resolver != nil {
		return r.Resolver
	}
	return net.DefaultResolver
}

func (r *Relay) log(msg string, args ...any) {
	if r.Logger != nil {
		r.Logger.Info(msg, args...)
	}
}

// Run delivers until ctx ends: it starts the deliveries that are due,
// sleeps until the next one is due or the queue changes, and so on.
// When ctx ends, no new transaction starts; those under way finish and
// are recorded (each bounded by Timeout), and Run returns once they
// have, with ctx's error. What was not tried stays queued for the next
// Run.
func (r *Relay) Run(ctx context.Context) error {
	r.init()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		changed := r.Queue.Changed()
		next := r.pass(ctx, &wg)
		var timer *time.Timer
		var fire <-chan time.Time
		if !next.IsZero() {
			timer = time.NewTimer(next.Sub(r.now()))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-r.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// pass finishes the entries that need it, starts the due deliveries and
// returns when the next one is due (zero for none).
func (r *Relay) pass(ctx context.Context, wg *sync.WaitGroup) time.Time {
	now := r.now()
	var next time.Time
	jobs := make(map[string][]job) // by domain
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	// An entry that is not busy cannot change until this goroutine
	// starts a job for it, and a job records its outcome before it
	// stops being busy: so the copies Select makes under r.mu are
	// current.
	r.mu.Lock()
	selected := r.Queue.Select(func(e *queue.Entry) bool {
		if r.busy[e.ID] > 0 {
			return false
		}
		due, ok := e.Due()
		if ok && due.After(now) && !owesReport(e) {
			later(due)
			return false
		}
		return true
	})
	r.mu.Unlock()
	for _, e := range selected {
		if r.finish(e) {
			continue
		}
		for domain, idx := range byDomain(e) {
			due := dueAt(e, idx)
			if due.After(now) {
				later(due)
				continue
			}
			jobs[domain] = append(jobs[domain], job{entry: e, rcpts: idx})
		}
	}
	for domain, list := range jobs {
		r.start(ctx, wg, domain, list)
	}
	return next
}

// owesReport reports whether a recipient of e waits for its DSN.
func owesReport(e *queue.Entry) bool {
	for _, rc := range e.Recipients {
		if rc.Report != "" {
			return true
		}
	}
	return false
}

// byDomain groups the recipients that still need delivery by domain.
func byDomain(e *queue.Entry) map[string][]int {
	m := make(map[string][]int)
	for i, rc := range e.Recipients {
		if rc.State.Final() {
			continue
		}
		_, d, _ := strings.Cut(rc.Addr, "@")
		d = strings.ToLower(d)
		m[d] = append(m[d], i)
	}
	return m
}

// dueAt is the earliest NextAttempt among idx.
func dueAt(e *queue.Entry, idx []int) time.Time {
	due := e.Recipients[idx[0]].NextAttempt
	for _, i := range idx[1:] {
		if t := e.Recipients[i].NextAttempt; t.Before(due) {
			due = t
		}
	}
	return due
}

// start runs the jobs of one domain on up to MaxPerDestination
// connections.
func (r *Relay) start(ctx context.Context, wg *sync.WaitGroup, domain string, list []job) {
	r.mu.Lock()
	for _, j := range list {
		r.busy[j.entry.ID]++
	}
	r.mu.Unlock()
	n := min(len(list), orDefault(r.MaxPerDestination, DefaultMaxPerDestination))
	for w := range n {
		var share []job
		for i := w; i < len(list); i += n {
			share = append(share, list[i])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case r.conns <- struct{}{}:
			case <-ctx.Done():
				r.release(share)
				return
			}
			r.deliver(ctx, domain, share)
			<-r.conns
			r.release(share)
		}()
	}
}

// release marks jobs finished and wakes Run.
func (r *Relay) release(list []job) {
	r.mu.Lock()
	for _, j := range list {
		if r.busy[j.entry.ID]--; r.busy[j.entry.ID] <= 0 {
			delete(r.busy, j.entry.ID)
		}
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}
