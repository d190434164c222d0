// Command mailfetch downloads the messages of a POP3 account or of an IMAP
// mailbox into a Maildir folder, and on later runs only the messages it
// has not downloaded yet.
//
//	go run ./examples/mailfetch -pop3 host:port -user U -pass P -dir DIR
//	    [-starttls | -tls] [-cafile F] [-delete] [-timeout D] [-debug]
//	go run ./examples/mailfetch -imap host:port -user U -pass P -dir DIR
//	    [-mailbox M] [-starttls | -tls] [-cafile F] [-delete] [-timeout D] [-debug]
//	go run ./examples/mailfetch -imap host:port -user U -pass P -list
//
// Each message is streamed from RETR (RFC 1939 section 5) or from UID
// FETCH BODY.PEEK[] (RFC 3501 section 6.4.5) into DIR/tmp, synced to disk
// and renamed into DIR/new (or DIR/cur, below), as the Maildir format
// requires so that a reader never sees half a message (see maildir.go).
// Messages are stored with LF line ends, as Dovecot, Postfix's local(8) and procmail write
// Maildir files: every CRLF the server sends becomes LF, a bare CR is
// kept. An IMAP message's \Draft, \Flagged, \Answered and \Seen flags
// become the Maildir info letters D, F, R and S: such a message is
// renamed into DIR/cur as "name:2,FS", as a mail reader files mail it has
// seen; a message without them lands in DIR/new. The flags are those of
// the moment of fetching; later changes on the server are not followed.
//
// The unique ids of the messages stored so far are kept in
// DIR/.mailfetch-uidl, so that a second run fetches only new mail: for
// POP3 the ids UIDL gives (RFC 1939 section 7), for IMAP
// "UIDVALIDITY.UID" of the mailbox (RFC 3501 section 2.3.1.1). When an
// IMAP mailbox's UIDVALIDITY changes, its UIDs no longer name the same
// messages: mailfetch says so and fetches the whole mailbox again. An id
// is recorded only after its message is in DIR/new or DIR/cur; a crash in
// between fetches that message again on the next run (a duplicate, never
// a loss).
//
// With -delete, the messages that are safely stored (now or by an earlier
// run) are removed from the server at the end of a successful run: POP3
// marks them with DELE and the server removes them when the session ends
// with QUIT (RFC 1939 section 6); IMAP opens the mailbox with SELECT
// instead of the read-only EXAMINE, and at the end marks them \Deleted
// and removes exactly them with UID EXPUNGE (RFC 4315 section 2.1), which
// needs a server with UIDPLUS. Any failure ends the session at once, so
// nothing at all is deleted then.
//
// -list prints the mailboxes of an IMAP account with their STATUS counts
// (RFC 3501 section 6.3.10): messages, unseen, UIDNEXT and UIDVALIDITY.
//
// -starttls upgrades the session with STLS (RFC 2595) or STARTTLS (RFC
// 3501 section 6.2.1) and -tls connects with implicit TLS (RFC 8314, port
// 995 or 993); both verify the server's certificate against the system
// roots or the certificates in -cafile. Without either, the password is
// sent only to a loopback address. -debug writes the protocol exchange
// to stderr with the credentials redacted; an IMAP trace holds the
// messages too.
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
	pop3Addr := fs.String("pop3", "", "POP3 server `host:port`")
	imapAddr := fs.String("imap", "", "IMAP server `host:port`")
	mailbox := fs.String("mailbox", "INBOX", "IMAP `mailbox` to fetch")
	list := fs.Bool("list", false, "print the IMAP mailboxes with their STATUS counts instead of fetching")
	user := fs.String("user", "", "user name")
	pass := fs.String("pass", "", "password")
	dir := fs.String("dir", "", "Maildir `folder`; tmp, new and cur are created when missing")
	startTLS := fs.Bool("starttls", false, "upgrade to TLS with STLS (RFC 2595) or STARTTLS (RFC 3501) before logging in")
	implicit := fs.Bool("tls", false, "connect with implicit TLS (RFC 8314), as on port 995 or 993")
	caFile := fs.String("cafile", "", "PEM `file` of the certificates to trust instead of the system roots")
	del := fs.Bool("delete", false, "delete the stored messages from the server (RFC 1939 section 6, RFC 4315 section 2.1)")
	timeout := fs.Duration("timeout", 2*time.Minute, "limit for each network step: connecting, one command, one message")
	debug := fs.Bool("debug", false, "write the protocol exchange to stderr, passwords redacted")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	isIMAP := *imapAddr != ""
	if (*pop3Addr == "") == !isIMAP || *user == "" || (*dir == "") != *list || fs.NArg() != 0 ||
		*startTLS && *implicit || *list && (!isIMAP || *del) {
		fmt.Fprintln(stderr, "usage: mailfetch -pop3 host:port -user U -pass P -dir DIR [-starttls | -tls] [-cafile F] [-delete] [-debug]")
		fmt.Fprintln(stderr, "       mailfetch -imap host:port -user U -pass P -dir DIR [-mailbox M] [-starttls | -tls] [-cafile F] [-delete] [-debug]")
		fmt.Fprintln(stderr, "       mailfetch -imap host:port -user U -pass P -list [-starttls | -tls] [-cafile F]")
		fs.PrintDefaults()
		return 2
	}
	var tlsConfig *tls.Config
	if *caFile != "" {
		cfg, err := trust(*caFile)
		if err != nil {
			fmt.Fprintln(stderr, "mailfetch:", err)
			return 2
		}
		tlsConfig = cfg
	}
	ctx := context.Background()
	var conn connector
	if isIMAP {
		o := imapOptions{addr: *imapAddr, user: *user, pass: *pass, mailbox: *mailbox,
			startTLS: *startTLS, implicitTLS: *implicit, tlsConfig: tlsConfig, write: *del}
		if *debug {
			o.debug = stderr
		}
		if *list {
			lctx, cancel := context.WithTimeout(ctx, *timeout)
			defer cancel()
			if err := listMailboxes(lctx, o, stdout); err != nil {
				fmt.Fprintln(stderr, "mailfetch:", err)
				return 1
			}
			return 0
		}
		conn = o
	} else {
		o := pop3Options{addr: *pop3Addr, user: *user, pass: *pass, startTLS: *startTLS, implicitTLS: *implicit, tlsConfig: tlsConfig}
		if *debug {
			o.debug = stderr
		}
		conn = o
	}
	f := fetcher{dir: *dir, delete: *del, timeout: *timeout, saveEvery: time.Second, notice: stdout}
	sum, err := f.run(ctx, conn)
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
