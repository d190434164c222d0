package imap

import (
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// SearchCriteria is a SEARCH key set (RFC 3501 section 6.4.4): a message
// matches when it matches every field. OR and NOT nest other criteria;
// parenthesized keys on the wire flatten into the same AND.
type SearchCriteria struct {
	SeqNum []SeqSet // sequence-set keys
	UID    []SeqSet // UID keys

	// Internal date (SINCE, BEFORE, ON) and Date: header (SENTSINCE,
	// SENTBEFORE, SENTON); only the calendar date counts.
	Since, Before, On             time.Time
	SentSince, SentBefore, SentOn time.Time

	// Header holds HEADER field value keys and the FROM, TO, CC, BCC and
	// SUBJECT keys, which are shorthands for them.
	Header []SearchHeader
	Body   []string // BODY
	Text   []string // TEXT

	Flag    []Flag // ANSWERED, DELETED, DRAFT, FLAGGED, SEEN, RECENT, KEYWORD
	NotFlag []Flag // the UN- forms, UNKEYWORD, and OLD (NOT RECENT)

	Larger, Smaller int64 // 0 leaves the key out

	Not []SearchCriteria
	Or  [][2]SearchCriteria

	ModSeq uint64 // MODSEQ (RFC 7162 section 3.1.5); 0 leaves it out
}

// SearchHeader is a HEADER key: the field name and a substring of its
// value.
type SearchHeader struct {
	Key, Value string
}

// SearchOptions asks for ESEARCH results (RFC 4731 section 3.1) and for
// saving the result as "$" (RFC 5182).
type SearchOptions struct {
	ReturnMin, ReturnMax, ReturnAll, ReturnCount, ReturnSave bool
}

func (o *SearchOptions) any() bool {
	return o != nil && (o.ReturnMin || o.ReturnMax || o.ReturnAll || o.ReturnCount || o.ReturnSave)
}

// SearchData is the result of SEARCH or UID SEARCH: the numbers of a
// plain SEARCH response (RFC 3501 section 7.2.5), or the fields of an
// ESEARCH response (RFC 4731 section 3.2).
type SearchData struct {
	All             SeqSet
	Min, Max, Count uint32
	ModSeq          uint64 // RFC 7162 section 3.1.5
	UID             bool   // the numbers are UIDs
}

// Nums lists the numbers found.
func (d *SearchData) Nums() []uint32 {
	nums, _ := d.All.Nums()
	return nums
}

// simple keys with no argument that set a flag (RFC 3501 section 6.4.4).
var searchFlagKeys = map[string]struct {
	flag Flag
	not  bool
}{
	"ANSWERED": {FlagAnswered, false}, "DELETED": {FlagDeleted, false},
	"DRAFT": {FlagDraft, false}, "FLAGGED": {FlagFlagged, false},
	"SEEN": {FlagSeen, false}, "RECENT": {FlagRecent, false},
	"UNANSWERED": {FlagAnswered, true}, "UNDELETED": {FlagDeleted, true},
	"UNDRAFT": {FlagDraft, true}, "UNFLAGGED": {FlagFlagged, true},
	"UNSEEN": {FlagSeen, true}, "OLD": {FlagRecent, true},
}

// writeSearchCriteria writes c as search keys separated by spaces; empty
// criteria are ALL.
func writeSearchCriteria(w *wire.Writer, c *SearchCriteria) {
	n := 0
	sep := func() *wire.Writer { w.Sep(n); n++; return w }
	for _, s := range c.SeqNum {
		sep().Raw(s.String())
	}
	for _, s := range c.UID {
		sep().Raw("UID ").Raw(s.String())
	}
	dates := []struct {
		key string
		t   time.Time
	}{{"SINCE", c.Since}, {"BEFORE", c.Before}, {"ON", c.On},
		{"SENTSINCE", c.SentSince}, {"SENTBEFORE", c.SentBefore}, {"SENTON", c.SentOn}}
	for _, d := range dates {
		if !d.t.IsZero() {
			sep().Raw(d.key).SP()
			writeDate(w, d.t)
		}
	}
	for _, h := range c.Header {
		switch k := strings.ToUpper(h.Key); k {
		case "FROM", "TO", "CC", "BCC", "SUBJECT":
			sep().Raw(k).SP().AString(h.Value)
		default:
			sep().Raw("HEADER ").AString(h.Key).SP().AString(h.Value)
		}
	}
	for _, s := range c.Body {
		sep().Raw("BODY ").AString(s)
	}
	for _, s := range c.Text {
		sep().Raw("TEXT ").AString(s)
	}
	for _, f := range c.Flag {
		if k := systemFlagKey(f, false); k != "" {
			sep().Raw(k)
		} else {
			sep().Raw("KEYWORD ").Atom(string(f))
		}
	}
	for _, f := range c.NotFlag {
		if k := systemFlagKey(f, true); k != "" {
			sep().Raw(k)
		} else {
			sep().Raw("UNKEYWORD ").Atom(string(f))
		}
	}
	if c.Larger > 0 {
		sep().Raw("LARGER ").Number64(uint64(c.Larger))
	}
	if c.Smaller > 0 {
		sep().Raw("SMALLER ").Number64(uint64(c.Smaller))
	}
	for i := range c.Not {
		sep().Raw("NOT ")
		writeSearchGroup(w, &c.Not[i])
	}
	for i := range c.Or {
		sep().Raw("OR ")
		writeSearchGroup(w, &c.Or[i][0])
		w.SP()
		writeSearchGroup(w, &c.Or[i][1])
	}
	if c.ModSeq > 0 {
		sep().Raw("MODSEQ ").Number64(c.ModSeq)
	}
	if n == 0 {
		w.Raw("ALL")
	}
}

// writeSearchGroup writes c as one search-key, parenthesized.
func writeSearchGroup(w *wire.Writer, c *SearchCriteria) {
	w.Open()
	writeSearchCriteria(w, c)
	w.Close()
}

func systemFlagKey(f Flag, not bool) string {
	for k, v := range searchFlagKeys {
		if v.not == not && v.flag.Equal(f) {
			return k
		}
	}
	return ""
}

// readSearchCriteria reads search keys up to the end of the line (RFC
// 3501 section 6.4.4), for a server. Nesting through OR, NOT and
// parentheses is bounded by the reader's depth limit.
func readSearchCriteria(r *wire.Reader) (*SearchCriteria, error) {
	c := new(SearchCriteria)
	for {
		if err := readSearchKey(r, c); err != nil {
			return nil, err
		}
		b := r.PeekN(1)
		if len(b) == 0 || b[0] != ' ' {
			return c, nil
		}
		_ = r.SP()
	}
}

// readSearchKey reads one search-key and adds it to c.
func readSearchKey(r *wire.Reader, c *SearchCriteria) error {
	if err := r.Enter(); err != nil {
		return err // Enter leaves the depth as it was
	}
	defer r.Leave()
	ch, err := r.Peek()
	if err != nil {
		return err
	}
	if ch == '(' {
		return r.List(func() error { return readSearchKey(r, c) })
	}
	if (ch >= '0' && ch <= '9') || ch == '*' || ch == '$' {
		set, err := readSeqSet(r)
		c.SeqNum = append(c.SeqNum, set)
		return err
	}
	ab, err := r.AtomBytes()
	if err != nil {
		return err
	}
	key := strings.ToUpper(string(ab))
	if key == "ALL" {
		return nil
	}
	if key == "NEW" { // RECENT UNSEEN
		c.Flag = append(c.Flag, FlagRecent)
		c.NotFlag = append(c.NotFlag, FlagSeen)
		return nil
	}
	if fk, ok := searchFlagKeys[key]; ok {
		if fk.not {
			c.NotFlag = append(c.NotFlag, fk.flag)
		} else {
			c.Flag = append(c.Flag, fk.flag)
		}
		return nil
	}
	if err := r.SP(); err != nil {
		return err
	}
	return readSearchKeyArgs(r, c, key)
}

// readSearchKeyArgs reads the arguments of a search key that has some,
// after its name and a space, and adds the key to c.
func readSearchKeyArgs(r *wire.Reader, c *SearchCriteria, key string) error {
	switch key {
	case "BCC", "CC", "FROM", "SUBJECT", "TO":
		v, err := r.AString()
		c.Header = append(c.Header, SearchHeader{key, v})
		return err
	case "HEADER":
		k, err := r.AString()
		if err != nil {
			return err
		}
		if err := r.SP(); err != nil {
			return err
		}
		v, err := r.AString()
		c.Header = append(c.Header, SearchHeader{k, v})
		return err
	case "BODY", "TEXT":
		v, err := r.AString()
		if key == "BODY" {
			c.Body = append(c.Body, v)
		} else {
			c.Text = append(c.Text, v)
		}
		return err
	case "KEYWORD", "UNKEYWORD":
		f, err := r.Flag()
		if key == "KEYWORD" {
			c.Flag = append(c.Flag, canonicalFlag(f))
		} else {
			c.NotFlag = append(c.NotFlag, canonicalFlag(f))
		}
		return err
	case "LARGER", "SMALLER":
		n, err := r.Number64()
		if key == "LARGER" {
			c.Larger = int64(n)
		} else {
			c.Smaller = int64(n)
		}
		return err
	case "UID":
		set, err := readSeqSet(r)
		c.UID = append(c.UID, set)
		return err
	}
	return readSearchKeyNested(r, c, key)
}

// readSearchKeyNested reads the keys whose arguments are other keys (NOT,
// OR), dates, or the MODSEQ form, and adds the key to c.
func readSearchKeyNested(r *wire.Reader, c *SearchCriteria, key string) error {
	var err error
	switch key {
	case "MODSEQ": // RFC 7162 section 3.1.5: [SP entry-name SP entry-type-req] SP number
		if ch, _ := r.Peek(); ch == '"' {
			if _, err := r.Quoted(); err != nil {
				return err
			}
			if err := r.SP(); err != nil {
				return err
			}
			if _, err := r.Atom(); err != nil {
				return err
			}
			if err := r.SP(); err != nil {
				return err
			}
		}
		c.ModSeq, err = r.Number64()
		return err
	case "NOT":
		var sub SearchCriteria
		err := readSearchKey(r, &sub)
		c.Not = append(c.Not, sub)
		return err
	case "OR":
		var pair [2]SearchCriteria
		if err := readSearchKey(r, &pair[0]); err != nil {
			return err
		}
		if err := r.SP(); err != nil {
			return err
		}
		err := readSearchKey(r, &pair[1])
		c.Or = append(c.Or, pair)
		return err
	}
	dates := map[string]*time.Time{
		"SINCE": &c.Since, "BEFORE": &c.Before, "ON": &c.On,
		"SENTSINCE": &c.SentSince, "SENTBEFORE": &c.SentBefore, "SENTON": &c.SentOn,
	}
	if p, ok := dates[key]; ok {
		*p, err = readDate(r)
		return err
	}
	return &wire.SyntaxError{Msg: "unknown search key " + key}
}

// readSeqSet reads and checks a sequence-set. The reader counts its
// ranges against its MaxSeqRanges, summed over the command, which bounds
// a SEARCH of many sequence-set and UID keys as a whole.
func readSeqSet(r *wire.Reader) (SeqSet, error) {
	s, err := r.SeqSet()
	if err != nil {
		return SeqSet{}, err
	}
	return ParseSeqSet(s)
}

// writeSearchReturn writes "RETURN (...)" for ESEARCH (RFC 4731 section
// 3.1) when options ask for it.
func writeSearchReturn(w *wire.Writer, o *SearchOptions) {
	if !o.any() {
		return
	}
	var opts []string
	for _, x := range []struct {
		ok   bool
		name string
	}{{o.ReturnMin, "MIN"}, {o.ReturnMax, "MAX"}, {o.ReturnAll, "ALL"}, {o.ReturnCount, "COUNT"}, {o.ReturnSave, "SAVE"}} {
		if x.ok {
			opts = append(opts, x.name)
		}
	}
	w.Raw("RETURN (").Raw(strings.Join(opts, " ")).Raw(") ")
}

// readSearchResponse reads the numbers after "* SEARCH" up to the CRLF,
// with the "(MODSEQ n)" of RFC 7162 section 3.1.5.
func readSearchResponse(r *wire.Reader) (*SearchData, error) {
	d := new(SearchData)
	for r.Accept(' ') {
		if c, _ := r.Peek(); c == '(' {
			err := r.List(func() error {
				if _, err := r.Atom(); err != nil {
					return err
				}
				if err := r.SP(); err != nil {
					return err
				}
				var err error
				d.ModSeq, err = r.Number64()
				return err
			})
			if err != nil {
				return nil, err
			}
			continue
		}
		n, err := r.Number()
		if err != nil {
			return nil, err
		}
		d.All.AddNum(n)
	}
	return d, r.CRLF()
}

// readESearchResponse reads what follows "* ESEARCH" (RFC 4731 section
// 3.2): [SP "(TAG " tag-string ")"] [SP "UID"] *(SP name SP value); it
// returns the tag the response correlates to.
func readESearchResponse(r *wire.Reader) (tag string, d *SearchData, err error) {
	d = new(SearchData)
	if string(r.PeekN(2)) == " (" {
		_ = r.SP()
		err = r.List(func() error {
			if _, err := r.Atom(); err != nil {
				return err
			}
			if err := r.SP(); err != nil {
				return err
			}
			tag, err = r.AString()
			return err
		})
		if err != nil {
			return "", nil, err
		}
	}
	for r.Accept(' ') {
		name, err := r.Atom()
		if err != nil {
			return "", nil, err
		}
		name = strings.ToUpper(name)
		if name == "UID" {
			d.UID = true
			continue
		}
		if err := r.SP(); err != nil {
			return "", nil, err
		}
		switch name {
		case "MIN", "MAX", "COUNT":
			n, err := r.Number()
			if err != nil {
				return "", nil, err
			}
			switch name {
			case "MIN":
				d.Min = n
			case "MAX":
				d.Max = n
			default:
				d.Count = n
			}
		case "ALL":
			if d.All, err = readSeqSet(r); err != nil {
				return "", nil, err
			}
		case "MODSEQ":
			if d.ModSeq, err = r.Number64(); err != nil {
				return "", nil, err
			}
		default:
			// Unknown return data (RFC 4731 section 3.2: tagged-ext-val):
			// skip one value.
			if err := skipValue(r); err != nil {
				return "", nil, err
			}
		}
	}
	return tag, d, r.CRLF()
}
