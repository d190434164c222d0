package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the lineWriter's timer goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSink serves the sink backend on 127.0.0.1 and returns its address.
func startSink(t *testing.T, dir string, out *syncBuffer, maxBytes int64) string {
	t.Helper()
	lw := newLineWriter(out, time.Millisecond)
	srv := &smtp.Server{Domain: "sink.test", Backend: &sink{dir: dir, out: lw}, MaxMessageBytes: maxBytes}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		lw.Close()
	})
	return l.Addr().String()
}

func sendOne(t *testing.T, addr, from string, to []string, msg string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return smtp.SendMail(ctx, addr, nil, from, to, strings.NewReader(msg), nil)
}

// With -dir each message is kept byte-exact (RFC 5321 4.5.2: the dot
// stuffing undone) beside its envelope, and one line is printed.
func TestSinkStoresMessage_RFC5321_4_5_2(t *testing.T) {
	dir := t.TempDir()
	var out syncBuffer
	addr := startSink(t, dir, &out, 0)
	msg := "Subject: t\r\n\r\n.leading dot\r\n\xc3\xa9 8-bit\r\n"
	require.NoError(t, sendOne(t, addr, "a@x.test", []string{"b@y.test", "c@y.test"}, msg))

	emls, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	require.Len(t, emls, 1)
	got, err := os.ReadFile(emls[0])
	require.NoError(t, err)
	assert.Equal(t, msg, string(got))

	raw, err := os.ReadFile(strings.TrimSuffix(emls[0], ".eml") + ".json")
	require.NoError(t, err)
	var env envelope
	require.NoError(t, json.Unmarshal(raw, &env))
	assert.Equal(t, "a@x.test", env.From)
	assert.Equal(t, []string{"b@y.test", "c@y.test"}, env.To)
	assert.Equal(t, int64(len(msg)), env.Size)
	assert.NotEmpty(t, env.Helo)

	require.Eventually(t, func() bool { return out.String() != "" }, 5*time.Second, time.Millisecond)
	assert.Contains(t, out.String(), " from=<a@x.test> to=<b@y.test>,<c@y.test> size="+strconv.Itoa(len(msg))+"\n")
}

// RFC 1870 section 6: a message over the limit gets 552 5.3.4 and leaves
// no file behind.
func TestSinkOversizedLeavesNothing_RFC1870_6(t *testing.T) {
	dir := t.TempDir()
	addr := startSink(t, dir, &syncBuffer{}, 100)
	err := sendOne(t, addr, "a@x.test", []string{"b@y.test"}, strings.Repeat("x", 200)+"\r\n")
	var r *smtp.Reply
	require.ErrorAs(t, err, &r)
	assert.Equal(t, 552, r.Code)
	left, _ := os.ReadDir(dir)
	assert.Empty(t, left)
}

// Without -dir messages are discarded and still counted.
func TestSinkDiscards(t *testing.T) {
	var out syncBuffer
	addr := startSink(t, "", &out, 0)
	require.NoError(t, sendOne(t, addr, "", []string{"b@y.test"}, strings.Repeat("0123456789\r\n", 10000)))
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "from=<> to=<b@y.test> size=120000\n") },
		5*time.Second, time.Millisecond)
}
