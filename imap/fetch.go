package imap

import (
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// FetchOptions says which data FETCH returns (RFC 3501 section 6.4.5).
type FetchOptions struct {
	Flags         bool
	UID           bool
	InternalDate  bool
	RFC822Size    bool
	Envelope      bool
	BodyStructure bool // BODYSTRUCTURE, with extension data
	Body          bool // BODY without a section: the non-extensible structure
	ModSeq        bool // MODSEQ (RFC 7162 section 3.1.4.1)

	BodySection   []*FetchItemBodySection
	BinarySection []*FetchItemBinarySection // BINARY[...] (RFC 3516 section 4.2)
	BinarySize    [][]int                   // BINARY.SIZE[part] (RFC 3516 section 4.2)

	// ChangedSince is the CHANGEDSINCE modifier (RFC 7162 section 3.1.4.1);
	// Vanished asks for VANISHED (EARLIER) on UID FETCH (RFC 7162 section
	// 3.2.6). Zero and false leave them out.
	ChangedSince uint64
	Vanished     bool
}

// PartSpecifier names the part of a section (RFC 3501 section 6.4.5).
type PartSpecifier string

// Section part specifiers.
const (
	PartAll             PartSpecifier = ""
	PartHeader          PartSpecifier = "HEADER"
	PartHeaderFields    PartSpecifier = "HEADER.FIELDS"
	PartHeaderFieldsNot PartSpecifier = "HEADER.FIELDS.NOT"
	PartText            PartSpecifier = "TEXT"
	PartMIME            PartSpecifier = "MIME"
)

// SectionPartial is the <offset.size> of a partial fetch; in a response
// only Offset, the origin, is sent.
type SectionPartial struct {
	Offset, Size int64
}

// FetchItemBodySection is BODY[section]<partial> or BODY.PEEK[...].
type FetchItemBodySection struct {
	Specifier    PartSpecifier
	Part         []int
	HeaderFields []string // for HEADER.FIELDS and HEADER.FIELDS.NOT
	Partial      *SectionPartial
	Peek         bool // BODY.PEEK: do not set \Seen
}

// FetchItemBinarySection is BINARY[part]<partial> or BINARY.PEEK (RFC
// 3516 section 4.2): the part with its content transfer encoding removed.
type FetchItemBinarySection struct {
	Part    []int
	Partial *SectionPartial
	Peek    bool
}

// String formats the section as the server echoes it: "BODY[1.HEADER]" and
// "<origin>" when partial.
func (s *FetchItemBodySection) String() string {
	var sb strings.Builder
	sb.WriteString("BODY")
	writeSectionSpec(&sb, s.Part, s.Specifier, s.HeaderFields)
	return sb.String()
}

// sameSection reports whether a response's section answers request s.
func (s *FetchItemBodySection) sameSection(o *FetchItemBodySection) bool {
	if s.Specifier != o.Specifier || !equalInts(s.Part, o.Part) || len(s.HeaderFields) != len(o.HeaderFields) {
		return false
	}
	for i := range s.HeaderFields {
		if !strings.EqualFold(s.HeaderFields[i], o.HeaderFields[i]) {
			return false
		}
	}
	return (s.Partial == nil) == (o.Partial == nil) && (s.Partial == nil || s.Partial.Offset == o.Partial.Offset)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func writeSectionSpec(sb *strings.Builder, part []int, spec PartSpecifier, fields []string) {
	sb.WriteByte('[')
	for i, p := range part {
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(strconv.Itoa(p))
	}
	if spec != PartAll {
		if len(part) > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(string(spec))
	}
	if spec == PartHeaderFields || spec == PartHeaderFieldsNot {
		sb.WriteString(" (")
		for i, f := range fields {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(f)
		}
		sb.WriteByte(')')
	}
	sb.WriteByte(']')
}

// writeFetchOptions writes the fetch attributes as a parenthesized list
// and the modifiers after it (RFC 3501 section 6.4.5, RFC 7162 section
// 3.1.4.1).
func writeFetchOptions(w *wire.Writer, o *FetchOptions) {
	var items []string
	add := func(ok bool, name string) {
		if ok {
			items = append(items, name)
		}
	}
	add(o.UID, "UID")
	add(o.Flags, "FLAGS")
	add(o.InternalDate, "INTERNALDATE")
	add(o.RFC822Size, "RFC822.SIZE")
	add(o.Envelope, "ENVELOPE")
	add(o.BodyStructure, "BODYSTRUCTURE")
	add(o.Body, "BODY")
	add(o.ModSeq, "MODSEQ")
	for _, s := range o.BodySection {
		var sb strings.Builder
		sb.WriteString("BODY")
		if s.Peek {
			sb.WriteString(".PEEK")
		}
		writeSectionSpec(&sb, s.Part, s.Specifier, quoteFields(s.HeaderFields))
		writePartial(&sb, s.Partial)
		items = append(items, sb.String())
	}
	for _, s := range o.BinarySection {
		var sb strings.Builder
		sb.WriteString("BINARY")
		if s.Peek {
			sb.WriteString(".PEEK")
		}
		writeSectionSpec(&sb, s.Part, PartAll, nil)
		writePartial(&sb, s.Partial)
		items = append(items, sb.String())
	}
	for _, p := range o.BinarySize {
		var sb strings.Builder
		sb.WriteString("BINARY.SIZE")
		writeSectionSpec(&sb, p, PartAll, nil)
		items = append(items, sb.String())
	}
	w.Open()
	for i, it := range items {
		w.Sep(i).Raw(it)
	}
	w.Close()
	if o.ChangedSince > 0 || o.Vanished {
		w.Raw(" (")
		if o.ChangedSince > 0 {
			w.Raw("CHANGEDSINCE ").Number64(o.ChangedSince)
		}
		if o.Vanished {
			if o.ChangedSince > 0 {
				w.SP()
			}
			w.Raw("VANISHED")
		}
		w.Close()
	}
}

// quoteFields makes header field names valid astrings.
func quoteFields(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		if wire.IsAStringAtom(f) {
			out[i] = f
		} else {
			out[i] = strconv.Quote(f)
		}
	}
	return out
}

func writePartial(sb *strings.Builder, p *SectionPartial) {
	if p == nil {
		return
	}
	sb.WriteByte('<')
	sb.WriteString(strconv.FormatInt(p.Offset, 10))
	sb.WriteByte('.')
	sb.WriteString(strconv.FormatInt(p.Size, 10))
	sb.WriteByte('>')
}

// writeOrigin writes a response's "<origin>" (RFC 3501 section 7.4.2,
// BODY[<section>]<<origin octet>>) when p is set.
func writeOrigin(sb *strings.Builder, p *SectionPartial) {
	if p != nil {
		sb.WriteByte('<')
		sb.WriteString(strconv.FormatInt(p.Offset, 10))
		sb.WriteByte('>')
	}
}

// readSection reads what follows "[" up to and including "]": section-spec
// (RFC 3501 section 9), returning part numbers, specifier and header
// field names.
func readSection(r *wire.Reader) (part []int, spec PartSpecifier, fields []string, err error) {
	if r.Accept(']') {
		return nil, PartAll, nil, nil
	}
	b, err := r.AtomBytes()
	if err != nil {
		return nil, "", nil, err
	}
	s := string(b)
	for s != "" && s[0] >= '0' && s[0] <= '9' {
		numStr, rest, _ := strings.Cut(s, ".")
		n, perr := strconv.Atoi(numStr)
		if perr != nil || n <= 0 {
			return nil, "", nil, &wire.SyntaxError{Msg: "bad section part " + numStr}
		}
		part = append(part, n)
		s = rest
	}
	switch spec = PartSpecifier(strings.ToUpper(s)); spec {
	case PartAll, PartHeader, PartText:
	case PartMIME:
		if len(part) == 0 {
			return nil, "", nil, &wire.SyntaxError{Msg: "MIME needs a part number"}
		}
	case PartHeaderFields, PartHeaderFieldsNot:
		if err := r.SP(); err != nil {
			return nil, "", nil, err
		}
		err = r.List(func() error {
			f, err := r.AString()
			fields = append(fields, f)
			return err
		})
		if err != nil {
			return nil, "", nil, err
		}
	default:
		return nil, "", nil, &wire.SyntaxError{Msg: "bad section " + s}
	}
	return part, spec, fields, r.Expect(']')
}

// readPartial reads "<" number ["." nz-number] ">" if present; a response
// carries only the origin.
func readPartial(r *wire.Reader) (*SectionPartial, error) {
	if !r.Accept('<') {
		return nil, nil
	}
	off, err := r.Number64()
	if err != nil {
		return nil, err
	}
	p := &SectionPartial{Offset: int64(off)}
	if r.Accept('.') {
		n, err := r.Number64()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, &wire.SyntaxError{Msg: "partial size 0"}
		}
		p.Size = int64(n)
	}
	return p, r.Expect('>')
}

