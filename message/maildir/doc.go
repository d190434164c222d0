// Package maildir reads and writes the Maildir format as Dovecot and
// Postfix use it (https://cr.yp.to/proto/maildir.html, with the
// Maildir++ folder convention): a folder is a directory with tmp, new
// and cur; a message is one file, written to tmp and renamed into new
// so that no reader ever sees it partial; its flags are the info suffix
// ":2,FLAGS" of its name once it is in cur.
//
// Messages are stored with LF line ends, as Dovecot and Postfix store
// them; the names carry ",S=size" (the file's size) and ",W=size" (the
// size with CRLF line ends, RFC 822 wire form), as Dovecot's LDA writes
// them, so sizes are known without reading the file.
//
// The IMAP state of a folder is kept in Dovecot's own files, so that
// Dovecot and this package can serve one Maildir at the same time:
// dovecot-uidlist (UIDVALIDITY, the next UID and each message's UID,
// see UIDList), changed only under its dotlock dovecot-uidlist.lock
// (see Lock and UpdateUIDList), and dovecot-keywords (the keywords of
// the info letters a to z, see Keywords). Mod-sequences are not among
// them: Dovecot keeps its own in its binary index, so a store that
// needs them keeps them in a file of its own.
//
// Folders are laid out as Dovecot's default LAYOUT=maildir++: INBOX is
// the Maildir, every other mailbox the directory "." + its name in
// modified UTF-7 (RFC 3501 section 5.1.3) with "." as the hierarchy
// separator, marked by an empty maildirfolder file (see FolderPath,
// CheckName, CreateFolder, RenameFolder, DeleteFolder, ListFolders).
// Subscriptions are Dovecot's subscriptions file, changed under its
// dotlock (see SetSubscribed). CleanTmp removes what crashed writers
// left in tmp.
//
// # The Store
//
// Store serves one user's Maildir++ tree, protocol neutral, for the IMAP
// and POP3 adapters (imap/imapmaildir, pop3/pop3maildir). All its state
// is on disk, so that several processes, and Dovecot, serve one Maildir
// at once; memory caches it, and each Mailbox brings its index up to
// date before it answers: five stats (new/, cur/, dovecot-uidlist,
// dovecot-keywords, ModSeqFile) when nothing changed, a readdir and a
// read of what was appended to the files when something did. A
// directory time younger than two seconds is not trusted (a change in
// the same tick leaves it as it was): the next call looks again.
//
// Append writes into tmp/ without a lock, then, under the
// dovecot-uidlist dotlock, renames the file into new/ (cur/ with flags)
// and adds its UID, so that no process scans it before it has one, as
// Dovecot does. A file that a delivery agent or Dovecot put there gets
// its UID from the first mailwire process that finds it, under the lock
// and after reading the list again.
//
// ModSeqFile ("mailwire-modseq", in each folder) holds the RFC 7162
// mod-sequences, consistent across processes. It is a log, appended
// under the dovecot-uidlist dotlock in one write per change set:
//
//	mailwire-modseq 1 V<uidvalidity> H<highest modseq at the rewrite>
//	<modseq> A <uid> :<info letters>   the message was first recorded
//	<modseq> F <uid> :<info letters>   its info letters became these
//	<modseq> X <uid>                   it was expunged
//
// Mod-sequences ascend through the file; HIGHESTMODSEQ is the largest
// read, and never decreases. A reader without the lock reads complete
// lines only (a line without its LF is being written, or was torn by a
// crash and is skipped). A change Dovecot or a delivery agent made (a
// file renamed, new or gone) is recorded by the first mailwire process
// that sees it, under the lock after reading the log's tail, so a second
// process adopts that record instead of adding its own. When the file
// holds over four times as many records as there are messages and
// expunges (and over 1024), it is rewritten (one F record per message,
// the X records kept for QRESYNC's VANISHED (EARLIER)) to a temporary
// file renamed over it. A file of another UIDVALIDITY is started anew.
//
// CacheFile ("mailwire-cache") holds per base name the internal date,
// the wire size, the CRLF checkpoints and the parsed structure, as
// CRC-checked records appended in one write each (see cachefile.go), so
// that a restart neither stats nor parses the messages. It is read when
// a refresh meets messages it has not seen; each message's index entry
// keeps the offset of its structure record. Grown past twice the
// messages (and 1024 records) it is rewritten with one record per
// message and renamed over the old file, under its own dotlock; a
// process whose offsets then point at the wrong record reads the new
// file's offsets.
package maildir
