package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/peertest"
)

// port returns the port of a service as Python wants it.
func port(t *testing.T, m *Mailserver, name string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(m.Addr(name))
	require.NoError(t, err)
	return p
}

// TestPythonPeers sends with Python's smtplib and reads back with poplib
// and imaplib: both serve the bytes sent, dot-stuffed line included,
// behind our trace headers.
func TestPythonPeers(t *testing.T) {
	python := peertest.Need(t, "python3")
	m := startServer(t, "")
	dir := t.TempDir()
	msgFile := filepath.Join(dir, "in.eml")
	require.NoError(t, os.WriteFile(msgFile, []byte(sample), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "testdata/pythonpeer.py",
		port(t, m, "smtp"), port(t, m, "pop3"), port(t, m, "imap"), msgFile, dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, name := range []string{"pop3.eml", "imap.eml"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, sample, string(splitTrace(t, got, "python.example.org", "ESMTP", "bob@example.test")), name)
	}
}
