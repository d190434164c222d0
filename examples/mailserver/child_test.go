package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// childEnv, when set to a Maildir path, makes the test binary run as a
// mailserver on that Maildir instead of running tests, so that a test
// can kill a real server process (TestCrashSIGKILL) without building
// the command separately.
const childEnv = "MAILSERVER_TEST_CHILD_MAILDIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	if spec := os.Getenv(relayChildEnv); spec != "" {
		os.Exit(runRelayChild(spec))
	}
	os.Exit(m.Run())
}

// runChild is the crash test child's main: the three services on the
// Maildir in dir.
func runChild(dir string) int {
	return serveChild(Config{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0", IMAP: "127.0.0.1:0",
		Domain: "example.test", UserList: "alice:secret", Maildir: dir})
}

// serveChild is a child process's main: Start, print "name addr" for each
// service and "ready", then serve until SIGTERM and shut down as main
// does.
func serveChild(cfg Config) int {
	m, err := Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, s := range m.Listening {
		fmt.Printf("%s %s\n", s.Name, s.Addr)
	}
	fmt.Println("ready")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// child is a mailserver process started by a test.
type child struct {
	cmd    *exec.Cmd
	addrs  map[string]string
	stderr *bytes.Buffer
}

// startChild runs the test binary as a mailserver on the Maildir dir and
// waits until it listens. The process is killed when the test ends if
// it still runs.
func startChild(t *testing.T, dir string) *child {
	t.Helper()
	return startChildCmd(t, exec.Command(os.Args[0], "-test.run=^$"), dir)
}

// startChildCmd is startChild for a command that runs the test binary
// some other way (from another path, as another user).
func startChildCmd(t *testing.T, cmd *exec.Cmd, dir string) *child {
	t.Helper()
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	c := &child{cmd: cmd, addrs: map[string]string{}, stderr: new(bytes.Buffer)}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		name, addr, _ := strings.Cut(sc.Text(), " ")
		c.addrs[name] = addr
	}
	require.NotEmpty(t, c.addrs["smtp"], "child did not start: %s", c.stderr)
	return c
}

// kill ends the process with SIGKILL: no deferred code, no Shutdown.
// It may be called from any goroutine.
func (c *child) kill() error {
	err := c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
	return err
}

// stop ends the process with SIGTERM and checks that it shut down
// cleanly.
func (c *child) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, c.cmd.Wait(), "%s", c.stderr)
}
