// Command mailserver is a whole small mail system in one program: SMTP
// in (RFC 5321, with submission per RFC 6409), POP3 (RFC 1939) and IMAP
// (RFC 3501) out, over one store in memory or in a Maildir.
//
//	go run ./examples/mailserver [-smtp ADDR] [-submission ADDR] [-pop3 ADDR] [-imap ADDR]
//	    [-domain NAME] [-users alice:secret,... | -users-file F] [-maildir DIR]
//	    [-tls-cert F -tls-key F [-smtps ADDR] [-pop3s ADDR] [-imaps ADDR]]
//	    [-insecure-auth] [-max-message-bytes N]
//	    [-relay -queue-dir DIR [-route domain=host:port ...]]
//	go run ./examples/mailserver -queue-dir DIR -mailq | -flush | -remove ID
//
// With no flags it listens on 127.0.0.1 (SMTP 2525, POP3 2110, IMAP 2143)
// with one user, demo (password demo), whose address is demo@localhost.
// Mail for local users is put in their INBOX with Return-Path and
// Received headers (RFC 5321 section 4.4); mail for other domains is
// refused (no open relay), unless -relay queues it for clients that
// authenticated. SIGINT or SIGTERM shuts every server down gracefully.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	var c Config
	flag.StringVar(&c.SMTP, "smtp", "127.0.0.1:2525", "SMTP `address` for incoming mail (empty: off)")
	flag.StringVar(&c.Submission, "submission", "", "message submission `address`, AUTH required (RFC 6409), e.g. 127.0.0.1:2587")
	flag.StringVar(&c.SMTPS, "smtps", "", "submission over implicit TLS `address` (RFC 8314), needs -tls-cert")
	flag.StringVar(&c.POP3, "pop3", "127.0.0.1:2110", "POP3 `address` (empty: off)")
	flag.StringVar(&c.POP3S, "pop3s", "", "POP3 over implicit TLS `address`, needs -tls-cert")
	flag.StringVar(&c.IMAP, "imap", "127.0.0.1:2143", "IMAP `address` (empty: off)")
	flag.StringVar(&c.IMAPS, "imaps", "", "IMAP over implicit TLS `address`, needs -tls-cert")
	flag.StringVar(&c.Domain, "domain", "localhost", "mail domain of the users and host name of the servers")
	flag.StringVar(&c.UserList, "users", "", "users as `name:password,...` (default: demo:demo unless -users-file)")
	flag.StringVar(&c.UsersFile, "users-file", "", "`file` of name:password lines")
	flag.StringVar(&c.Maildir, "maildir", "", "keep mail in `DIR`/<user>/Maildir instead of memory")
	certFile := flag.String("tls-cert", "", "PEM certificate `file`: STARTTLS/STLS on every port")
	keyFile := flag.String("tls-key", "", "PEM private key `file`")
	flag.BoolVar(&c.InsecureAuth, "insecure-auth", false, "allow passwords without TLS (always allowed on loopback)")
	flag.Int64Var(&c.MaxMessageBytes, "max-message-bytes", 0, "largest message SMTP accepts (0: the smtp package default)")
	var qc queueCmd
	relayFlags(flag.CommandLine, &c.Relay, &qc)
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if qc.active() {
		if err := qc.run(c.Relay.QueueDir, os.Stdout); err != nil {
			log.Fatal(err)
		}
		return
	}
	if c.UserList == "" && c.UsersFile == "" {
		c.UserList = "demo:demo"
	}
	var err error
	if c.TLS, err = loadTLS(*certFile, *keyFile); err != nil {
		log.Fatal(err)
	}
	c.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	m, err := Start(c)
	if err != nil {
		log.Fatal(err)
	}
	printBanner(os.Stdout, m)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	<-ctx.Done()
	stop()
	fmt.Fprintln(os.Stderr, "mailserver: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.Shutdown(sctx); err != nil {
		log.Print(err)
	}
}
