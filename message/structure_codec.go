package message

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// The binary form of a Structure, written by Structure.AppendBinary and
// read by Structure.UnmarshalBinary, is for caches of parsed messages kept
// by this version of the package, such as a mail store's index, so that a
// server restart need not parse every message again to answer FETCH
// BODYSTRUCTURE or ENVELOPE (RFC 3501 section 7.4.2), as Dovecot answers
// them from its dovecot.index.cache. It is not an interchange format: the
// leading version byte changes whenever the layout does, and data of
// another version is refused, so that the cache is rebuilt by parsing the
// message again.
//
// Layout (version 2). Numbers are unsigned varints (encoding/binary) and
// int64 fields signed (zig-zag) varints; a string is its length and its
// bytes; a list is its length plus one, 0 standing for a nil list, and
// its elements. After the version byte comes the root entity:
//
//	entity   = Type Subtype ID Description MD5 Location Encoding
//	           Disposition Params DispositionParams Language
//	           HeaderOffset BodyOffset End Size Lines flags
//	           Parts [Envelope] [Message]
//	flags    = byte: 1 Envelope follows, 2 Message follows, 4 Truncated
//	Params   = list of (Name Value)
//	Envelope = Date Subject envflags From [Sender] [ReplyTo] To Cc Bcc
//	           InReplyTo MessageID
//	envflags = byte: 1 Sender is From, 2 ReplyTo is From (and is left out);
//	           4, 8, 16, 32: Present.Date, .Subject, .InReplyTo, .MessageID
//
// The address lists are lists of Name Route Mailbox Host.
//
// Nothing may follow the root entity.
const structureFormat = 2

// Bounds on the trees the binary form holds: those ReadStructure builds with
// the default Limits, whose truncation adds one opaque entity one level
// below MaxDepth, or one entity past MaxParts (see truncate.go). They keep
// the decoder's recursion and its allocations bounded whatever the input.
const (
	maxCodecDepth = DefaultMaxDepth + 1 // levels below the root
	maxCodecParts = DefaultMaxParts + 1 // entities, the root included
)

// The fewest bytes an encoded element can take, to check a list's length
// against the input left before allocating it.
const (
	minEntityBytes  = 8 + 3 + 5 + 1 + 1 // strings, lists, offsets, flags, Parts
	minParamBytes   = 2                 // Name, Value
	minAddressBytes = 4                 // Name, Route, Mailbox, Host
)

const (
	flagEnvelope  = 1 << iota // an Envelope follows the Parts
	flagMessage               // an encapsulated Message follows
	flagTruncated             // Structure.Truncated
	knownFlags    = flagEnvelope | flagMessage | flagTruncated
)

const (
	flagSenderIsFrom     = 1 << iota // Envelope.Sender is From, not written again
	flagReplyToIsFrom                // Envelope.ReplyTo is From, not written again
	flagDatePresent                  // Envelope.Present.Date
	flagSubjectPresent               // Envelope.Present.Subject
	flagInReplyToPresent             // Envelope.Present.InReplyTo
	flagMessageIDPresent             // Envelope.Present.MessageID
	knownEnvelopeFlags   = flagSenderIsFrom | flagReplyToIsFrom |
		flagDatePresent | flagSubjectPresent | flagInReplyToPresent | flagMessageIDPresent
)

// ErrCorruptStructure is the error, matched with errors.Is, that
// Structure.UnmarshalBinary returns for data it cannot read: cut short,
// malformed, of another format version, or describing a tree deeper or
// larger than ReadStructure builds with the default Limits. A cache that
// meets it should parse the message again.
var ErrCorruptStructure = errors.New("message: corrupt binary structure")

// MarshalBinary encodes s, its parts and encapsulated messages with their
// envelopes, every field, in a compact binary form (its layout is set out
// in structure_codec.go) meant for caches of this version of the package,
// not for interchange: a leading version byte changes whenever the layout
// does, and UnmarshalBinary refuses other versions, so that a cache parses
// the message again. It implements encoding.BinaryMarshaler.
//
// A tree deeper or larger than ReadStructure builds with the default
// Limits (DefaultMaxDepth, DefaultMaxParts) is refused with a *LimitError,
// as is one with a nil part, since UnmarshalBinary could not read it back.
func (s *Structure) MarshalBinary() ([]byte, error) {
	return s.AppendBinary(make([]byte, 0, 512))
}

// AppendBinary appends the binary form of s that MarshalBinary returns to
// b and returns the extended slice; on error it returns b unchanged in
// length. It implements encoding.BinaryAppender.
func (s *Structure) AppendBinary(b []byte) ([]byte, error) {
	if s == nil {
		return b, errors.New("message: MarshalBinary of a nil Structure")
	}
	e := encoder{b: append(b, structureFormat)}
	e.entity(s, 0)
	if e.err != nil {
		return b, e.err
	}
	return e.b, nil
}

