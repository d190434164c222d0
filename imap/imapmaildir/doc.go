// Package imapmaildir serves the Maildir store of message/maildir over
// IMAP: a Backend for imap.Server whose users' mail is a maildir.Store,
// the Maildir++ tree Dovecot 2.3 keeps, so that this server, another
// process running it, Dovecot and a delivery agent can all serve one
// Maildir at the same time.
//
// The Store does the work: UIDs come from dovecot-uidlist (RFC 3501
// section 2.3.1.1), flags and keywords from the file names and
// dovecot-keywords, parsed structures from the store's cache, and
// changes made by anyone reach the session through a maildir.Watcher,
// IDLE included (RFC 2177). This package only translates:
//
//   - mailbox names: IMAP's levels are separated by imap.Delimiter "/",
//     the Store's by "." (Maildir++), so "a/b" is the folder "a.b"
//     (directory ".a.b"); a level that holds a "." cannot be stored
//     and is refused NO [CANNOT], as Dovecot with LAYOUT=maildir++
//     refuses it (see names.go);
//   - flags: imap.Flag values are the Store's strings, without \Recent,
//     which the server keeps per session (RFC 3501 section 2.3.2);
//   - changes: a Watcher's Added, Removed and Changed become UpdateNew,
//     UpdateExpunge and UpdateFlags; the server owns sequence numbers
//     and reports expunges only when RFC 3501 section 7.4.1 allows;
//   - errors: the Store's refusals become the response codes of RFC
//     5530 (a name too long is [LIMIT], an invalid one [CANNOT], an
//     existing folder [ALREADYEXISTS], a missing one [NONEXISTENT] or,
//     for APPEND, COPY and MOVE, [TRYCREATE], a message gone
//     [EXPUNGEISSUED], 26 keywords in use [LIMIT]); only a failure of
//     the store itself is NO [SERVERBUG].
//
// Give the same *maildir.Stores to pop3/pop3maildir and to a delivery
// agent, and one Store per user serves every protocol of the process.
package imapmaildir
