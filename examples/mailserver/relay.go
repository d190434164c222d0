package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/smtp/queue"
	"github.com/mailwire/mailwire/smtp/relay"
)

// RelayConfig turns the mailserver into an MTA that relays: mail that
// an authenticated client submits for other domains is queued on disk
// and sent on to their mail exchangers (RFC 5321 section 5), retried,
// and bounced with a DSN when it cannot be delivered.
type RelayConfig struct {
	// Enabled is -relay.
	Enabled bool
	// QueueDir is the spool (-queue-dir); required when Enabled.
	QueueDir string
	// Routes maps domains to "host:port" instead of their MX records
	// (-route domain=host:port; "*" for a smart host). Mail for the
	// server's own domain, such as the DSNs to its users, goes to its own
	// SMTP port unless a route says otherwise.
	Routes map[string]string
	// MinBackoff, MaxBackoff and MaxAge override the relay's retry
	// schedule; zero keeps its defaults (5 minutes, 4 hours, 5 days).
	MinBackoff, MaxBackoff, MaxAge time.Duration
}

// relayService is the queue and the relay draining it.
type relayService struct {
	queue   *queue.Queue
	relay   *relay.Relay
	lock    *os.File
	cancel  context.CancelFunc
	running sync.WaitGroup
}

// openQueue opens the spool, locked against a second server on it, and
// loads what an earlier run left queued.
func (m *Mailserver) openQueue() error {
	rc := m.cfg.Relay
	if !rc.Enabled {
		return nil
	}
	if rc.QueueDir == "" {
		return errors.New("-relay needs -queue-dir")
	}
	spool, err := queue.OpenSpool(rc.QueueDir)
	if err != nil {
		return err
	}
	lock, err := lockQueue(rc.QueueDir)
	if err != nil {
		return err
	}
	q, err := queue.Open(spool)
	if err != nil {
		lock.Close()
		return err
	}
	m.relay = &relayService{queue: q, lock: lock}
	return nil
}

// startRelay starts delivering the queue, once the servers listen (mail
// for the own domain goes to the own SMTP port). SIGUSR1, which
// "mailserver -flush" sends, retries every deferred message now.
func (m *Mailserver) startRelay() {
	s := m.relay
	if s == nil {
		return
	}
	rc := m.cfg.Relay
	routes := map[string]string{}
	if addr := m.Addr("smtp"); addr != "" {
		routes[strings.ToLower(m.cfg.Domain)] = addr
	}
	for d, to := range rc.Routes {
		routes[strings.ToLower(d)] = to
	}
	s.relay = &relay.Relay{
		Queue: s.queue, Hostname: m.cfg.Domain, Routes: routes,
		MinBackoff: rc.MinBackoff, MaxBackoff: rc.MaxBackoff, MaxAge: rc.MaxAge,
		Logger: m.cfg.Logger,
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	flush := make(chan os.Signal, 1)
	signal.Notify(flush, syscall.SIGUSR1)
	s.running.Add(2)
	go func() {
		defer s.running.Done()
		s.relay.Run(ctx)
	}()
	go func() {
		defer s.running.Done()
		defer signal.Stop(flush)
		for {
			select {
			case <-ctx.Done():
				return
			case <-flush:
				if err := s.queue.Flush(); err != nil && m.cfg.Logger != nil {
					m.cfg.Logger.Error("queue flush", "err", err)
				}
			}
		}
	}()
}

// stopRelay stops the relay; what it was sending stays queued for the
// next start.
func (m *Mailserver) stopRelay() error {
	s := m.relay
	if s == nil {
		return nil
	}
	if s.cancel != nil {
		s.cancel()
		s.running.Wait()
	}
	return s.lock.Close()
}

// lockQueue takes the spool's lock file, which holds the server's PID
// for "mailserver -flush".
func lockQueue(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("queue %s is in use by another mailserver", dir)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
