package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// envelope is what the .json file beside each message holds: the SMTP
// envelope (RFC 5321 2.3.1) and the session facts a trace header would
// carry (RFC 5321 4.4).
type envelope struct {
	From        string           `json:"from"`
	To          []string         `json:"to"`
	MailOptions smtp.MailOptions `json:"mail_options"`
	Helo        string           `json:"helo"`
	Remote      string           `json:"remote"`
	TLS         bool             `json:"tls"`
	Identity    string           `json:"identity,omitempty"`
	Received    time.Time        `json:"received"`
	Size        int64            `json:"size"`
}

// store streams the message to DIR/<time>-<n>.eml through buf and writes
// its envelope to DIR/<time>-<n>.json. The message is written under a
// temporary name and renamed last, so a .eml file is always complete and
// has its envelope; a failed message leaves nothing. The files are not
// synced: this is a capture tool, not a queue.
func (s *session) store(r io.Reader, buf []byte, now time.Time) (int64, error) {
	base := filepath.Join(s.sink.dir, fmt.Sprintf("%s-%d", now.Format("20060102T150405.000000000Z"), s.sink.seq.Add(1)))
	tmp := base + ".eml.tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	size, err := copyBuffer(f, r, buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.writeEnvelope(base+".json", now, size)
	}
	if err == nil {
		err = os.Rename(tmp, base+".eml")
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(base + ".json")
	}
	return size, err
}

// copyBuffer is io.CopyBuffer without its shortcuts, which would bypass
// buf (os.File's ReadFrom allocates a buffer per call for a reader it
// cannot splice from).
func copyBuffer(w io.Writer, r io.Reader, buf []byte) (int64, error) {
	var size int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return size, werr
			}
			size += int64(n)
		}
		if err == io.EOF {
			return size, nil
		}
		if err != nil {
			return size, err
		}
	}
}

func (s *session) writeEnvelope(name string, now time.Time, size int64) error {
	env := envelope{
		From: s.from, To: s.to, MailOptions: s.opts,
		Helo: s.conn.Hostname(), Remote: s.conn.RemoteAddr().String(), TLS: s.conn.TLS() != nil,
		Identity: s.conn.Identity(), Received: now, Size: size,
	}
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(b, '\n'), 0o644)
}
