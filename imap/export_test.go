package imap

// StartDovecot lets the external tests (package imap_test, which may
// import imaptest) compare our server with a private Dovecot.
var StartDovecot = startDovecot

// NumVerbs bounds the verbs, so that external tests can range over them.
const NumVerbs = numVerbs
