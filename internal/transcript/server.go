package transcript

import (
	"cmp"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server runs a package's server transcripts.
type Server struct {
	// Start starts one server for one transcript, with the transcript's
	// options applied (an unknown or bad option is an error, made with
	// Option.Errorf so that it names its line). The server must stop on
	// t.Cleanup.
	Start func(t testing.TB, opts []Option) (*Target, error)
	Placeholders
	// Deadline bounds each connection from its start; 0 means
	// DefaultDeadline.
	Deadline time.Duration
}

// Target is a server Start started.
type Target struct {
	Addr  string                       // dialed once per connection the transcript names
	TLS   *tls.Config                  // the client's side of <starttls>; nil if the server has no TLS
	Check func(name, arg string) error // answers "= name arg" lines; nil if there are none
}

// Run plays every file that pattern matches (filepath.Glob) as a parallel
// subtest named after the file; it fails the test if none matches.
func (s Server) Run(t *testing.T, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts match %s (%v)", pattern, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			t.Parallel()
			if err := s.Play(t, file); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Play runs one server transcript and returns its first mismatch, an
// *Error naming the file and line.
func (s Server) Play(t testing.TB, file string) error {
	sc, err := ParseFile(file)
	if err != nil {
		return err
	}
	target, err := s.Start(t, sc.Options)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.File == "" {
			e.File = file
			return e
		}
		return &Error{File: file, Msg: err.Error()}
	}
	deadline := cmp.Or(s.Deadline, DefaultDeadline)
	p := &player{sc: sc, plays: 'C', ph: s.Placeholders, tls: target.TLS, check: target.Check,
		conns: map[int]*conn{}, deadline: deadline,
		dial: func() (net.Conn, error) { return net.DialTimeout("tcp", target.Addr, deadline) }}
	return p.run()
}
