package imap

import (
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// MailboxAttr is a mailbox name attribute of LIST (RFC 3501 section
// 7.2.2, RFC 5258 section 3, RFC 6154 section 2).
type MailboxAttr string

// Mailbox attributes.
const (
	AttrNoInferiors   MailboxAttr = `\Noinferiors`
	AttrNoSelect      MailboxAttr = `\Noselect`
	AttrMarked        MailboxAttr = `\Marked`
	AttrUnmarked      MailboxAttr = `\Unmarked`
	AttrNonExistent   MailboxAttr = `\NonExistent`   // RFC 5258
	AttrSubscribed    MailboxAttr = `\Subscribed`    // RFC 5258
	AttrRemote        MailboxAttr = `\Remote`        // RFC 5258
	AttrHasChildren   MailboxAttr = `\HasChildren`   // RFC 3348, RFC 5258
	AttrHasNoChildren MailboxAttr = `\HasNoChildren` // RFC 3348, RFC 5258

	// Special-use attributes, RFC 6154 section 2.
	AttrAll       MailboxAttr = `\All`
	AttrArchive   MailboxAttr = `\Archive`
	AttrDrafts    MailboxAttr = `\Drafts`
	AttrFlagged   MailboxAttr = `\Flagged`
	AttrJunk      MailboxAttr = `\Junk`
	AttrSent      MailboxAttr = `\Sent`
	AttrTrash     MailboxAttr = `\Trash`
	AttrImportant MailboxAttr = `\Important` // RFC 8457
)

var knownAttrs = []MailboxAttr{
	AttrNoInferiors, AttrNoSelect, AttrMarked, AttrUnmarked, AttrNonExistent,
	AttrSubscribed, AttrRemote, AttrHasChildren, AttrHasNoChildren, AttrAll,
	AttrArchive, AttrDrafts, AttrFlagged, AttrJunk, AttrSent, AttrTrash, AttrImportant,
}

// canonicalAttr spells known attributes as the RFCs do, whatever case the
// server used (attributes are case-insensitive).
func canonicalAttr(s string) MailboxAttr {
	for _, a := range knownAttrs {
		if strings.EqualFold(s, string(a)) {
			return a
		}
	}
	return MailboxAttr(s)
}

// ListOptions are the selection and return options of LIST-EXTENDED
// (RFC 5258 section 3), SPECIAL-USE (RFC 6154 section 5) and LIST-STATUS
// (RFC 5819).
type ListOptions struct {
	SelectSubscribed     bool
	SelectRemote         bool
	SelectRecursiveMatch bool
	SelectSpecialUse     bool

	ReturnSubscribed bool
	ReturnChildren   bool
	ReturnSpecialUse bool
	ReturnStatus     *StatusOptions
}

// ListData is a LIST or LSUB response (RFC 3501 section 7.2.2).
type ListData struct {
	Attrs   []MailboxAttr
	Delim   rune // 0 when the server sent NIL (flat namespace)
	Mailbox string
	// ChildInfo lists the selection criteria children matched
	// (CHILDINFO, RFC 5258 section 3.5); OldName is the OLDNAME extended
	// item (RFC 9051 section 6.3.9.7).
	ChildInfo []string
	OldName   string
	// Status is filled from the STATUS response LIST-STATUS sends next to
	// the LIST response (RFC 5819 section 2).
	Status *StatusData
}

// Has reports whether d carries attribute a.
func (d *ListData) Has(a MailboxAttr) bool {
	for _, x := range d.Attrs {
		if strings.EqualFold(string(x), string(a)) {
			return true
		}
	}
	return false
}

// writeListCommand writes the selection options, the reference and
// patterns and the return options of a LIST command.
func writeListCommand(w *wire.Writer, ref string, patterns []string, o *ListOptions) {
	if o != nil {
		var sel []string
		for _, x := range []struct {
			ok   bool
			name string
		}{{o.SelectSubscribed, "SUBSCRIBED"}, {o.SelectRemote, "REMOTE"}, {o.SelectRecursiveMatch, "RECURSIVEMATCH"}, {o.SelectSpecialUse, "SPECIAL-USE"}} {
			if x.ok {
				sel = append(sel, x.name)
			}
		}
		if len(sel) > 0 {
			w.Open().Raw(strings.Join(sel, " ")).Close().SP()
		}
	}
	writeMailbox(w, ref)
	w.SP()
	if len(patterns) == 1 {
		writeListMailbox(w, patterns[0])
	} else {
		w.Open()
		for i, p := range patterns {
			w.Sep(i)
			writeListMailbox(w, p)
		}
		w.Close()
	}
	if o == nil {
		return
	}
	var ret []string
	for _, x := range []struct {
		ok   bool
		name string
	}{{o.ReturnSubscribed, "SUBSCRIBED"}, {o.ReturnChildren, "CHILDREN"}, {o.ReturnSpecialUse, "SPECIAL-USE"}} {
		if x.ok {
			ret = append(ret, x.name)
		}
	}
	if len(ret) == 0 && o.ReturnStatus == nil {
		return
	}
	w.Raw(" RETURN (").Raw(strings.Join(ret, " "))
	if o.ReturnStatus != nil {
		if len(ret) > 0 {
			w.SP()
		}
		w.Raw("STATUS ")
		writeStatusOptions(w, o.ReturnStatus)
	}
	w.Close()
}

// writeListMailbox writes a list-mailbox: wildcards may go as an atom.
func writeListMailbox(w *wire.Writer, pattern string) {
	enc := encodeMailbox(pattern, w.UTF8)
	ok := enc != ""
	for i := 0; i < len(enc) && ok; i++ {
		ok = enc[i] == '%' || enc[i] == '*' || wire.IsAStringAtom(enc[i:i+1])
	}
	if ok {
		w.Raw(enc)
	} else {
		w.String(enc)
	}
}

// readListData reads mailbox-list (RFC 3501 section 9, RFC 5258 section
// 6): "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP
// mailbox [SP mbox-list-extended].
func readListData(r *wire.Reader, utf8 bool) (*ListData, error) {
	d := new(ListData)
	err := r.List(func() error {
		f, err := r.Flag()
		d.Attrs = append(d.Attrs, canonicalAttr(f))
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := r.SP(); err != nil {
		return nil, err
	}
	if !r.NIL() {
		delim, err := r.Quoted()
		if err != nil {
			return nil, err
		}
		if len(delim) != 1 {
			return nil, &wire.SyntaxError{Msg: "bad hierarchy delimiter"}
		}
		d.Delim = rune(delim[0])
	}
	if err := r.SP(); err != nil {
		return nil, err
	}
	name, err := r.AString()
	if err != nil {
		return nil, err
	}
	d.Mailbox = decodeMailbox(name, utf8)
	if r.Accept(' ') {
		err = r.List(func() error {
			tag, err := r.AString()
			if err != nil {
				return err
			}
			if err := r.SP(); err != nil {
				return err
			}
			switch strings.ToUpper(tag) {
			case "CHILDINFO":
				return r.List(func() error {
					s, err := r.AString()
					d.ChildInfo = append(d.ChildInfo, s)
					return err
				})
			case "OLDNAME":
				return r.List(func() error {
					s, err := r.AString()
					d.OldName = decodeMailbox(s, utf8)
					return err
				})
			}
			return skipValue(r)
		})
	}
	return d, err
}

// writeListData writes "* LIST" or "* LSUB" and d, with a CRLF.
func writeListData(w *wire.Writer, verb string, d *ListData) {
	w.Raw("* ").Raw(verb).Raw(" (")
	for i, a := range d.Attrs {
		w.Sep(i).Atom(string(a))
	}
	w.Raw(") ")
	if d.Delim == 0 {
		w.NIL()
	} else {
		w.String(string(d.Delim))
	}
	w.SP()
	writeMailbox(w, d.Mailbox)
	if len(d.ChildInfo) > 0 || d.OldName != "" {
		w.Raw(" (")
		n := 0
		if len(d.ChildInfo) > 0 {
			w.Raw(`"CHILDINFO" (`)
			for i, s := range d.ChildInfo {
				w.Sep(i).String(s)
			}
			w.Close()
			n++
		}
		if d.OldName != "" {
			w.Sep(n).Raw(`"OLDNAME" (`)
			writeMailbox(w, d.OldName)
			w.Close()
		}
		w.Close()
	}
	w.CRLF()
}
