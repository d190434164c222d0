package smtp

import (
	"bytes"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// parsePath parses Path = "<" [ A-d-l ":" ] Mailbox ">" (RFC 5321 4.1.2);
// for a reverse path also "<>". A source route (A-d-l) is accepted and
// dropped, as RFC 5321 section 4.1.2 and appendix C tell servers to.
func parsePath(p []byte, reverse, allowUTF8 bool) (string, *Reply) {
	if len(p) < 2 || p[0] != '<' || p[len(p)-1] != '>' {
		return "", badAddress(reverse, "Path must be enclosed in <>")
	}
	p = p[1 : len(p)-1]
	if len(p) == 0 {
		if reverse {
			return "", nil
		}
		return "", badAddress(reverse, "Null path is not a recipient")
	}
	if p[0] == '@' {
		i := bytes.IndexByte(p, ':')
		if i < 0 {
			return "", badAddress(reverse, "Malformed source route")
		}
		for _, hop := range bytes.Split(p[:i], []byte{','}) {
			if len(hop) < 2 || hop[0] != '@' || !validDomain(hop[1:], allowUTF8) {
				return "", badAddress(reverse, "Malformed source route")
			}
		}
		p = p[i+1:]
	}
	if r := checkMailbox(p, reverse, allowUTF8); r != nil {
		return "", r
	}
	return string(p), nil
}

// checkMailbox checks Mailbox = Local-part "@" ( Domain / address-literal ).
// Non-ASCII octets are allowed only when allowUTF8 (RFC 6531 3.3); without
// it they get 550 (sender) or 553 (recipient) 5.6.7 (RFC 6531 3.5); with it
// they must be well-formed UTF-8.
func checkMailbox(p []byte, sender, allowUTF8 bool) *Reply {
	if !allowUTF8 {
		for _, c := range p {
			if c >= 0x80 {
				code := CodeMailboxNameNotAllowed
				if sender {
					code = CodeMailboxUnavailable
				}
				return NewReply(code, EnhancedNonASCIIAddress, "Non-ASCII addresses need SMTPUTF8")
			}
		}
	} else if !utf8.Valid(p) {
		// RFC 6531 3.3: the UTF-8 of an address is UTF8-non-ascii as RFC
		// 6532 section 3.1 defines it, so an ill-formed sequence (a lone
		// 0xFF, an overlong form, a surrogate) is a syntax error, not a
		// name to deliver to.
		return badAddress(sender, "Ill-formed UTF-8 in address")
	}
	at := localPartEnd(p, allowUTF8)
	if at <= 0 || at >= len(p) || p[at] != '@' {
		return badAddress(sender, "Malformed local part")
	}
	domain := p[at+1:]
	if len(domain) > 0 && domain[0] == '[' {
		if !validAddressLiteral(domain) {
			return badAddress(sender, "Malformed address literal")
		}
		return nil
	}
	if !validDomain(domain, allowUTF8) {
		return badAddress(sender, "Malformed domain")
	}
	return nil
}

// localPartEnd returns the index just past a Dot-string or Quoted-string
// local part at the start of p (RFC 5321 4.1.2), or -1.
func localPartEnd(p []byte, allowUTF8 bool) int {
	if len(p) == 0 {
		return -1
	}
	if p[0] == '"' {
		for i := 1; i < len(p); i++ {
			switch c := p[i]; {
			case c == '"':
				return i + 1
			case c == '\\':
				// quoted-pairSMTP = %d92 %d32-126
				if i+1 >= len(p) || p[i+1] < 32 || p[i+1] > 126 {
					return -1
				}
				i++
			case c >= 32 && c <= 126: // qtextSMTP is %d32-126 but '"' and '\'
			case c >= 0x80 && allowUTF8:
			default:
				return -1
			}
		}
		return -1
	}
	i := 0
	atomLen := 0
	for ; i < len(p) && p[i] != '@'; i++ {
		c := p[i]
		switch {
		case c == '.':
			if atomLen == 0 {
				return -1
			}
			atomLen = 0
			continue
		case isAtext(c), c >= 0x80 && allowUTF8:
		default:
			return -1
		}
		atomLen++
	}
	if atomLen == 0 {
		return -1
	}
	return i
}

// isAtext reports RFC 5322 atext: ALPHA / DIGIT and !#$%&'*+-/=?^_`{|}~.
func isAtext(c byte) bool {
	return isAlnum(c) || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validDomain checks Domain = sub-domain *("." sub-domain), sub-domain =
// Let-dig [Ldh-str] (RFC 5321 4.1.2), with UTF-8 U-labels when allowed
// (RFC 6531 3.3). A trailing dot is not allowed.
func validDomain(d []byte, allowUTF8 bool) bool {
	if len(d) == 0 || len(d) > 255 {
		return false
	}
	labelLen := 0
	var last byte
	for _, c := range d {
		switch {
		case c == '.':
			if labelLen == 0 || last == '-' {
				return false
			}
			labelLen = 0
		case c == '-':
			if labelLen == 0 {
				return false
			}
			labelLen++
		case isAlnum(c), c >= 0x80 && allowUTF8:
			labelLen++
		default:
			return false
		}
		if labelLen > 63 {
			return false
		}
		last = c
	}
	return labelLen > 0 && last != '-'
}

// validAddressLiteral checks "[" ( IPv4-address-literal /
// IPv6-address-literal / General-address-literal ) "]" (RFC 5321 4.1.3).
func validAddressLiteral(d []byte) bool {
	if len(d) < 3 || d[0] != '[' || d[len(d)-1] != ']' {
		return false
	}
	in := string(d[1 : len(d)-1])
	if rest, ok := strings.CutPrefix(in, "IPv6:"); ok {
		a, err := netip.ParseAddr(rest)
		return err == nil && a.Is6() && a.Zone() == ""
	}
	if tag, content, ok := strings.Cut(in, ":"); ok {
		// General-address-literal = Standardized-tag ":" 1*dcontent
		if !validDomain([]byte(tag), false) || content == "" {
			return false
		}
		for i := 0; i < len(content); i++ {
			if c := content[i]; c < 33 || c > 126 || c == '[' || c == ']' || c == '\\' {
				return false
			}
		}
		return true
	}
	a, err := netip.ParseAddr(in)
	return err == nil && a.Is4()
}

// ValidAddress reports whether addr is a mailbox that can be sent in a MAIL
// or RCPT path: local@domain with an RFC 5321 4.1.2 local part and a domain
// or address literal. UTF-8 is allowed when utf8 is true (RFC 6531).
func ValidAddress(addr string, utf8 bool) bool {
	return checkMailbox([]byte(addr), false, utf8) == nil
}
