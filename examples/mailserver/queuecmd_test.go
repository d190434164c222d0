package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

// queued makes a spool in a new folder holding one deferred message.
func queued(t *testing.T) (dir, id string) {
	t.Helper()
	dir = t.TempDir()
	spool, err := queue.OpenSpool(dir)
	require.NoError(t, err)
	q, err := queue.Open(spool)
	require.NoError(t, err)
	id, err = q.Enqueue(&queue.Entry{From: "alice@a.test", Recipients: []queue.Recipient{{
		Addr: "bob@b.test", State: queue.Deferred, Attempts: 1,
		Reply:       smtp.NewReply(451, smtp.EnhancedCode{4, 4, 1}, "No answer from host"),
		NextAttempt: time.Now().Add(time.Hour),
	}}}, strings.NewReader("Subject: x\r\n\r\ny\r\n"))
	require.NoError(t, err)
	return dir, id
}

func TestQueueCmd_MailqFlushRemove(t *testing.T) {
	dir, id := queued(t)
	var out bytes.Buffer
	require.NoError(t, queueCmd{list: true}.run(dir, &out))
	assert.Contains(t, out.String(), id)
	assert.Contains(t, out.String(), "alice@a.test")
	assert.Contains(t, out.String(), "deferred   bob@b.test (451 4.4.1 No answer from host)")

	require.NoError(t, queueCmd{flush: true}.run(dir, &out))
	spool, err := queue.OpenSpool(dir)
	require.NoError(t, err)
	list, err := spool.List()
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.True(t, list[0].Recipients[0].NextAttempt.IsZero(), "flushed: due now")

	out.Reset()
	require.NoError(t, queueCmd{remove: id}.run(dir, &out))
	assert.Equal(t, id+": removed\n", out.String())
	out.Reset()
	require.NoError(t, queueCmd{list: true}.run(dir, &out))
	assert.Equal(t, "Mail queue is empty\n", out.String())
	assert.Error(t, queueCmd{remove: id}.run(dir, &out))
}

// While a server holds the queue, -remove refuses: the server's copy of
// the queue would bring the entry back.
func TestQueueCmd_RemoveRefusedWhileServing(t *testing.T) {
	dir, id := queued(t)
	lock, err := lockQueue(dir)
	require.NoError(t, err)
	defer lock.Close()
	err = queueCmd{remove: id}.run(dir, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stop it first")
	_, err = lockQueue(dir)
	assert.Error(t, err, "a second server on the same queue")
}

func TestRelayFlags(t *testing.T) {
	var rc RelayConfig
	var qc queueCmd
	fs := flag.NewFlagSet("mailserver", flag.ContinueOnError)
	relayFlags(fs, &rc, &qc)
	require.NoError(t, fs.Parse([]string{"-relay", "-queue-dir", "/q", "-route", "B.test=127.0.0.1:25", "-route", "*=smart:587", "-mailq"}))
	assert.True(t, rc.Enabled)
	assert.Equal(t, "/q", rc.QueueDir)
	assert.Equal(t, map[string]string{"b.test": "127.0.0.1:25", "*": "smart:587"}, rc.Routes)
	assert.True(t, qc.active())
	assert.Error(t, fs.Parse([]string{"-route", "nohost"}))
}
