package imaptest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/testserver"
)

// An Option configures a Server made by NewServer or Start. The option
// names are those of smtptest and pop3test (see the package doc).
type Option func(*config)

// config is what the options set; it does not change once the server runs.
type config struct {
	testserver.Settings[imap.Server]
	users [][2]string
	loads []func(s *imapmem.Backend) error
}

// WithUser adds a user with a password and an INBOX holding msgs, in
// order. Without any WithUser the server has user "user" with password
// "pass". Preloaded messages are not deliveries: WaitMessages does not
// count them.
func WithUser(name, password string, msgs ...[]byte) Option {
	return func(c *config) {
		c.users = append(c.users, [2]string{name, password})
		for _, m := range msgs {
			WithMessage(name, imap.Inbox, m)(c)
		}
	}
}

// WithMailbox creates a mailbox, with an RFC 6154 special use or "".
func WithMailbox(user, mailbox string, specialUse imap.MailboxAttr) Option {
	return func(c *config) {
		c.loads = append(c.loads, func(s *imapmem.Backend) error {
			if err := s.CreateMailbox(user, mailbox, specialUse); err != nil {
				return fmt.Errorf("imaptest: creating %s: %w", mailbox, err)
			}
			return nil
		})
	}
}

// WithMessage stores a message in a mailbox, with flags.
func WithMessage(user, mailbox string, data []byte, flags ...imap.Flag) Option {
	return func(c *config) {
		c.loads = append(c.loads, func(s *imapmem.Backend) error {
			if _, err := s.Append(user, mailbox, data, flags, time.Now()); err != nil {
				return fmt.Errorf("imaptest: loading a message into %s: %w", mailbox, err)
			}
			return nil
		})
	}
}

// WithEMLDir stores every *.eml file of dir in a mailbox, in name order.
func WithEMLDir(user, mailbox, dir string) Option {
	return func(c *config) {
		c.loads = append(c.loads, func(s *imapmem.Backend) error {
			files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
			if err != nil {
				return fmt.Errorf("imaptest: %w", err)
			}
			sort.Strings(files)
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					return fmt.Errorf("imaptest: %w", err)
				}
				if _, err := s.Append(user, mailbox, data, nil, time.Now()); err != nil {
					return fmt.Errorf("imaptest: loading %s: %w", f, err)
				}
			}
			return nil
		})
	}
}

// WithInsecureAuth accepts LOGIN and AUTHENTICATE over a cleartext
// connection (imap.Server.AllowInsecureAuth). Without it the server
// advertises LOGINDISABLED and refuses them before STARTTLS (RFC 3501
// sections 6.2.3 and 11.1), as a production server should.
func WithInsecureAuth() Option { return func(c *config) { c.InsecureAuth = true } }

// WithTLS offers STARTTLS (RFC 3501 section 6.2.1) with a certificate for
// 127.0.0.1 and localhost made at run time; Server.ClientTLSConfig trusts
// it.
func WithTLS() Option { return func(c *config) { c.TLS = true } }

// WithImplicitTLS serves IMAP inside TLS from the first octet, as on port
// 993 (RFC 8314 section 3.3), with the certificate of WithTLS.
func WithImplicitTLS() Option { return func(c *config) { c.ImplicitTLS = true } }

// WithServer changes the imap.Server before it starts, to set limits,
// timeouts or a Logger. A BeforeCommand set here runs after FailCommand
// and DropOn.
func WithServer(fn func(*imap.Server)) Option {
	return func(c *config) { c.Tweaks = append(c.Tweaks, fn) }
}
