package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/mailwire/mailwire/smtp/queue"
)

// queueCmd is what the queue inspection flags ask for, as Postfix's
// mailq, "postqueue -f" and "postsuper -d" do.
type queueCmd struct {
	list   bool   // -mailq
	flush  bool   // -flush
	remove string // -remove ID
}

// routeFlag collects repeated -route domain=host:port flags.
type routeFlag map[string]string

func (r routeFlag) String() string {
	var parts []string
	for d, to := range r {
		parts = append(parts, d+"="+to)
	}
	return strings.Join(parts, ",")
}

func (r routeFlag) Set(v string) error {
	d, to, ok := strings.Cut(v, "=")
	if !ok || d == "" || to == "" {
		return errors.New("want domain=host:port")
	}
	r[strings.ToLower(d)] = to
	return nil
}

// relayFlags registers the relay's and the queue commands' flags.
func relayFlags(fs *flag.FlagSet, c *RelayConfig, q *queueCmd) {
	c.Routes = map[string]string{}
	fs.BoolVar(&c.Enabled, "relay", false, "queue and relay mail of authenticated clients to other domains (needs -queue-dir)")
	fs.StringVar(&c.QueueDir, "queue-dir", "", "spool `DIR` of the relay queue")
	fs.Var(routeFlag(c.Routes), "route", "`domain=host:port` instead of MX lookup; repeatable; domain * for a smart host")
	fs.BoolVar(&q.list, "mailq", false, "list the queue in -queue-dir and exit")
	fs.BoolVar(&q.flush, "flush", false, "retry every deferred message in -queue-dir now and exit")
	fs.StringVar(&q.remove, "remove", "", "remove the message `ID` from -queue-dir and exit (server stopped)")
}

// active reports whether a queue command was asked for.
func (q queueCmd) active() bool { return q.list || q.flush || q.remove != "" }

// run carries out the command on the spool in dir.
func (q queueCmd) run(dir string, w io.Writer) error {
	if dir == "" {
		return errors.New("-mailq, -flush and -remove need -queue-dir")
	}
	spool, err := queue.OpenSpool(dir)
	if err != nil {
		return err
	}
	pid, running := serverPID(dir)
	switch {
	case q.remove != "":
		if running {
			return fmt.Errorf("mailserver %d runs on %s: stop it first", pid, dir)
		}
		if err := spool.Remove(q.remove); err != nil {
			return fmt.Errorf("%s: %w", q.remove, err)
		}
		fmt.Fprintf(w, "%s: removed\n", q.remove)
	case q.flush:
		if running {
			// The running server owns the queue: it flushes its own.
			return syscall.Kill(pid, syscall.SIGUSR1)
		}
		qq, err := queue.Open(spool)
		if err != nil {
			return err
		}
		return qq.Flush()
	}
	if q.list {
		qq, err := queue.Open(spool)
		if err != nil {
			return err
		}
		printQueue(w, qq.Entries())
	}
	return nil
}

// serverPID returns the PID of the mailserver holding the queue's lock.
func serverPID(dir string) (int, bool) {
	f, err := os.Open(filepath.Join(dir, "lock"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB) == nil {
		return 0, false
	}
	b, _ := io.ReadAll(f)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil
}

// printQueue lists the entries as mailq does: ID, size, arrival and
// sender, then each recipient still queued with its state and last reply.
func printQueue(w io.Writer, entries []*queue.Entry) {
	if len(entries) == 0 {
		fmt.Fprintln(w, "Mail queue is empty")
		return
	}
	var total int64
	for _, e := range entries {
		from := e.From
		if from == "" {
			from = "MAILER-DAEMON"
		}
		fmt.Fprintf(w, "%-30s %8d %s  %s\n", e.ID, e.Size, e.Arrived.Format("Mon Jan _2 15:04:05"), from)
		for _, r := range e.Recipients {
			fmt.Fprintf(w, "    %-10s %s", r.State, r.Addr)
			if r.Reply != nil {
				fmt.Fprintf(w, " (%s)", r.Reply.Error())
			}
			fmt.Fprintln(w)
		}
		total += e.Size
	}
	fmt.Fprintf(w, "-- %d Kbytes in %d Requests.\n", (total+1023)/1024, len(entries))
}
