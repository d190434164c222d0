package imap

import (
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// FetchItemData is one item of a FETCH response (RFC 3501 section 7.4.2,
// msg-att). Its concrete types are the FetchItemData* structs.
type FetchItemData interface{ fetchItemData() }

// FetchItemDataFlags is FLAGS.
type FetchItemDataFlags struct{ Flags []Flag }

// FetchItemDataUID is UID.
type FetchItemDataUID struct{ UID uint32 }

// FetchItemDataInternalDate is INTERNALDATE.
type FetchItemDataInternalDate struct{ Time time.Time }

// FetchItemDataRFC822Size is RFC822.SIZE.
type FetchItemDataRFC822Size struct{ Size int64 }

// FetchItemDataEnvelope is ENVELOPE.
type FetchItemDataEnvelope struct{ Envelope *Envelope }

// FetchItemDataBodyStructure is BODYSTRUCTURE (Extended) or BODY.
type FetchItemDataBodyStructure struct {
	BodyStructure *BodyStructure
	Extended      bool
}

// FetchItemDataBodySection is BODY[section]<origin>, and RFC822,
// RFC822.HEADER and RFC822.TEXT, which name BODY[], BODY[HEADER] and
// BODY[TEXT]. Literal streams the bytes (nil when the server sent NIL);
// it is valid until the next item is requested.
type FetchItemDataBodySection struct {
	Section *FetchItemBodySection
	Literal io.Reader
	Size    int64
}

// FetchItemDataBinarySection is BINARY[part]<origin> (RFC 3516 section 4.2).
type FetchItemDataBinarySection struct {
	Part    []int
	Partial *SectionPartial
	Literal io.Reader
	Size    int64
}

// FetchItemDataBinarySize is BINARY.SIZE[part] (RFC 3516 section 4.2).
type FetchItemDataBinarySize struct {
	Part []int
	Size uint32
}

// FetchItemDataModSeq is MODSEQ (RFC 7162 section 3.1.4.1).
type FetchItemDataModSeq struct{ ModSeq uint64 }

func (FetchItemDataFlags) fetchItemData()         {}
func (FetchItemDataUID) fetchItemData()           {}
func (FetchItemDataInternalDate) fetchItemData()  {}
func (FetchItemDataRFC822Size) fetchItemData()    {}
func (FetchItemDataEnvelope) fetchItemData()      {}
func (FetchItemDataBodyStructure) fetchItemData() {}
func (FetchItemDataBodySection) fetchItemData()   {}
func (FetchItemDataBinarySection) fetchItemData() {}
func (FetchItemDataBinarySize) fetchItemData()    {}
func (FetchItemDataModSeq) fetchItemData()        {}

// readFetchItem reads one msg-att item (RFC 3501 section 9, RFC 3516
// section 9, RFC 7162 section 7). Section bodies are not read: their
// Literal is a stream over r, valid until r is used again.
func readFetchItem(r *wire.Reader) (FetchItemData, error) {
	nb, err := r.NameBytes()
	if err != nil {
		return nil, err
	}
	// switch on string(nb) does not allocate; upper-case only when a
	// server spells names unusually.
	name := string(nb)
	if !isUpperASCII(nb) {
		name = strings.ToUpper(name)
	}
	switch name {
	case "BODY", "BINARY", "BINARY.SIZE":
		if r.Accept('[') {
			return readSectionItem(r, name)
		}
	}
	if err := r.SP(); err != nil {
		return nil, err
	}
	switch name {
	case "FLAGS":
		flags, err := readFlagList(r)
		return FetchItemDataFlags{flags}, err
	case "UID":
		uid, err := r.Number()
		return FetchItemDataUID{uid}, err
	case "INTERNALDATE":
		t, err := readDateTime(r)
		return FetchItemDataInternalDate{t}, err
	case "RFC822.SIZE":
		n, err := r.Number64()
		return FetchItemDataRFC822Size{int64(n)}, err
	case "ENVELOPE":
		env, err := readEnvelope(r)
		return FetchItemDataEnvelope{env}, err
	case "BODYSTRUCTURE", "BODY":
		bs, err := readBodyStructure(r)
		return FetchItemDataBodyStructure{bs, name == "BODYSTRUCTURE"}, err
	case "MODSEQ":
		var n uint64
		err := r.List(func() error {
			var err error
			n, err = r.Number64()
			return err
		})
		return FetchItemDataModSeq{n}, err
	case "RFC822":
		return readSectionBody(r, &FetchItemBodySection{})
	case "RFC822.HEADER":
		return readSectionBody(r, &FetchItemBodySection{Specifier: PartHeader})
	case "RFC822.TEXT":
		return readSectionBody(r, &FetchItemBodySection{Specifier: PartText})
	}
	return nil, &wire.SyntaxError{Msg: "unknown FETCH item " + name}
}

func isUpperASCII(b []byte) bool {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

// readSectionItem reads the rest of BODY[...], BINARY[...] or
// BINARY.SIZE[...] after the "[".
func readSectionItem(r *wire.Reader, name string) (FetchItemData, error) {
	part, spec, fields, err := readSection(r)
	if err != nil {
		return nil, err
	}
	partial, err := readPartial(r)
	if err != nil {
		return nil, err
	}
	if err := r.SP(); err != nil {
		return nil, err
	}
	switch name {
	case "BINARY.SIZE":
		n, err := r.Number()
		return FetchItemDataBinarySize{part, n}, err
	case "BINARY":
		lit, size, err := readNStringStream(r)
		return FetchItemDataBinarySection{Part: part, Partial: partial, Literal: lit, Size: size}, err
	}
	return readSectionBody(r, &FetchItemBodySection{Part: part, Specifier: spec, HeaderFields: fields, Partial: partial})
}

func readSectionBody(r *wire.Reader, s *FetchItemBodySection) (FetchItemData, error) {
	lit, size, err := readNStringStream(r)
	return FetchItemDataBodySection{Section: s, Literal: lit, Size: size}, err
}

// readNStringStream reads nstring or literal8 as a stream: a literal stays
// on the wire for the caller to read; a quoted string is small.
func readNStringStream(r *wire.Reader) (io.Reader, int64, error) {
	if r.NIL() {
		return nil, 0, nil
	}
	c, err := r.Peek()
	if err != nil {
		return nil, 0, err
	}
	if c == '"' {
		s, err := r.Quoted()
		return strings.NewReader(s), int64(len(s)), err
	}
	l, err := r.LiteralHeader()
	if err != nil {
		return nil, 0, err
	}
	lr, err := r.LiteralReader(l)
	return lr, l.Size, err
}
