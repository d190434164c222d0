package message

import (
	"errors"
	"strings"
)

// An Address is a mailbox (RFC 5322 section 3.4): an optional display name
// and an addr-spec.
type Address struct {
	// Name is the display name in UTF-8, encoded words decoded (RFC 2047
	// section 5 (3)), quoted strings unquoted. When a mailbox has no display
	// name but a comment follows it ("jdoe@example.org (John Doe)"), the
	// comment is the name, as older mail meant it.
	Name string
	// Addr is the addr-spec "local-part@domain". The local part is quoted
	// only if it must be (RFC 5322 section 3.4.1); UTF-8 is kept as it is
	// (RFC 6532 section 3.2). Addr is empty for the null path "<>", and
	// has no "@" for the rare mailbox written without a domain.
	Addr string
}

// A Group is an address list entry (RFC 5322 section 3.4): a named group
// of mailboxes, or a lone mailbox. A group always has a name, since the
// grammar requires a display name before its colon; a lone mailbox comes
// as a Group with an empty Name and exactly one member.
type Group struct {
	Name    string
	Members []*Address
}

// ErrInvalidAddress is matched (errors.Is) by the errors of the address
// parsers.
var ErrInvalidAddress = errors.New("message: invalid address")

type addressError struct {
	msg string
	s   string
}

func (e *addressError) Error() string {
	return "message: invalid address: " + e.msg + " in " + quoteForError(e.s)
}

func (e *addressError) Is(target error) bool { return target == ErrInvalidAddress }

// ParseAddress parses a single mailbox (RFC 5322 section 3.4).
func ParseAddress(s string) (*Address, error) {
	list, err := ParseAddressList(s)
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, &addressError{"want exactly one mailbox", s}
	}
	return list[0], nil
}

// ParseAddressList parses an address list (RFC 5322 section 3.4) and
// returns its mailboxes, the members of groups included, in order. It
// accepts the obsolete syntax of RFC 5322 section 4.4 (routes, empty list
// elements, comments and white space anywhere, phrases with periods) and
// common breakage (a missing ">", a mailbox without a domain). On error it
// returns the mailboxes it could parse along with the error.
func ParseAddressList(s string) ([]*Address, error) {
	groups, err := ParseAddressGroups(s)
	var list []*Address
	for _, g := range groups {
		list = append(list, g.Members...)
	}
	return list, err
}

// ParseAddressGroups parses an address list (RFC 5322 section 3.4) keeping
// its groups, as ParseAddressList does otherwise.
func ParseAddressGroups(s string) ([]Group, error) {
	p := addrParser{s: s}
	entries, err := p.list()
	groups := make([]Group, 0, len(entries))
	for _, e := range entries {
		g := Group{Name: e.group}
		for _, m := range e.members {
			g.Members = append(g.Members, m.address())
		}
		groups = append(groups, g)
	}
	return groups, err
}

// FormatAddressList formats mailboxes for an address field: comma
// separated, each as Address.String writes it.
func FormatAddressList(list []*Address) string {
	var b strings.Builder
	for i, a := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	return b.String()
}

// String formats the address for a header field: "Name <addr>", the name
// left as atoms when it can be, quoted when it holds specials and written
// as encoded words when it is not ASCII (RFC 5322 section 3.4, RFC 2047
// section 5 (3)). An address without a name is written "<addr>".
func (a *Address) String() string {
	addr := "<" + a.Addr + ">"
	if a.Name == "" {
		return addr
	}
	return formatPhrase(a.Name) + " " + addr
}

// LocalPart returns the part of Addr before the last "@", unquoted.
func (a *Address) LocalPart() string {
	local, _ := splitAddr(a.Addr)
	return unquoteLocal(local)
}

// Domain returns the part of Addr after the last "@".
func (a *Address) Domain() string {
	_, domain := splitAddr(a.Addr)
	return domain
}

func splitAddr(addr string) (local, domain string) {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i], addr[i+1:]
	}
	return addr, ""
}

func unquoteLocal(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '\\' && i+1 < len(s)-1 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// formatPhrase writes a display name as a phrase (RFC 5322 section 3.2.5).
func formatPhrase(name string) string {
	if needsEncoding(name) {
		return encodePhrase(name)
	}
	atoms := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c != ' ' && !isAtext(c) {
			atoms = false
			break
		}
	}
	if atoms && !strings.Contains(name, "  ") && name[0] != ' ' && name[len(name)-1] != ' ' {
		return name
	}
	return quoteString(name)
}

// quoteString writes s as a quoted-string (RFC 5322 section 3.2.4).
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// formatLocal quotes a local part unless it is a dot-atom (RFC 5322
// section 3.4.1).
func formatLocal(s string) string {
	if s == "" {
		return `""`
	}
	dotAtom := s[0] != '.' && s[len(s)-1] != '.' && !strings.Contains(s, "..")
	for i := 0; dotAtom && i < len(s); i++ {
		dotAtom = isAtext(s[i]) || s[i] == '.'
	}
	if dotAtom {
		return s
	}
	return quoteString(s)
}

// isAtext reports whether c is atext (RFC 5322 section 3.2.3), UTF-8
// bytes included (RFC 6532 section 3.2).
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}
