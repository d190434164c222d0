package smtp

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// Verb is an SMTP command verb (RFC 5321 section 4.1.1 and extensions).
type Verb uint8

// The verbs mailwire knows. VerbUnknown stands for any other.
const (
	VerbUnknown Verb = iota
	VerbEHLO
	VerbHELO
	VerbLHLO // LMTP's greeting (RFC 2033 section 4.1)
	VerbMAIL
	VerbRCPT
	VerbDATA
	VerbBDAT // RFC 3030
	VerbRSET
	VerbNOOP
	VerbQUIT
	VerbVRFY
	VerbEXPN
	VerbHELP
	VerbSTARTTLS // RFC 3207
	VerbAUTH     // RFC 4954
	numVerbs
)

var verbNames = [numVerbs]string{"", "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT",
	"RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH"}

// String returns the verb as it is sent.
func (v Verb) String() string {
	if v < numVerbs && v != VerbUnknown {
		return verbNames[v]
	}
	return "UNKNOWN"
}

// lookupVerb finds the verb of a command line case-insensitively (RFC 5321
// 2.4) without allocating.
func lookupVerb(word []byte) Verb {
	if len(word) != 4 && len(word) != 8 {
		return VerbUnknown
	}
	for v := VerbEHLO; v < numVerbs; v++ {
		if len(verbNames[v]) == len(word) && equalFoldASCII(word, verbNames[v]) {
			return v
		}
	}
	return VerbUnknown
}

