// Command mailfetch downloads the messages of a POP3 account into a Maildir
// folder, and on later runs only the messages it has not downloaded yet.
//
//	go run ./examples/mailfetch -pop3 host:port -user U -pass P -dir DIR
//	    [-starttls | -tls] [-cafile F] [-delete] [-timeout D] [-debug]
//
// Each message is streamed from RETR (RFC 1939 section 5) into DIR/tmp,
// synced to disk and renamed into DIR/new, as the Maildir format requires
// so that a reader never sees half a message (see maildir.go). Messages
// are stored with LF line ends, as Dovecot, Postfix's local(8) and procmail
// write Maildir files: every CRLF the server sends becomes LF, a bare CR is
// kept.
//
// The unique ids the server gives with UIDL (RFC 1939 section 7) of the
// messages stored so far are kept in DIR/.mailfetch-uidl, so that a second
// run fetches only new mail. An id is recorded only after its message is
// in DIR/new; a crash in between fetches that message again on the next
// run (a duplicate, never a loss).
//
// With -delete, the messages that are safely stored (now or by an earlier
// run) are marked with DELE and removed by the server when the session
// ends with QUIT (RFC 1939 section 6). Any failure ends the session without
// QUIT, so nothing at all is deleted then.
//
// -starttls upgrades the session with STLS (RFC 2595) and -tls connects with
// implicit TLS (RFC 8314, port 995); both verify the server's certificate
// against the system roots or the certificates in -cafile. Without either,
// the password is sent only to a loopback address.
//
// The summary line says how many messages were fetched, already present and
// deleted; the exit status is 0 only when the whole run succeeded.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the command line, fetches, prints the summary and returns the
// exit status: 0 on success, 1 when fetching failed, 2 for a bad command
// line.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailfetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("pop3", "", "POP3 server `host:port`")
	user := fs.String("user", "", "POP3 user name")
	pass := fs.String("pass", "", "POP3 password")
	dir := fs.String("dir", "", "Maildir `folder`; tmp, new and cur are created when missing")
	startTLS := fs.Bool("starttls", false, "upgrade to TLS with STLS (RFC 2595) before logging in")
	implicit := fs.Bool("tls", false, "connect with implicit TLS (RFC 8314), as on port 995")
	caFile := fs.String("cafile", "", "PEM `file` of the certificates to trust instead of the system roots")
	del := fs.Bool("delete", false, "delete the stored messages from the server (RFC 1939 section 6)")
	timeout := fs.Duration("timeout", 2*time.Minute, "limit for each network step: connecting, one command, one message")
	debug := fs.Bool("debug", false, "write the protocol exchange to stderr, passwords redacted")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *addr == "" || *user == "" || *dir == "" || fs.NArg() != 0 || *startTLS && *implicit {
		fmt.Fprintln(stderr, "usage: mailfetch -pop3 host:port -user U -pass P -dir DIR [-starttls | -tls] [-cafile F] [-delete]")
		fs.PrintDefaults()
		return 2
	}
	src := pop3Options{addr: *addr, user: *user, pass: *pass, startTLS: *startTLS, implicitTLS: *implicit}
	if *debug {
		src.debug = stderr
	}
	if *caFile != "" {
		cfg, err := trust(*caFile)
		if err != nil {
			fmt.Fprintln(stderr, "mailfetch:", err)
			return 2
		}
		src.tlsConfig = cfg
	}
	f := fetcher{dir: *dir, delete: *del, timeout: *timeout, saveEvery: time.Second}
	sum, err := f.run(context.Background(), src)
	fmt.Fprintln(stdout, sum)
	if err != nil {
		fmt.Fprintln(stderr, "mailfetch:", err)
		return 1
	}
	return 0
}

// trust returns a TLS configuration that trusts only the certificates in
// the PEM file, such as a test CA.
func trust(file string) (*tls.Config, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", file)
	}
	return &tls.Config{RootCAs: roots}, nil
}