// An encoder appends the binary form to b. The first error stops it.
type encoder struct {
	b     []byte
	parts int
	err   error
}

func (e *encoder) entity(s *Structure, depth int) {
	e.parts++
	switch {
	case e.err != nil:
		return
	case depth > maxCodecDepth:
		e.err = &LimitError{"MaxDepth", DefaultMaxDepth}
		return
	case e.parts > maxCodecParts:
		e.err = &LimitError{"MaxParts", DefaultMaxParts}
		return
	}
	for _, v := range [...]string{s.Type, s.Subtype, s.ID, s.Description, s.MD5, s.Location, s.Encoding, s.Disposition} {
		e.string(v)
	}
	e.params(s.Params)
	e.params(s.DispositionParams)
	e.listLen(len(s.Language), s.Language == nil)
	for _, tag := range s.Language {
		e.string(tag)
	}
	for _, n := range [...]int64{s.HeaderOffset, s.BodyOffset, s.End, s.Size, s.Lines} {
		e.b = binary.AppendVarint(e.b, n)
	}
	var flags byte
	if s.Envelope != nil {
		flags |= flagEnvelope
	}
	if s.Message != nil {
		flags |= flagMessage
	}
	if s.Truncated {
		flags |= flagTruncated
	}
	e.b = append(e.b, flags)
	e.listLen(len(s.Parts), s.Parts == nil)
	for _, p := range s.Parts {
		if p == nil {
			e.err = errors.New("message: MarshalBinary of a Structure with a nil part")
			return
		}
		e.entity(p, depth+1)
	}
	if s.Envelope != nil {
		e.envelope(s.Envelope)
	}
	if s.Message != nil {
		e.entity(s.Message, depth+1)
	}
}

func (e *encoder) envelope(env *Envelope) {
	e.string(env.Date)
	e.string(env.Subject)
	// Sender and Reply-To default to From (RFC 3501 section 7.4.2): most
	// envelopes repeat it twice, which a flag says instead.
	var flags byte
	if len(env.From) > 0 && slices.Equal(env.Sender, env.From) {
		flags |= flagSenderIsFrom
	}
	if len(env.From) > 0 && slices.Equal(env.ReplyTo, env.From) {
		flags |= flagReplyToIsFrom
	}
	for bit, present := range map[byte]bool{flagDatePresent: env.Present.Date, flagSubjectPresent: env.Present.Subject,
		flagInReplyToPresent: env.Present.InReplyTo, flagMessageIDPresent: env.Present.MessageID} {
		if present {
			flags |= bit
		}
	}
	e.b = append(e.b, flags)
	for i, list := range [...][]EnvelopeAddress{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
		if i == 1 && flags&flagSenderIsFrom != 0 || i == 2 && flags&flagReplyToIsFrom != 0 {
			continue
		}
		e.listLen(len(list), list == nil)
		for _, a := range list {
			e.string(a.Name)
			e.string(a.Route)
			e.string(a.Mailbox)
			e.string(a.Host)
		}
	}
	e.string(env.InReplyTo)
	e.string(env.MessageID)
}

func (e *encoder) params(ps Params) {
	e.listLen(len(ps), ps == nil)
	for _, p := range ps {
		e.string(p.Name)
		e.string(p.Value)
	}
}

// listLen writes a list's length plus one, or 0 for a nil list, so that
// a nil list and an empty one both survive the round trip.
func (e *encoder) listLen(n int, isNil bool) {
	if isNil {
		e.b = append(e.b, 0)
		return
	}
	e.b = binary.AppendUvarint(e.b, uint64(n)+1)
}

func (e *encoder) string(v string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(v)))
	e.b = append(e.b, v...)
}

// UnmarshalBinary replaces s with the Structure encoded in data by
// MarshalBinary or AppendBinary of this version of the package. It
// implements encoding.BinaryUnmarshaler. Data that is cut short,
// malformed, of another format version or over the bounds MarshalBinary
// keeps to yields an error wrapping ErrCorruptStructure and leaves s
// unchanged; no allocation exceeds what data can hold. The strings of the
// result share one copy of data, and an envelope's Sender and ReplyTo,
// when they were equal to From, share its slice, as NewEnvelope's do.
func (s *Structure) UnmarshalBinary(data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: empty", ErrCorruptStructure)
	}
	if data[0] != structureFormat {
		return fmt.Errorf("%w: format version %d, want %d", ErrCorruptStructure, data[0], structureFormat)
	}
	d := decoder{s: string(data), off: 1}
	root := d.entity(0)
	if d.err == nil && d.off != len(d.s) {
		d.fail("%d bytes after the root entity", len(d.s)-d.off)
	}
	if d.err != nil {
		return d.err
	}
	*s = *root
	return nil
}

