package imap

import (
	"io"
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/message"
)

// This file writes ENVELOPE and BODYSTRUCTURE (RFC 3501 section 7.4.2)
// straight from the message package's structure summary, without building
// the client-side Envelope and BodyStructure values first.

// ParseStructure parses a stored message of size bytes into the summary
// FETCH ENVELOPE, BODYSTRUCTURE and body sections are computed from. A
// backend that keeps structures for StructureMessage should make them
// with it, so that they agree with what the server would compute.
//
// body-fld-lines (RFC 3501 section 7.4.2) is the message package's
// Structure.Lines, which counts line ends as Dovecot and UW imapd do.
//
// A message over one of the message package's Limits (nesting depth,
// number of parts, header fields or bytes) is not an error: the summary
// stops at the limit, what lies beyond is one opaque
// application/octet-stream part, and st.Truncated is set, as Dovecot
// serves such a message, so that one stored message cannot make FETCH
// or SEARCH fail for a mailbox. Only I/O errors are returned.
func ParseStructure(r io.ReaderAt, size int64) (*message.Structure, error) {
	return ParseStructureLimits(r, size, message.Limits{MaxDepth: DefaultStructureDepth})
}

// DefaultStructureDepth is the nesting of multipart and message/rfc822
// entities that ParseStructure follows; deeper entities are truncated
// (see ParseStructure). RFC 3501 sets no limit and Dovecot follows 100
// levels; 60 is chosen so that the deepest BODYSTRUCTURE the server can
// send fits in 64 nested lists, the limit of this package's Client
// (Options.MaxDepth) and a common one for recursive parsers: the FETCH
// response adds one list around the structure, and an entity at the
// deepest level adds at most three inside it (the addresses of an
// envelope, or a disposition's parameters).
const DefaultStructureDepth = 60

// ParseStructureLimits is ParseStructure with the message package's
// limits given (zero fields mean message.Default*), for a backend that
// wants to follow deeper or fewer entities; a MaxDepth over
// DefaultStructureDepth can produce responses some clients refuse.
func ParseStructureLimits(r io.ReaderAt, size int64, lim message.Limits) (*message.Structure, error) {
	return message.ReadStructureLimits(io.NewSectionReader(r, 0, size), lim)
}

// writeMessageEnvelope writes an envelope; absent fields are NIL.
func writeMessageEnvelope(w *wire.Writer, env *message.Envelope) {
	if env == nil {
		env = &message.Envelope{}
	}
	w.Open()
	writeEnvelopeString(w, env.Date, env.Present.Date)
	w.SP()
	writeEnvelopeString(w, env.Subject, env.Present.Subject)
	w.SP()
	for _, list := range [][]message.EnvelopeAddress{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
		writeMessageAddresses(w, list)
		w.SP()
	}
	writeEnvelopeString(w, env.InReplyTo, env.Present.InReplyTo)
	w.SP()
	writeEnvelopeString(w, env.MessageID, env.Present.MessageID)
	w.Close()
}

// writeEnvelopeString writes an nstring of an envelope: NIL for a field
// the header lacks, "" for one it has empty (message.Envelope.Present).
func writeEnvelopeString(w *wire.Writer, v string, present bool) {
	w.NString(v, !present)
}

func writeMessageAddresses(w *wire.Writer, list []message.EnvelopeAddress) {
	if len(list) == 0 {
		w.NIL()
		return
	}
	w.Open()
	for _, a := range list {
		w.Open()
		w.NString(a.Name, true).SP()
		w.NString(a.Route, true).SP()
		w.NString(a.Mailbox, true).SP()
		w.NString(a.Host, true)
		w.Close()
	}
	w.Close()
}

// writeMessageStructure writes body (RFC 3501 section 9): the basic
// fields, and with ext the extension data of BODYSTRUCTURE.
func writeMessageStructure(w *wire.Writer, s *message.Structure, ext bool) {
	w.Open()
	if s.IsMultipart() {
		for _, p := range s.Parts {
			writeMessageStructure(w, p, ext)
		}
		w.SP().String(s.Subtype)
		if ext {
			w.SP()
			writeMessageParams(w, s.Params)
			w.SP()
			writeMessageExtTail(w, s)
		}
		w.Close()
		return
	}
	w.String(s.Type).SP().String(s.Subtype).SP()
	writeMessageParams(w, s.Params)
	w.SP().NString(s.ID, true).SP().NString(s.Description, true).SP()
	w.String(s.Encoding).SP().Number64(uint64(s.Size))
	switch {
	case s.Message != nil && s.Type == "message":
		w.SP()
		writeMessageEnvelope(w, s.Message.Envelope)
		w.SP()
		writeMessageStructure(w, s.Message, ext)
		w.SP().Number64(uint64(s.Lines))
	case s.Type == "text":
		w.SP().Number64(uint64(s.Lines))
	}
	if ext {
		w.SP().NString(s.MD5, true).SP()
		writeMessageExtTail(w, s)
	}
	w.Close()
}

// writeMessageExtTail writes body-fld-dsp SP body-fld-lang SP
// body-fld-loc.
func writeMessageExtTail(w *wire.Writer, s *message.Structure) {
	if s.Disposition == "" {
		w.NIL()
	} else {
		w.Open().String(s.Disposition).SP()
		writeMessageParams(w, s.DispositionParams)
		w.Close()
	}
	w.SP()
	// body-fld-lang may be one string or a list (RFC 3501 section 9);
	// Dovecot always sends a list, and so do we.
	if len(s.Language) == 0 {
		w.NIL()
	} else {
		w.Open()
		for i, l := range s.Language {
			w.Sep(i).String(l)
		}
		w.Close()
	}
	w.SP().NString(s.Location, true)
}

// writeMessageParams writes body-fld-param: a list of name value pairs or
// NIL. The charset US-ASCII, the default of RFC 2045 section 5.2, is
// written "us-ascii" however the message spells it, as Dovecot writes it
// (charset names are case-insensitive, RFC 2045 section 5.1); other
// values go as sent, as Dovecot sends them.
func writeMessageParams(w *wire.Writer, ps message.Params) {
	if len(ps) == 0 {
		w.NIL()
		return
	}
	w.Open()
	for i, p := range ps {
		value := p.Value
		if strings.EqualFold(p.Name, "charset") && strings.EqualFold(value, "us-ascii") {
			value = "us-ascii"
		}
		w.Sep(i).String(p.Name).SP().String(value)
	}
	w.Close()
}
