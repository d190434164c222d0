package imap

import (
	"bytes"
	"io"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// UnilateralHandler receives responses that no command asked for (RFC 3501
// section 7: the server may send them at any time, and during IDLE, RFC
// 2177). Nil functions ignore their responses.
type UnilateralHandler struct {
	Exists  func(n uint32)            // EXISTS (RFC 3501 section 7.3.1)
	Recent  func(n uint32)            // RECENT (section 7.3.2)
	Expunge func(seq uint32)          // EXPUNGE (section 7.4.1)
	Fetch   func(*FetchMessageBuffer) // FETCH, typically flag changes (section 7.4.2)
	Flags   func([]Flag)              // FLAGS (section 7.2.6)
	// Vanished reports UIDs expunged under QRESYNC (RFC 7162 section
	// 3.2.10); earlier is true for VANISHED (EARLIER).
	Vanished func(uids SeqSet, earlier bool)
	// Status receives untagged OK, NO, BAD and BYE, such as [ALERT]
	// warnings (section 7.1.1) and the BYE before a server hangs up.
	Status func(*StatusResponse)
}

// SelectedMailbox is what SELECT or EXAMINE reported about a mailbox
// (RFC 3501 section 6.3.1), kept current as EXISTS and EXPUNGE arrive.
type SelectedMailbox struct {
	Name           string
	ReadOnly       bool
	NumMessages    uint32
	NumRecent      uint32
	UIDValidity    uint32
	UIDNext        uint32
	FirstUnseen    uint32
	Flags          []Flag
	PermanentFlags []Flag
	HighestModSeq  uint64
	NoModSeq       bool
}

// trackMailbox keeps the selected mailbox's counts current.
func (c *Client) trackMailbox(u *untagged) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mailbox == nil {
		return
	}
	switch u.Name {
	case "EXISTS":
		c.mailbox.NumMessages = u.Num
	case "RECENT":
		c.mailbox.NumRecent = u.Num
	case "EXPUNGE":
		if c.mailbox.NumMessages > 0 {
			c.mailbox.NumMessages--
		}
	}
}

// unilateral handles a response no pending command took.
func (c *Client) unilateral(u *untagged) error {
	h := &c.opts.Unilateral
	switch u.Name {
	case "EXISTS":
		if h.Exists != nil {
			h.Exists(u.Num)
		}
	case "RECENT":
		if h.Recent != nil {
			h.Recent(u.Num)
		}
	case "EXPUNGE":
		if h.Expunge != nil {
			h.Expunge(u.Num)
		}
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		if h.Status != nil {
			h.Status(u.Status)
		}
	case "FLAGS":
		if err := u.r.SP(); err != nil {
			return err
		}
		flags, err := readFlagList(u.r)
		if err != nil {
			return err
		}
		if h.Flags != nil {
			h.Flags(flags)
		}
		return u.r.CRLF()
	case "FETCH":
		buf := &FetchMessageBuffer{Seq: u.Num}
		err := readFetchItems(u.r, func(item FetchItemData) error {
			return buf.add(item)
		})
		if err != nil {
			return err
		}
		if h.Fetch != nil {
			h.Fetch(buf)
		}
	case "VANISHED":
		uids, earlier, err := readVanished(u.r)
		if err != nil {
			return err
		}
		if h.Vanished != nil {
			h.Vanished(uids, earlier)
		}
	default:
		// A response this client does not know (RFC 3501 section 7:
		// clients must ignore what they do not understand).
		return u.r.DiscardLine()
	}
	return nil
}

// readVanished reads SP ["(EARLIER)" SP] known-uids CRLF (RFC 7162
// section 3.2.10).
func readVanished(r *wire.Reader) (SeqSet, bool, error) {
	if err := r.SP(); err != nil {
		return SeqSet{}, false, err
	}
	earlier := false
	if b, _ := r.Peek(); b == '(' {
		if err := r.List(func() error { _, err := r.Atom(); earlier = true; return err }); err != nil {
			return SeqSet{}, false, err
		}
		if err := r.SP(); err != nil {
			return SeqSet{}, false, err
		}
	}
	set, err := readSeqSet(r)
	if err != nil {
		return SeqSet{}, false, err
	}
	return set, earlier, r.CRLF()
}

// readFetchItems reads SP "(" msg-att ")" CRLF, handing each item to fn
// while its literal, if any, is still on the wire.
func readFetchItems(r *wire.Reader, fn func(FetchItemData) error) error {
	if err := r.SP(); err != nil {
		return err
	}
	err := r.List(func() error {
		item, err := readFetchItem(r)
		if err != nil {
			return err
		}
		return fn(item)
	})
	if err != nil {
		return err
	}
	return r.CRLF()
}

// FetchMessageBuffer is one message's FETCH data held in memory.
type FetchMessageBuffer struct {
	Seq           uint32
	UID           uint32
	Flags         []Flag
	HasFlags      bool
	InternalDate  time.Time
	RFC822Size    int64
	Envelope      *Envelope
	BodyStructure *BodyStructure
	ModSeq        uint64
	BodySection   []FetchBodySectionBuffer
	BinarySection []FetchBinarySectionBuffer
	BinarySize    []FetchItemDataBinarySize
}

// FetchBodySectionBuffer is a body section read into memory.
type FetchBodySectionBuffer struct {
	Section *FetchItemBodySection
	Bytes   []byte
}

// FetchBinarySectionBuffer is a BINARY section read into memory.
type FetchBinarySectionBuffer struct {
	Part  []int
	Bytes []byte
}

// FindBodySection returns the bytes of the section answering s, or nil.
func (m *FetchMessageBuffer) FindBodySection(s *FetchItemBodySection) []byte {
	for _, b := range m.BodySection {
		if b.Section.sameSection(s) {
			return b.Bytes
		}
	}
	return nil
}

// add stores item, reading any literal into memory.
func (m *FetchMessageBuffer) add(item FetchItemData) error {
	switch it := item.(type) {
	case FetchItemDataFlags:
		m.Flags, m.HasFlags = it.Flags, true
	case FetchItemDataUID:
		m.UID = it.UID
	case FetchItemDataInternalDate:
		m.InternalDate = it.Time
	case FetchItemDataRFC822Size:
		m.RFC822Size = it.Size
	case FetchItemDataEnvelope:
		m.Envelope = it.Envelope
	case FetchItemDataBodyStructure:
		m.BodyStructure = it.BodyStructure
	case FetchItemDataModSeq:
		m.ModSeq = it.ModSeq
	case FetchItemDataBinarySize:
		m.BinarySize = append(m.BinarySize, it)
	case FetchItemDataBodySection:
		b, err := readAllSized(it.Literal, it.Size)
		if err != nil {
			return err
		}
		m.BodySection = append(m.BodySection, FetchBodySectionBuffer{it.Section, b})
	case FetchItemDataBinarySection:
		b, err := readAllSized(it.Literal, it.Size)
		if err != nil {
			return err
		}
		m.BinarySection = append(m.BinarySection, FetchBinarySectionBuffer{it.Part, b})
	}
	return nil
}

func readAllSized(r io.Reader, size int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	buf.Grow(int(min(size, 1<<26)))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
