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
package maildir
