package sasl

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file parses and formats the SCRAM message syntax of RFC 5802
// section 7.

// escapeSASLName writes a saslname (RFC 5802 section 5.1, "n"): "," is
// sent as "=2C" and "=" as "=3D".
func escapeSASLName(s string) string {
	if !strings.ContainsAny(s, ",=") {
		return s
	}
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// unescapeSASLName reverses escapeSASLName. An "=" not followed by "2C"
// or "3D" must fail the exchange (RFC 5802 section 5.1); so do invalid
// UTF-8, a NUL and an empty name (section 7, saslname).
func unescapeSASLName(s string) (string, error) {
	if s == "" || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return "", errors.New("invalid saslname")
	}
	if strings.IndexByte(s, '=') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "=2C"):
			b.WriteByte(',')
		case strings.HasPrefix(s[i:], "=3D"):
			b.WriteByte('=')
		default:
			return "", errors.New("invalid saslname escape")
		}
		i += 2
	}
	return b.String(), nil
}

// isPrintable is "printable" of RFC 5802 section 7: %x21-2B / %x2D-7E,
// the nonce characters.
func isPrintable(c byte) bool { return c >= 0x21 && c <= 0x7e && c != ',' }

// isNonce reports a non-empty string of printable characters (c-nonce,
// and c-nonce s-nonce).
func isNonce(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isPrintable(s[i]) {
			return false
		}
	}
	return s != ""
}

// scramAttr is one attr-val of RFC 5802 section 7.
type scramAttr struct {
	name  byte
	value string
}

// splitAttrs splits a SCRAM message into attributes: each is one ALPHA,
// "=" and a non-empty value without NUL (attr-val, value). The message
// must not exceed maxScramMessage octets. Values must be UTF-8 too, which
// checkUTF8 tests, so that a server can tell a bad username (RFC 5802
// section 7, invalid-username-encoding) from other bad input.
func splitAttrs(msg string) ([]scramAttr, error) {
	if len(msg) > maxScramMessage {
		return nil, errors.New("message too long")
	}
	parts := strings.Split(msg, ",")
	attrs := make([]scramAttr, 0, len(parts))
	for _, p := range parts {
		if len(p) < 3 || !isAlpha(p[0]) || p[1] != '=' || strings.IndexByte(p, 0) >= 0 {
			return nil, fmt.Errorf("malformed attribute %q", truncate(p))
		}
		attrs = append(attrs, scramAttr{p[0], p[2:]})
	}
	return attrs, nil
}

// checkUTF8 checks that every value is UTF-8 (RFC 5802 section 7,
// value-safe-char).
func checkUTF8(attrs []scramAttr) error {
	for _, a := range attrs {
		if !utf8.ValidString(a.value) {
			return fmt.Errorf("attribute %q is not UTF-8", a.name)
		}
	}
	return nil
}

// expectAttrs checks that attrs starts with the attributes names, in
// order (RFC 5802 section 5.1: the order is fixed); what follows are
// extensions, which the caller ignores (section 7, extensions).
func expectAttrs(attrs []scramAttr, names string) error {
	if len(attrs) < len(names) {
		return fmt.Errorf("missing attributes, want %q", names)
	}
	for i := 0; i < len(names); i++ {
		if attrs[i].name != names[i] {
			return fmt.Errorf("attribute %q where %q belongs", attrs[i].name, names[i])
		}
	}
	return nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// truncate shortens attacker-chosen text quoted in an error.
func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

// decodeScramBase64 decodes a "base64" value of RFC 5802 section 7: the
// standard alphabet with padding and nothing else (no line breaks, which
// encoding/base64 would skip).
func decodeScramBase64(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '/' && c != '=' {
			return nil, errors.New("invalid base64")
		}
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}

// parsePositNumber parses "posit-number" (RFC 5802 section 7): a digit
// other than zero first, then digits; at most nine, so that it fits an
// int everywhere.
func parsePositNumber(s string) (int, error) {
	if s == "" || len(s) > 9 || s[0] < '1' || s[0] > '9' {
		return 0, fmt.Errorf("invalid iteration count %q", truncate(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("invalid iteration count %q", truncate(s))
		}
	}
	return strconv.Atoi(s)
}

// gs2Header is the parsed GS2 header that starts a client-first-message
// (RFC 5802 section 7, gs2-header; RFC 5801 section 4).
type gs2Header struct {
	flag    byte   // 'n', 'y' or 'p'
	cbName  string // with flag 'p'
	authzid string
	raw     string // the header as sent, for the "c=" check
}

// parseGS2Header splits msg into its GS2 header and the rest, the
// client-first-message-bare. A first character other than "n", "y" or
// "p" must fail the exchange (RFC 5802 section 5).
func parseGS2Header(msg string) (gs2Header, string, error) {
	var h gs2Header
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return h, "", errors.New("no GS2 header")
	}
	switch {
	case flag == "n" || flag == "y":
		h.flag = flag[0]
	case strings.HasPrefix(flag, "p=") && isCBName(flag[2:]):
		h.flag, h.cbName = 'p', flag[2:]
	default:
		return h, "", fmt.Errorf("invalid channel binding flag %q", truncate(flag))
	}
	authz, rest, ok := strings.Cut(rest, ",")
	if !ok {
		return h, "", errors.New("GS2 header not terminated")
	}
	if authz != "" {
		name, found := strings.CutPrefix(authz, "a=")
		if !found {
			return h, "", fmt.Errorf("invalid authzid %q in GS2 header", truncate(authz))
		}
		var err error
		if h.authzid, err = unescapeSASLName(name); err != nil {
			return h, "", err
		}
	}
	h.raw = msg[:len(msg)-len(rest)]
	return h, rest, nil
}

// isCBName is cb-name of RFC 5802 section 7: 1*(ALPHA / DIGIT / "." /
// "-"), here at most 64 characters.
func isCBName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-' {
			return false
		}
	}
	return s != "" && len(s) <= 64
}

// formatGS2 formats a GS2 header: flag is "n", "y" or "p=" cb-name.
func formatGS2(flag, authzid string) string {
	if authzid == "" {
		return flag + ",,"
	}
	return flag + ",a=" + escapeSASLName(authzid) + ","
}
