// Package imapmaildir serves the Maildir store of message/maildir over
// IMAP: a Backend for imap.Server whose users' mail is a Maildir++ tree
// in Dovecot's formats, so that this server, other processes running it
// on the same directories, Dovecot itself and a delivery agent dropping
// files in new/ all serve one mailbox at the same time.
//
// Everything a mailbox holds (UIDs, flags, keywords, internal dates,
// parsed structures, subscriptions, special-use attributes) lives in the
// maildir.Store; this package only translates between the two APIs:
//
//   - Mailbox names: IMAP's are UTF-8 with imap.Delimiter ('/') between
//     levels, the Store's have Maildir++'s '.' (maildir.CheckName), so
//     "Work/2024" is the folder "Work.2024", directory ".Work.2024". A
//     level that contains '.' cannot be told from two levels on disk and
//     is refused with NO [CANNOT], as Dovecot refuses it with
//     LAYOUT=maildir++ (see names.go).
//   - Errors: the Store's errors that the client caused become the RFC
//     5530 response codes (LIMIT, CANNOT, ALREADYEXISTS, NONEXISTENT or
//     TRYCREATE, EXPUNGEISSUED); only faults of the store itself reach
//     the client as NO [SERVERBUG] (see errors.go).
//   - Changes: each selected session watches its folder
//     (maildir.Watcher); what other sessions, other processes or Dovecot
//     changed reaches it through Poll and, during IDLE (RFC 2177),
//     through Changed. What the session changed itself is returned to it
//     and not reported back (see imap.Mailbox).
//
// Messages are read from their files at any offset (maildir.Message),
// never held whole in memory, and BODYSTRUCTURE, ENVELOPE and body
// sections use the structure the Store caches on disk
// (imap.StructureMessage), so a restart parses nothing again. Give the
// Stores StructureLimits with MaxDepth imap.DefaultStructureDepth (see
// Backend.Stores): a structure cached deeper than BODYSTRUCTURE may be
// is left to the server's own parse.
//
// The same *maildir.Stores can be given to pop3/pop3maildir, so that
// both protocols share one Store per user and tell each other's sessions
// of a change at once.
package imapmaildir
