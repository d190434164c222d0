package smtp

import (
	"bytes"
	"strconv"
	"strings"
)

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
	return NewReply(CodeParametersNotRecog, EnhancedInvalidArguments, "Unsupported parameter "+key)
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
				return nil, NewReply(CodeParameterNotImpl, EnhancedInvalidArguments, "Unsupported BODY type")
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
