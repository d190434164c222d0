// Command sendmail sends the message read from standard input to an SMTP
// server and prints the server's final reply.
//
//	go run ./examples/sendmail -server host:port -from A [-starttls | -tls]
//	    [-cafile F] [-user U -pass P] [-helo NAME] [-timeout D] [-debug] rcpt...
//
// The message must be a complete RFC 5322 message; plain LF line ends are
// turned into CRLF (RFC 5321 2.3.8). -starttls upgrades the session with
// STARTTLS (RFC 3207) and -tls connects with implicit TLS (RFC 8314); both
// verify the server's certificate against the system roots, or against the
// certificates in -cafile. -user and -pass
// authenticate with AUTH PLAIN (RFC 4954, RFC 4616). The exit status is 0
// only when the server accepted the message for every recipient.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

func main() {
	server := flag.String("server", "127.0.0.1:25", "SMTP server `host:port`")
	from := flag.String("from", "", "envelope sender (MAIL FROM); empty for the null path <>")
	startTLS := flag.Bool("starttls", false, "upgrade to TLS with STARTTLS (RFC 3207) before anything else")
	implicit := flag.Bool("tls", false, "connect with implicit TLS (RFC 8314), as on port 465")
	user := flag.String("user", "", "AUTH PLAIN user name")
	pass := flag.String("pass", "", "AUTH PLAIN password")
	caFile := flag.String("cafile", "", "PEM `file` of the certificates to trust instead of the system roots")
	helo := flag.String("helo", "", "name to give in EHLO (default: this host's name)")
	timeout := flag.Duration("timeout", 2*time.Minute, "limit for the whole delivery")
	debug := flag.Bool("debug", false, "write the protocol exchange to stderr")
	flag.Parse()
	if flag.NArg() == 0 || *startTLS && *implicit {
		fmt.Fprintln(os.Stderr, "usage: sendmail -server host:port -from A [-starttls | -tls] [-user U -pass P] rcpt... < message")
		flag.PrintDefaults()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	opts := options{server: *server, from: *from, to: flag.Args(), startTLS: *startTLS, implicitTLS: *implicit,
		user: *user, pass: *pass, helo: *helo}
	if *debug {
		opts.debug = os.Stderr
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sendmail:", err)
			os.Exit(2)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			fmt.Fprintln(os.Stderr, "sendmail: no certificate in", *caFile)
			os.Exit(2)
		}
		opts.tlsConfig = &tls.Config{RootCAs: roots}
	}
	reply, err := send(ctx, opts, os.Stdin)
	if reply != nil {
		fmt.Println(reply.Error())
	}
	if err != nil {
		var r *smtp.Reply
		if !errors.As(err, &r) || r != reply {
			fmt.Fprintln(os.Stderr, "sendmail:", err)
		}
		os.Exit(1)
	}
}

// options are the command line's settings.
type options struct {
	server, from string
	to           []string
	startTLS     bool
	implicitTLS  bool
	user, pass   string
	helo         string
	tlsConfig    *tls.Config // nil: the system roots
	debug        io.Writer
}

// send delivers msg and returns the reply to its end (RFC 5321 4.1.1.4),
// or the refusal that stopped it earlier, and the error.
func send(ctx context.Context, o options, msg io.Reader) (*smtp.Reply, error) {
	copts := &smtp.Options{TLSConfig: o.tlsConfig, Debug: o.debug, LocalName: o.helo, NormalizeNewlines: true}
	var c *smtp.Client
	var err error
	switch {
	case o.startTLS: // sends EHLO before and after STARTTLS
		c, err = smtp.DialStartTLS(ctx, o.server, copts)
	case o.implicitTLS:
		c, err = smtp.DialTLS(ctx, o.server, copts)
	default:
		c, err = smtp.Dial(ctx, o.server, copts)
	}
	if err != nil {
		return replyOf(err), err
	}
	defer c.Close()
	if !o.startTLS {
		if err := c.Hello(ctx, ""); err != nil {
			return replyOf(err), err
		}
	}
	if o.user != "" {
		if err := c.Auth(ctx, smtp.PlainAuth("", o.user, o.pass)); err != nil {
			return replyOf(err), err
		}
	}
	if err := c.Mail(ctx, o.from, nil); err != nil {
		return replyOf(err), err
	}
	for _, to := range o.to {
		if err := c.Rcpt(ctx, to, nil); err != nil {
			return replyOf(err), err
		}
	}
	w, err := c.Data(ctx)
	if err != nil {
		return replyOf(err), err
	}
	if _, err := io.Copy(w, msg); err != nil {
		w.Close()
		return nil, err
	}
	err = w.Close()
	reply := w.Reply()
	if err != nil {
		return reply, err
	}
	c.Quit(ctx)
	return reply, nil
}

// replyOf returns the server's reply inside err, or nil.
func replyOf(err error) *smtp.Reply {
	var r *smtp.Reply
	if errors.As(err, &r) {
		return r
	}
	return nil
}
