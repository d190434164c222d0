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
package maildir
