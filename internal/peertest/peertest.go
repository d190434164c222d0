// Package peertest finds the real third-party programs (Python, curl, swaks,
// Postfix's smtp-sink and smtp-source, Dovecot) that the tests run against
// mailwire on 127.0.0.1.
//
// A peer that is missing skips the test on a developer's machine, but fails
// it when the CI or MAILWIRE_REQUIRE_PEERS environment variable is set, so a
// missing install step can never turn a CI run green. .ci/peers installs them.
package peertest

import (
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Required reports whether missing peers fail tests instead of skipping them.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("MAILWIRE_REQUIRE_PEERS") != ""
}

// Need returns the absolute path of the program name (looked up in PATH and
// in /usr/sbin), skipping or failing t when it is not installed.
func Need(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin/", "/usr/lib/postfix/sbin/", "/usr/local/sbin/"} {
		if st, err := os.Stat(dir + name); err == nil && !st.IsDir() {
			return dir + name
		}
	}
	if Required() {
		t.Fatalf("peer %q is not installed; run .ci/peers as root", name)
	}
	t.Skipf("peer %q is not installed (run .ci/peers as root to install it)", name)
	return ""
}

// FreeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago, for peers that must be told where to listen.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// WaitListening waits until something accepts connections at addr.
func WaitListening(t testing.TB, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after %v: %v", addr, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
