// Command smtpsink is an SMTP (RFC 5321) or LMTP (RFC 2033) server that
// accepts every sender and recipient without AUTH, prints one line per
// message and, with -dir, keeps each message byte-exact on disk with its
// envelope. It is a capture server for development and the server that
// ../shared/bench measures.
//
//	go run ./examples/smtpsink -addr 127.0.0.1:2525 [-dir DIR] [-lmtp]
//	    [-max-message-bytes N] [-tls-cert FILE -tls-key FILE] [-domain NAME] [-debug]
//
// Messages are streamed: to the file with -dir, or through one reused
// buffer into nothing without it, so memory does not grow with message
// size. SIGINT or SIGTERM stops it gracefully: sessions waiting for a
// command get 421 (RFC 5321 3.8), messages being received are finished.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:2525", "address to listen on")
	dir := flag.String("dir", "", "write each message to `DIR`/<time>-<n>.eml, its envelope to <time>-<n>.json")
	lmtp := flag.Bool("lmtp", false, "speak LMTP (RFC 2033) instead of SMTP")
	maxBytes := flag.Int64("max-message-bytes", 1<<30, "largest message accepted and advertised with SIZE (RFC 1870); "+
		"1 GiB by default, above the server's own default, so the benchmark's 200 MB message fits")
	certFile := flag.String("tls-cert", "", "PEM certificate `file`; with -tls-key, STARTTLS (RFC 3207) is offered")
	keyFile := flag.String("tls-key", "", "PEM private key `file`")
	domain := flag.String("domain", "", "host name for the greeting and EHLO reply (default: this host's name)")
	debug := flag.Bool("debug", false, "write the protocol exchange to stderr")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}

	out := newLineWriter(os.Stdout, 100*time.Millisecond)
	defer out.Close()
	if *dir != "" {
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	if *domain == "" {
		// Looked up once here: the server would otherwise ask the kernel
		// for it at every greeting, EHLO and QUIT.
		*domain, _ = os.Hostname()
	}
	srv := &smtp.Server{
		Addr:            *addr,
		Domain:          *domain,
		Backend:         &sink{dir: *dir, out: out},
		LMTP:            *lmtp,
		MaxMessageBytes: *maxBytes,
	}
	if *certFile != "" || *keyFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			log.Fatal(err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if *debug {
		srv.Debug = os.Stderr
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	fmt.Fprintf(os.Stderr, "smtpsink: listening on %s\n", *addr)
	select {
	case err := <-served:
		log.Fatal(err) // ListenAndServe returns only on failure before Shutdown
	case <-ctx.Done():
	}
	stop()
	fmt.Fprintln(os.Stderr, "smtpsink: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Print(err)
	}
	if err := <-served; !errors.Is(err, smtp.ErrServerClosed) {
		log.Print(err)
	}
}
