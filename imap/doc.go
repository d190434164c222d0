// Package imap implements the Internet Message Access Protocol: IMAP4rev1
// (RFC 3501) and IMAP4rev2 (RFC 9051), with the extensions mail clients
// rely on.
//
// The package holds what client and server share: the status responses
// (StatusResponse, with every response code of RFC 3501 section 7.1,
// RFC 4315, RFC 5530 and RFC 7162 as a named constant), the data a server
// returns (Envelope, BodyStructure, the FetchItemData types, SearchData,
// StatusData, ListData, NamespaceData), what a client asks for
// (FetchOptions, SearchCriteria, StatusOptions, ListOptions), sequence sets
// (SeqSet) and the connection states with their transition table
// (State, Allowed, Next). The syntax itself, atoms, strings, literals and
// lists under limits, lives in the internal wire codec.
//
// Client speaks to a server: one method per command, a context.Context on
// each, several goroutines may issue commands at once (tags are matched),
// message bodies stream as io.Readers, and unilateral responses (EXISTS,
// EXPUNGE, FETCH flag changes, ALERT, BYE) go to UnilateralHandler.
//
// Server is the other side, in the net/http shape of the smtp and pop3
// servers: fields for configuration and limits, Serve, ListenAndServe,
// ListenAndServeTLS (RFC 8314), Shutdown (BYE to idle and IDLE sessions)
// and Close. It parses every command itself and computes FETCH (ENVELOPE,
// BODYSTRUCTURE, every BODY[section] form) and SEARCH from the stored
// message through the message package; a Backend only stores bytes,
// flags, internal dates and UIDs, and reports changes so that each
// session's sequence numbers follow RFC 3501 section 7.4.1. imapmem is an
// in-memory Backend, imaptest a server for tests.
//
// Extensions: IDLE (RFC 2177), UIDPLUS (RFC 4315), MOVE (RFC 6851),
// NAMESPACE (RFC 2342), ID (RFC 2971), ENABLE (RFC 5161), UNSELECT
// (RFC 3691), LITERAL+ and LITERAL- (RFC 7888), SASL-IR (RFC 4959),
// SPECIAL-USE (RFC 6154), LIST-EXTENDED (RFC 5258), LIST-STATUS
// (RFC 5819), ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE and
// QRESYNC (RFC 7162), SORT and THREAD (RFC 5256), COMPRESS=DEFLATE
// (RFC 4978), BINARY (RFC 3516) and UTF8=ACCEPT (RFC 6855).
package imap
