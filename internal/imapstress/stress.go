// Package imapstress drives IMAP servers with many concurrent clients
// that append, store flags and keywords, expunge, copy, fetch and idle on
// one mailbox, and checks every response as a careful client would: no
// sequence number past the session's EXISTS (RFC 3501 sections 7.3.1 and
// 7.4.1, RFC 2180 section 4), no EXPUNGE during FETCH, STORE or SEARCH,
// every keyword announced by FLAGS before a FETCH uses it (section
// 7.2.6), UIDs ascending with the sequence numbers (section 2.3.1.1), no
// SERVERBUG (RFC 5530), well-formed responses with no tagged reply inside
// another, and every command answered OK or a NO the RFCs allow under
// concurrent change.
//
// It speaks the protocol itself rather than through a client library, so
// that it sees every byte; it imports nothing of the repository and
// serves the tests of any backend.
package imapstress

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Defaults of Config.
const (
	DefaultClients  = 10
	DefaultDuration = 2 * time.Second
	DefaultTimeout  = 10 * time.Second
	// DefaultMaxMessages is the mailbox size past which clients mostly
	// expunge, so that a run's cost stays bounded.
	DefaultMaxMessages = 40
	// maxErrors is how many violations a Report keeps the text of.
	maxErrors = 20
)

// Config describes a run.
type Config struct {
	// Dial opens a connection to the server.
	Dial func() (net.Conn, error)
	// User and Password log in with LOGIN (RFC 3501 section 6.2.3).
	User, Password string
	// Mailbox is the mailbox every client selects (default INBOX);
	// Other a second one COPY also writes to, created when missing
	// (default "Stress").
	Mailbox, Other string
	Clients        int           // default DefaultClients
	Duration       time.Duration // default DefaultDuration
	Timeout        time.Duration // longest wait for one response; default DefaultTimeout
	MaxMessages    int           // default DefaultMaxMessages
	Seed           uint64
}

// Report is what a run did and found.
type Report struct {
	mu        sync.Mutex
	Ops       int            // commands sent
	Responses int            // responses read and checked
	PerOp     map[string]int // operations by name
	Replies   map[string]int // tagged replies: "FETCH OK EXPUNGEISSUED"
	Errors    []string       // the first violations
	NErrors   int            // all violations
}

func (r *Report) addOp() {
	r.mu.Lock()
	r.Ops++
	r.mu.Unlock()
}

func (r *Report) addResponse() {
	r.mu.Lock()
	r.Responses++
	r.mu.Unlock()
}

func (r *Report) count(op string) {
	r.mu.Lock()
	r.PerOp[op]++
	r.mu.Unlock()
}

func (r *Report) reply(kind string) {
	r.mu.Lock()
	r.Replies[kind]++
	r.mu.Unlock()
}

func (r *Report) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.NErrors++
	if len(r.Errors) < maxErrors {
		r.Errors = append(r.Errors, err.Error())
	}
}

func (c *Config) defaults() {
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	if c.Other == "" {
		c.Other = "Stress"
	}
	if c.Clients <= 0 {
		c.Clients = DefaultClients
	}
	if c.Duration <= 0 {
		c.Duration = DefaultDuration
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxMessages <= 0 {
		c.MaxMessages = DefaultMaxMessages
	}
}

// Run runs the clients for cfg.Duration (or until ctx ends) and reports.
// A client stops at its first violation, since its view of the mailbox
// can no longer be trusted after it.
func Run(ctx context.Context, cfg Config) *Report {
	cfg.defaults()
	rep := &Report{PerOp: make(map[string]int), Replies: make(map[string]int)}
	if err := prepare(&cfg, rep); err != nil {
		rep.fail(err)
		return rep
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	for i := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
			if err := runClient(ctx, &cfg, rep, rng); err != nil {
				rep.fail(err)
			}
		}()
	}
	wg.Wait()
	return rep
}

// prepare creates the second mailbox.
func prepare(cfg *Config, rep *Report) error {
	s, err := dialLogin(cfg, rep)
	if err != nil {
		return err
	}
	defer s.nc.Close()
	tag, err := s.begin("CREATE", cfg.Other)
	if err != nil {
		return err
	}
	t, err := s.finish(tag)
	if err != nil && (t == nil || t.code != "ALREADYEXISTS") {
		return err
	}
	return s.logout()
}

func (s *session) logout() error {
	err := s.command("LOGOUT", "")
	s.nc.Close()
	return err
}

// runClient logs in, selects the mailbox and runs random operations.
func runClient(ctx context.Context, cfg *Config, rep *Report, rng *rand.Rand) error {
	s, err := dialLogin(cfg, rep)
	if err != nil {
		return err
	}
	defer s.nc.Close()
	if err := s.command("SELECT", cfg.Mailbox); err != nil {
		return err
	}
	w := &worker{s: s, cfg: cfg, rng: rng, rep: rep}
	for ctx.Err() == nil {
		if err := w.step(); err != nil {
			return err
		}
	}
	return s.logout()
}