// equalFoldASCII reports whether b equals upper (upper case ASCII) ignoring case.
func equalFoldASCII(b []byte, upper string) bool {
	if len(b) != len(upper) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// splitCommand splits a command line (without CRLF) into its verb and the
// argument after one or more spaces (RFC 5321 4.1.1: verb SP argument).
func splitCommand(line []byte) (Verb, []byte) {
	i := bytes.IndexByte(line, ' ')
	if i < 0 {
		return lookupVerb(line), nil
	}
	v := lookupVerb(line[:i])
	return v, bytes.TrimLeft(line[i+1:], " ")
}

// BodyType is the BODY parameter of MAIL (RFC 6152 for 8BITMIME, RFC 3030
// for BINARYMIME).
type BodyType string

// The body types.
const (
	Body7Bit       BodyType = "7BIT"
	Body8BitMIME   BodyType = "8BITMIME"
	BodyBinaryMIME BodyType = "BINARYMIME"
)

// DSNReturn is the RET parameter of MAIL (RFC 3461 section 4.3).
type DSNReturn string

// The DSN return types.
const (
	ReturnFull    DSNReturn = "FULL"
	ReturnHeaders DSNReturn = "HDRS"
)

// DSNNotify is one value of the NOTIFY parameter of RCPT (RFC 3461 4.1).
type DSNNotify string

// The DSN notify conditions.
const (
	NotifyNever   DSNNotify = "NEVER"
	NotifySuccess DSNNotify = "SUCCESS"
	NotifyFailure DSNNotify = "FAILURE"
	NotifyDelay   DSNNotify = "DELAY"
)

// MailOptions are the ESMTP parameters of MAIL FROM.
type MailOptions struct {
	// Size is the SIZE the client declared (RFC 1870), 0 when absent.
	Size int64
	// Body is the BODY type, "" when absent (which means 7BIT).
	Body BodyType
	// UTF8 is set by the SMTPUTF8 parameter (RFC 6531 3.4).
	UTF8 bool
	// Return is the DSN RET parameter, "" when absent (RFC 3461 4.3).
	Return DSNReturn
	// EnvelopeID is the DSN ENVID parameter, xtext-decoded (RFC 3461 4.4).
	EnvelopeID string
	// Auth is the AUTH parameter (RFC 4954 section 5), xtext-decoded: a
	// mailbox, "<>" for none, or "" when absent.
	Auth string
}

// RcptOptions are the ESMTP parameters of RCPT TO.
type RcptOptions struct {
	// Notify lists the DSN NOTIFY conditions (RFC 3461 4.1); nil when absent.
	Notify []DSNNotify
	// OriginalRecipientType and OriginalRecipient are the DSN ORCPT
	// parameter (RFC 3461 4.2), its address xtext-decoded.
	OriginalRecipientType string
	OriginalRecipient     string
}

// syntaxError is a 501 reply for a malformed argument (RFC 5321 4.2.2,
// RFC 3463 5.5.4 "Invalid command arguments").
func syntaxError(text string) *Reply {
	return NewReply(CodeParameterSyntaxError, EnhancedCode{5, 5, 4}, text)
}

// badAddress is a 501 reply for a malformed mailbox (RFC 3463 5.1.3 "Bad
// destination mailbox address syntax"; 5.1.7 for the sender).
func badAddress(sender bool, text string) *Reply {
	if sender {
		return NewReply(CodeParameterSyntaxError, EnhancedCode{5, 1, 7}, text)
	}
	return NewReply(CodeParameterSyntaxError, EnhancedCode{5, 1, 3}, text)
}

// cutPrefixFold removes prefix (upper case) from s ignoring case.
func cutPrefixFold(s []byte, prefix string) ([]byte, bool) {
	if len(s) < len(prefix) || !equalFoldASCII(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// parseMailArg parses the argument of MAIL: "FROM:" Reverse-path [SP
// Mail-parameters] (RFC 5321 4.1.1.2). A space after the colon is tolerated,
// as most servers do. The returned path is "" for the null path "<>".
func parseMailArg(arg []byte, allowUTF8 bool) (string, *MailOptions, *Reply) {
	rest, ok := cutPrefixFold(arg, "FROM:")
	if !ok {
		return "", nil, syntaxError("Syntax: MAIL FROM:<address>")
	}
	rest = bytes.TrimLeft(rest, " ")
	params, opts := parseParamList(rest)
	if opts == nil {
		return "", nil, syntaxError("Syntax: MAIL FROM:<address> [parameters]")
	}
	mo, perr := parseMailParams(params)
	if perr != nil {
		return "", nil, perr
	}
	path, r := parsePath(opts, true, allowUTF8 && mo.UTF8)
	if r != nil {
		return "", nil, r
	}
	return path, mo, nil
}

// parseRcptArg parses the argument of RCPT: "TO:" ( "<Postmaster@" Domain
// ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters] (RFC 5321
// 4.1.1.3).
func parseRcptArg(arg []byte, allowUTF8 bool) (string, *RcptOptions, *Reply) {
	rest, ok := cutPrefixFold(arg, "TO:")
	if !ok {
		return "", nil, syntaxError("Syntax: RCPT TO:<address>")
	}
	rest = bytes.TrimLeft(rest, " ")
	params, pathBytes := parseParamList(rest)
	if pathBytes == nil {
		return "", nil, syntaxError("Syntax: RCPT TO:<address> [parameters]")
	}
	ro, perr := parseRcptParams(params)
	if perr != nil {
		return "", nil, perr
	}
	if equalFoldASCII(pathBytes, "<POSTMASTER>") {
		return string(pathBytes[1 : len(pathBytes)-1]), ro, nil
	}
	path, r := parsePath(pathBytes, false, allowUTF8)
	if r != nil {
		return "", nil, r
	}
	if path == "" {
		return "", nil, badAddress(false, "Null path is not a recipient")
	}
	return path, ro, nil
}

// parseParamList splits "<path> params..." into the path (up to its closing
// ">", which may not be inside a quoted local part) and the parameter
// words. It returns a nil path when there is no bracketed path.
func parseParamList(s []byte) ([][]byte, []byte) {
	if len(s) == 0 || s[0] != '<' {
		return nil, nil
	}
	quoted := false
	end := -1
	for i := 1; i < len(s) && end < 0; i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '>' && !quoted:
			end = i
		}
	}
	if end < 0 {
		return nil, nil
	}
	path, rest := s[:end+1], s[end+1:]
	if len(rest) > 0 && rest[0] != ' ' {
		return nil, nil
	}
	var params [][]byte
	for _, f := range bytes.Split(rest, []byte{' '}) {
		if len(f) > 0 {
			params = append(params, f)
		}
	}
	return params, path
}

// parseParam splits esmtp-param = esmtp-keyword ["=" esmtp-value] (RFC 5321
// 4.1.2) and checks both against the grammar; the keyword is upper-cased.
func parseParam(p []byte) (string, string, bool) {
	key, value, hasValue := bytes.Cut(p, []byte{'='})
	if len(key) == 0 || !isAlnum(key[0]) {
		return "", "", false
	}
	for _, c := range key {
		if !isAlnum(c) && c != '-' {
			return "", "", false
		}
	}
	if hasValue {
		if len(value) == 0 {
			return "", "", false
		}
		for _, c := range value {
			// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531 3.3).
			if c < 33 || c == '=' || c == 127 {
				return "", "", false
			}
		}
	}
	return strings.ToUpper(string(key)), string(value), true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func unknownParam(key string) *Reply {
	return NewReply(CodeParametersNotRecog, EnhancedCode{5, 5, 4}, "Unsupported parameter "+key)
}

// parseMailParams reads the MAIL parameters mailwire implements: SIZE (RFC
// 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), RET and ENVID (RFC
// 3461), AUTH (RFC 4954). Others get 555 5.5.4 (RFC 5321 4.1.1.11).
func parseMailParams(params [][]byte) (*MailOptions, *Reply) {
	opts := &MailOptions{}
	seen := 0
	for _, p := range params {
		key, value, ok := parseParam(p)
		if !ok {
			return nil, syntaxError("Malformed parameter")
		}
		var bit int
		switch key {
		case "SIZE":
			bit = 1
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || value[0] == '+' {
				return nil, syntaxError("Malformed SIZE parameter")
			}
			opts.Size = n
		case "BODY":
			bit = 2
			switch BodyType(strings.ToUpper(value)) {
			case Body7Bit, Body8BitMIME, BodyBinaryMIME:
				opts.Body = BodyType(strings.ToUpper(value))
			default:
				return nil, NewReply(CodeParameterNotImpl, EnhancedCode{5, 5, 4}, "Unsupported BODY type")
			}
		case "SMTPUTF8":
			bit = 4
			if value != "" {
				return nil, syntaxError("SMTPUTF8 takes no value")
			}
			opts.UTF8 = true
		case "RET":
			bit = 8
			switch DSNReturn(strings.ToUpper(value)) {
			case ReturnFull, ReturnHeaders:
				opts.Return = DSNReturn(strings.ToUpper(value))
			default:
				return nil, syntaxError("Malformed RET parameter")
			}
		case "ENVID":
			bit = 16
			v, ok := decodeXtext(value)
			if !ok || len(value) > 100 {
				return nil, syntaxError("Malformed ENVID parameter")
			}
			opts.EnvelopeID = v
		case "AUTH":
			bit = 32
			v, ok := decodeXtext(value)
			if !ok {
				return nil, syntaxError("Malformed AUTH parameter")
			}
			opts.Auth = v
		default:
			return nil, unknownParam(key)
		}
		if seen&bit != 0 {
			return nil, syntaxError("Duplicate parameter " + key)
		}
		seen |= bit
	}
	return opts, nil
}

// parseRcptParams reads the RCPT parameters: NOTIFY and ORCPT (RFC 3461).
func parseRcptParams(params [][]byte) (*RcptOptions, *Reply) {
	opts := &RcptOptions{}
	seen := 0
	for _, p := range params {
		key, value, ok := parseParam(p)
		if !ok {
			return nil, syntaxError("Malformed parameter")
		}
		var bit int
		switch key {
		case "NOTIFY":
			bit = 1
			n, ok := parseNotify(value)
			if !ok {
				return nil, syntaxError("Malformed NOTIFY parameter")
			}
			opts.Notify = n
		case "ORCPT":
			bit = 2
			typ, addr, ok := strings.Cut(value, ";")
			if !ok || typ == "" {
				return nil, syntaxError("Malformed ORCPT parameter")
			}
			a, ok := decodeXtext(addr)
			if !ok || a == "" {
				return nil, syntaxError("Malformed ORCPT parameter")
			}
			opts.OriginalRecipientType, opts.OriginalRecipient = typ, a
		default:
			return nil, unknownParam(key)
		}
		if seen&bit != 0 {
			return nil, syntaxError("Duplicate parameter " + key)
		}
		seen |= bit
	}
	return opts, nil
}

// parseNotify parses "NEVER" or a comma list of SUCCESS, FAILURE and DELAY
// (RFC 3461 4.1).
func parseNotify(v string) ([]DSNNotify, bool) {
	var out []DSNNotify
	for _, f := range strings.Split(strings.ToUpper(v), ",") {
		n := DSNNotify(f)
		switch n {
		case NotifyNever:
			if len(v) != len(NotifyNever) {
				return nil, false
			}
		case NotifySuccess, NotifyFailure, NotifyDelay:
		default:
			return nil, false
		}
		for _, o := range out {
			if o == n {
				return nil, false
			}
		}
		out = append(out, n)
	}
	return out, true
}

// decodeXtext decodes RFC 3461 4 xtext: printable ASCII but "+" and "=",
// with "+" HEXCHAR HEXCHAR for any octet. UTF-8 octets are let through, as
// RFC 6533's utf-8-addr-xtext allows.
func decodeXtext(s string) (string, bool) {
	if strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '+' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isUpperHex(s[i+1]) || !isUpperHex(s[i+2]) {
			return "", false
		}
		n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), true
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// encodeXtext encodes s as RFC 3461 xtext.
func encodeXtext(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 || c == '+' || c == '=' {
			b.WriteByte('+')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

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
// it they get 550 (sender) or 553 (recipient) 5.6.7 (RFC 6531 3.5).
func checkMailbox(p []byte, sender, allowUTF8 bool) *Reply {
	if !allowUTF8 {
		for _, c := range p {
			if c >= 0x80 {
				code := CodeMailboxNameNotAllowed
				if sender {
					code = CodeMailboxUnavailable
				}
				return NewReply(code, EnhancedCode{5, 6, 7}, "Non-ASCII addresses need SMTPUTF8")
			}
		}
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

// parseBDATArg parses "BDAT" SP chunk-size [ SP end-marker ] (RFC 3030 2).
func parseBDATArg(arg []byte) (size int64, last bool, ok bool) {
	num, marker, _ := bytes.Cut(arg, []byte{' '})
	if len(num) == 0 || len(num) > 18 {
		return 0, false, false
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		size = size*10 + int64(c-'0')
	}
	switch {
	case len(marker) == 0:
		return size, false, true
	case equalFoldASCII(bytes.TrimRight(marker, " "), "LAST"):
		return size, true, true
	}
	return size, false, false
}

// ValidAddress reports whether addr is a mailbox that can be sent in a MAIL
// or RCPT path: local@domain with an RFC 5321 4.1.2 local part and a domain
// or address literal. UTF-8 is allowed when utf8 is true (RFC 6531).
func ValidAddress(addr string, utf8 bool) bool {
	return checkMailbox([]byte(addr), false, utf8) == nil
}