// A decoder reads the binary form from s, starting at off. The first
// error stops it: from then on every read returns a zero value.
type decoder struct {
	s     string
	off   int
	parts int
	err   error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrCorruptStructure, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) entity(depth int) *Structure {
	d.parts++
	switch {
	case depth > maxCodecDepth:
		d.fail("nested deeper than %d levels", maxCodecDepth)
	case d.parts > maxCodecParts:
		d.fail("more than %d entities", maxCodecParts)
	}
	if d.err != nil {
		return nil
	}
	s := &Structure{}
	for _, f := range [...]*string{&s.Type, &s.Subtype, &s.ID, &s.Description, &s.MD5, &s.Location, &s.Encoding, &s.Disposition} {
		*f = d.string()
	}
	s.Params = d.params()
	s.DispositionParams = d.params()
	if n, ok := d.listLen(1); ok {
		s.Language = make([]string, n)
		for i := range s.Language {
			s.Language[i] = d.string()
		}
	}
	for _, f := range [...]*int64{&s.HeaderOffset, &s.BodyOffset, &s.End, &s.Size, &s.Lines} {
		*f = d.varint()
	}
	flags := d.byte()
	if flags&^knownFlags != 0 {
		d.fail("unknown flags %#x", flags)
	}
	s.Truncated = flags&flagTruncated != 0
	if n, ok := d.listLen(minEntityBytes); ok {
		s.Parts = make([]*Structure, n)
		for i := range s.Parts {
			s.Parts[i] = d.entity(depth + 1)
		}
	}
	if flags&flagEnvelope != 0 {
		s.Envelope = d.envelope()
	}
	if flags&flagMessage != 0 {
		s.Message = d.entity(depth + 1)
	}
	return s
}

func (d *decoder) envelope() *Envelope {
	env := &Envelope{Date: d.string(), Subject: d.string()}
	flags := d.byte()
	if flags&^knownEnvelopeFlags != 0 {
		d.fail("unknown envelope flags %#x", flags)
	}
	env.Present = EnvelopePresence{Date: flags&flagDatePresent != 0, Subject: flags&flagSubjectPresent != 0,
		InReplyTo: flags&flagInReplyToPresent != 0, MessageID: flags&flagMessageIDPresent != 0}
	env.From = d.addresses()
	if flags&flagSenderIsFrom != 0 {
		env.Sender = env.From
	} else {
		env.Sender = d.addresses()
	}
	if flags&flagReplyToIsFrom != 0 {
		env.ReplyTo = env.From
	} else {
		env.ReplyTo = d.addresses()
	}
	env.To, env.Cc, env.Bcc = d.addresses(), d.addresses(), d.addresses()
	env.InReplyTo = d.string()
	env.MessageID = d.string()
	return env
}

func (d *decoder) addresses() []EnvelopeAddress {
	n, ok := d.listLen(minAddressBytes)
	if !ok {
		return nil
	}
	list := make([]EnvelopeAddress, n)
	for i := range list {
		list[i] = EnvelopeAddress{Name: d.string(), Route: d.string(), Mailbox: d.string(), Host: d.string()}
	}
	return list
}

func (d *decoder) params() Params {
	n, ok := d.listLen(minParamBytes)
	if !ok {
		return nil
	}
	ps := make(Params, n)
	for i := range ps {
		ps[i] = Param{Name: d.string(), Value: d.string()}
	}
	return ps
}

// listLen reads a list's length as listLen wrote it; ok is false for a nil
// list and after an error. A length that the input left cannot hold, at
// minBytes an element, is an error, so that no list is allocated larger
// than the input justifies.
func (d *decoder) listLen(minBytes int) (n int, ok bool) {
	v := d.uvarint()
	if v == 0 || d.err != nil {
		return 0, false
	}
	if v-1 > uint64((len(d.s)-d.off)/minBytes) {
		d.fail("list of %d elements in %d bytes", v-1, len(d.s)-d.off)
		return 0, false
	}
	return int(v - 1), true
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.s)-d.off) {
		d.fail("string of %d bytes in %d", n, len(d.s)-d.off)
		return ""
	}
	v := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if d.off >= len(d.s) {
			d.fail("cut short")
			return 0
		}
		c := d.s[d.off]
		d.off++
		if c < 0x80 {
			if shift == 63 && c > 1 {
				break
			}
			return v | uint64(c)<<shift
		}
		v |= uint64(c&0x7f) << shift
	}
	d.fail("varint overflows 64 bits")
	return 0
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.s) {
		d.fail("cut short")
		return 0
	}
	c := d.s[d.off]
	d.off++
	return c
}