// readFetchAtt reads one fetch-att, or a macro when macros is set (RFC
// 3501 section 6.4.5 and section 9, fetch-att); the server's FETCH
// handler reads its arguments with it (Conn.readFetchRequest).
func readFetchAtt(r *wire.Reader, o *FetchOptions, macros bool) error {
	nb, err := r.NameBytes()
	if err != nil {
		return err
	}
	name := strings.ToUpper(string(nb))
	switch name {
	case "ALL", "FAST", "FULL":
		if !macros {
			return &wire.SyntaxError{Msg: name + " is a macro and cannot be in a list"}
		}
		// RFC 3501 section 6.4.5: the macros' expansions.
		o.Flags, o.InternalDate, o.RFC822Size = true, true, true
		o.Envelope = name != "FAST"
		o.Body = name == "FULL"
	case "FLAGS":
		o.Flags = true
	case "UID":
		o.UID = true
	case "INTERNALDATE":
		o.InternalDate = true
	case "RFC822.SIZE":
		o.RFC822Size = true
	case "ENVELOPE":
		o.Envelope = true
	case "BODYSTRUCTURE":
		o.BodyStructure = true
	case "MODSEQ":
		o.ModSeq = true
	case "RFC822":
		o.BodySection = append(o.BodySection, &FetchItemBodySection{})
	case "RFC822.HEADER":
		o.BodySection = append(o.BodySection, &FetchItemBodySection{Specifier: PartHeader, Peek: true})
	case "RFC822.TEXT":
		o.BodySection = append(o.BodySection, &FetchItemBodySection{Specifier: PartText})
	case "BODY", "BODY.PEEK":
		if !r.Accept('[') {
			if name == "BODY.PEEK" {
				return &wire.SyntaxError{Msg: "BODY.PEEK needs a section"}
			}
			o.Body = true
			return nil
		}
		s := &FetchItemBodySection{Peek: name == "BODY.PEEK"}
		if s.Part, s.Specifier, s.HeaderFields, err = readSection(r); err != nil {
			return err
		}
		if s.Partial, err = readPartial(r); err != nil {
			return err
		}
		if s.Partial != nil && s.Partial.Size == 0 {
			return &wire.SyntaxError{Msg: "partial needs a size"}
		}
		o.BodySection = append(o.BodySection, s)
	case "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		if err := r.Expect('['); err != nil {
			return err
		}
		part, spec, _, err := readSection(r)
		if err != nil {
			return err
		}
		if spec != PartAll {
			return &wire.SyntaxError{Msg: "BINARY takes part numbers only"}
		}
		if name == "BINARY.SIZE" {
			o.BinarySize = append(o.BinarySize, part)
			return nil
		}
		s := &FetchItemBinarySection{Part: part, Peek: name == "BINARY.PEEK"}
		if s.Partial, err = readPartial(r); err != nil {
			return err
		}
		o.BinarySection = append(o.BinarySection, s)
	default:
		return &wire.SyntaxError{Msg: "unknown fetch attribute " + name}
	}
	return nil
}
