// Package pop3 implements the Post Office Protocol version 3 (RFC 1939):
// a Server that serves maildrops from a pluggable Backend and a Client.
//
// Both sides speak the extensions in common use: CAPA, response codes and
// PIPELINING (RFC 2449), the [SYS/TEMP], [SYS/PERM] and [AUTH] codes (RFC
// 3206), STLS (RFC 2595), SASL AUTH (RFC 5034) with PLAIN and LOGIN (RFC
// 4616), SCRAM-SHA-256, SCRAM-SHA-1 and their -PLUS (RFC 7677, RFC 5802),
// EXTERNAL (RFC 4422 appendix A) and OAUTHBEARER (RFC 7628), APOP (RFC
// 1939 section 7), UTF8 (RFC 6856) and implicit TLS on port 995 (RFC
// 8314). The Server offers a SASL mechanism beyond PLAIN and LOGIN when
// its Backend implements the interface for it (ScramBackend,
// ExternalBackend, OAuthBearerBackend, SASLBackend).
//
// Mail is never lost: messages marked with DELE are removed only in the
// UPDATE state after QUIT, a dropped connection deletes nothing, and a
// Backend that cannot remove them makes QUIT answer -ERR (RFC 1939 section
// 6). Messages are streamed in both directions, so memory per session does
// not grow with message size.
//
// A minimal server over the in-memory store of package pop3mem:
//
//	store := &pop3mem.Store{}
//	store.AddUser("alice", "secret")
//	srv := &pop3.Server{Backend: store, TLSConfig: cfg}
//	log.Fatal(srv.ListenAndServe())
//
// Package pop3test starts such a server for tests.
package pop3
