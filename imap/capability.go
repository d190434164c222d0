package imap

import "strings"

// Cap is a capability name as CAPABILITY lists it (RFC 3501 section 7.2.1).
type Cap string

// Capabilities this package knows about.
const (
	CapIMAP4rev1     Cap = "IMAP4rev1"          // RFC 3501
	CapIMAP4rev2     Cap = "IMAP4rev2"          // RFC 9051
	CapStartTLS      Cap = "STARTTLS"           // RFC 3501 section 6.2.1
	CapLoginDisabled Cap = "LOGINDISABLED"      // RFC 3501 section 6.2.3
	CapAuthPlain     Cap = "AUTH=PLAIN"         // RFC 4616
	CapAuthLogin     Cap = "AUTH=LOGIN"         // draft-murchison-sasl-login
	CapSASLIR        Cap = "SASL-IR"            // RFC 4959
	CapIdle          Cap = "IDLE"               // RFC 2177
	CapUIDPlus       Cap = "UIDPLUS"            // RFC 4315
	CapMove          Cap = "MOVE"               // RFC 6851
	CapNamespace     Cap = "NAMESPACE"          // RFC 2342
	CapID            Cap = "ID"                 // RFC 2971
	CapEnable        Cap = "ENABLE"             // RFC 5161
	CapUnselect      Cap = "UNSELECT"           // RFC 3691
	CapLiteralPlus   Cap = "LITERAL+"           // RFC 7888
	CapLiteralMinus  Cap = "LITERAL-"           // RFC 7888
	CapSpecialUse    Cap = "SPECIAL-USE"        // RFC 6154
	CapCreateSpecial Cap = "CREATE-SPECIAL-USE" // RFC 6154 section 3
	CapListExtended  Cap = "LIST-EXTENDED"      // RFC 5258
	CapListStatus    Cap = "LIST-STATUS"        // RFC 5819
	CapChildren      Cap = "CHILDREN"           // RFC 3348
	CapESearch       Cap = "ESEARCH"            // RFC 4731
	CapSearchRes     Cap = "SEARCHRES"          // RFC 5182
	CapCondStore     Cap = "CONDSTORE"          // RFC 7162
	CapQResync       Cap = "QRESYNC"            // RFC 7162
	CapSort          Cap = "SORT"               // RFC 5256
	CapThreadRefs    Cap = "THREAD=REFERENCES"  // RFC 5256
	CapThreadOrdered Cap = "THREAD=ORDEREDSUBJECT"
	CapCompress      Cap = "COMPRESS=DEFLATE" // RFC 4978
	CapBinary        Cap = "BINARY"           // RFC 3516
	CapUTF8Accept    Cap = "UTF8=ACCEPT"      // RFC 6855
	CapStatusSize    Cap = "STATUS=SIZE"      // RFC 8438
	CapAppendLimit   Cap = "APPENDLIMIT"      // RFC 7889
)

// Caps is a set of capabilities, keyed by upper-cased name.
type Caps map[Cap]struct{}

// newCaps builds a set from the names a server sent.
func newCaps(names []string) Caps {
	c := make(Caps, len(names))
	for _, n := range names {
		c[Cap(strings.ToUpper(n))] = struct{}{}
	}
	return c
}

// Has reports whether the set holds c, case-insensitively.
func (c Caps) Has(name Cap) bool {
	_, ok := c[Cap(strings.ToUpper(string(name)))]
	return ok
}

// AuthMechanisms lists the SASL mechanisms of AUTH= capabilities.
func (c Caps) AuthMechanisms() []string {
	var mechs []string
	for name := range c {
		if m, ok := strings.CutPrefix(string(name), "AUTH="); ok {
			mechs = append(mechs, m)
		}
	}
	return mechs
}
