// Package pop3maildir serves the Maildir store of message/maildir as a
// pop3.Backend: each user's maildrop (RFC 1939) is the INBOX of the
// user's maildir.Store.
//
// Give the Backend the same *maildir.Stores as imap/imapmaildir, and one
// user's mail is one Store whichever protocol reads it: a message a POP3
// client deletes (DELE, then QUIT: the UPDATE state of RFC 1939 section
// 6) is removed from the Store, and IMAP sessions with the INBOX
// selected see it expunged (RFC 3501 section 7.4.1).
//
// A session:
//   - locks the maildrop at login with Store.LockMaildrop, a dotlock that
//     other processes see too, so that two servers on one Maildir (or
//     two sessions of one server) never open it at once (RFC 1939
//     section 8); a second login gets -ERR [IN-USE] (RFC 2449 section
//     8.1.1) until the first session ends;
//   - lists the INBOX as it is at login: message numbers do not change
//     for the session (RFC 1939 section 5), and mail delivered meanwhile
//     waits for the next one;
//   - gives each message the size of its wire form, with CRLF line ends,
//     as RETR sends it (RFC 1939 section 5, LIST), and the unique id
//     Dovecot gives it (RFC 1939 section 7, UIDL): the one recorded in
//     dovecot-uidlist when Dovecot set one, else Dovecot's default
//     pop3_uidl_format "%08Xu%08Xv", the UID then the UIDVALIDITY in
//     eight lower-case hexadecimal digits each (as Dovecot writes %X). Dovecot and mailwire
//     serving one Maildir give a message the same UIDL;
//   - reads messages from the file as it streams them (memory does not
//     grow with the message); one removed by someone else meanwhile (an
//     IMAP EXPUNGE) answers RETR and TOP with "-ERR Message N expunged.",
//     as Dovecot does;
//   - removes the messages marked deleted at QUIT in one call to
//     Mailbox.Remove, and releases the lock however the session ends.
//
// The Backend checks passwords through its Authenticate function. The
// SASL mechanisms that authenticate without Login (SCRAM, EXTERNAL,
// OAUTHBEARER: pop3.IdentityBackend) need a store of credentials that
// this package does not keep; embed the Backend in a type that adds
// them, and let its OpenIdentity call OpenUser.
package pop3maildir
