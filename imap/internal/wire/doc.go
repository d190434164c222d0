// Package wire is the IMAP syntax codec shared by the imap client and server:
// a Reader that decodes the tokens of RFC 3501 section 9 and RFC 9051
// section 9 (atoms, quoted strings, literals, numbers, NIL, parenthesized
// lists) under limits, and a Writer that encodes them, choosing the cheapest
// valid form for each string.
//
// The codec knows tokens, not commands: the imap package composes them into
// responses, commands, envelopes and the rest. Literals are streamed: a
// Reader hands a literal's bytes out as an io.Reader and a Writer copies one
// from an io.Reader, so message bodies never sit whole in memory.
package wire
