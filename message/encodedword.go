package message

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// DecodeText decodes the encoded words (RFC 2047) in unstructured header
// text such as a Subject, returning UTF-8. White space between two encoded
// words is dropped (RFC 2047 section 6.2); adjacent encoded words in the
// same charset are decoded together, so a multibyte character split across
// two words comes out whole. Charsets may carry an RFC 2231 section 5
// language suffix ("utf-8*ko"). Encoded words glued to other text are
// decoded too, as mail readers do.
//
// An encoded word in an unknown charset is left as it is and a
// *CharsetError is returned with the rest of the text decoded. Malformed
// words are left as they are.
func DecodeText(s string) (string, error) {
	if !strings.Contains(s, "=?") {
		return s, nil
	}
	var (
		out      strings.Builder
		firstErr error
		pendCS   string // charset of the pending run of encoded words
		pend     []byte // their decoded bytes, not yet converted
		space    string // white space seen after the last encoded word
		find     wordEnds
	)
	find.s = s
	flush := func() {
		if pendCS == "" {
			return
		}
		text, err := DecodeCharset(pendCS, pend)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		out.WriteString(text)
		pendCS, pend = "", pend[:0]
	}
	out.Grow(len(s))
	pos := 0 // s[pos:] is what is left
	for pos < len(s) {
		i := strings.Index(s[pos:], "=?")
		if i < 0 {
			break
		}
		cs, raw, decoded, ok := find.word(pos + i)
		if !ok {
			flush()
			out.WriteString(space)
			out.WriteString(s[pos : pos+i+2])
			space, pos = "", pos+i+2
			continue
		}
		between := s[pos : pos+i]
		if pendCS != "" && isAllWSP(between) {
			between = "" // RFC 2047 section 6.2
		} else {
			flush()
			out.WriteString(space)
		}
		space = ""
		out.WriteString(between)
		if _, err := lookupCharset(cs); err != nil {
			flush()
			if firstErr == nil {
				firstErr = err
			}
			out.WriteString(raw)
		} else {
			if pendCS != "" && !strings.EqualFold(pendCS, cs) {
				flush()
			}
			pendCS = cs
			pend = append(pend, decoded...)
		}
		pos += i + len(raw)
		// Keep white space after the word aside: it is dropped if another
		// encoded word follows.
		j := pos
		for j < len(s) && isWSP(s[j]) {
			j++
		}
		space, pos = s[pos:j], j
	}
	flush()
	out.WriteString(space)
	out.WriteString(s[pos:])
	return out.String(), firstErr
}

func isAllWSP(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isWSP(s[i]) && s[i] != '\r' && s[i] != '\n' {
			return false
		}
	}
	return true
}

// maxCharsetName bounds the charset of an encoded word; registered names
// are at most 40 characters (RFC 2978 section 2.3).
const maxCharsetName = 64

// wordEnds finds encoded words in a string. It remembers where the next
// "?=" and the next white space are, so that finding every word costs time
// linear in the length of the string, whatever it holds.
type wordEnds struct {
	s            string
	term, space  int  // positions found, or -1 for none
	termOK, spOK bool // whether term and space were searched for
}

func (f *wordEnds) nextTerm(from int) int {
	if !f.termOK || (f.term >= 0 && f.term < from) {
		f.term, f.termOK = strings.Index(f.s[from:], "?="), true
		if f.term >= 0 {
			f.term += from
		}
	}
	return f.term
}

func (f *wordEnds) nextSpace(from int) int {
	if !f.spOK || (f.space >= 0 && f.space < from) {
		f.space, f.spOK = strings.IndexAny(f.s[from:], " \t\r\n"), true
		if f.space >= 0 {
			f.space += from
		}
	}
	return f.space
}

// word parses the encoded word at s[at:] (RFC 2047 section 2: "=?"
// charset "?" encoding "?" encoded-text "?="). It returns the charset
// without any language suffix (RFC 2231 section 5), the word as written and
// its decoded bytes.
func (f *wordEnds) word(at int) (charset, raw string, decoded []byte, ok bool) {
	rest := f.s[at+2:]
	q := strings.IndexByte(rest[:min(len(rest), maxCharsetName+1)], '?')
	if q <= 0 || len(rest) < q+3 || rest[q+2] != '?' {
		return
	}
	charset = rest[:q]
	if strings.ContainsAny(charset, " \t\r\n()<>@,;:\"/[]=") {
		return "", "", nil, false
	}
	if star := strings.IndexByte(charset, '*'); star >= 0 {
		charset = charset[:star]
	}
	enc := rest[q+1]
	start := at + 2 + q + 3
	end := f.nextTerm(start)
	if end < 0 {
		return "", "", nil, false
	}
	if sp := f.nextSpace(start); sp >= 0 && sp < end {
		return "", "", nil, false
	}
	text := f.s[start:end]
	switch enc {
	case 'B', 'b':
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			var d base64Decoder
			b = d.finish(d.decode(nil, []byte(text)))
		}
		decoded = b
	case 'Q', 'q':
		decoded = decodeQ(text)
	default:
		return "", "", nil, false
	}
	return charset, f.s[at : end+2], decoded, true
}

// decodeQ decodes the Q encoding (RFC 2047 section 4.2): "_" is a space
// and "=XX" a byte in hexadecimal. A malformed escape is kept as written.
func decodeQ(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '_':
			b = append(b, ' ')
		case '=':
			if i+2 < len(s) {
				if h, ok := unhex2(s[i+1], s[i+2]); ok {
					b = append(b, h)
					i += 2
					continue
				}
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return b
}

// hexValues maps a hexadecimal digit to its value and any other byte to
// 0xff.
var hexValues = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := byte(0); i < 10; i++ {
		t['0'+i] = i
	}
	for i := byte(0); i < 6; i++ {
		t['A'+i], t['a'+i] = 10+i, 10+i
	}
	return t
}()

// unhex2 decodes two hexadecimal digits.
func unhex2(a, b byte) (byte, bool) {
	h, l := hexValues[a], hexValues[b]
	return h<<4 | l, h|l != 0xff && h < 16 && l < 16
}

// maxEncodedWord is the longest encoded word RFC 2047 section 2 allows.
const maxEncodedWord = 75

// EncodeText returns s in the form an unstructured field (such as Subject)
// carries it. Printable ASCII is left as it is; runs of words that need
// encoding become RFC 2047 encoded words in UTF-8, at most 75 characters
// each (RFC 2047 section 2), in the Q or the B encoding, whichever is
// shorter. The white space between plain and encoded words is kept, so the
// text decodes back to s (with line ends turned into spaces).
func EncodeText(s string) string {
	if !needsEncoding(s) {
		return s
	}
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	var b strings.Builder
	for len(s) > 0 {
		// Copy white space and plain words; stop at a word to encode.
		i := 0
		for i < len(s) {
			j := i
			for j < len(s) && isWSP(s[j]) {
				j++
			}
			k := j
			for k < len(s) && !isWSP(s[k]) {
				k++
			}
			if wordNeedsEncoding(s[j:k]) {
				i = j
				break
			}
			i = k
		}
		b.WriteString(s[:i])
		s = s[i:]
		if len(s) == 0 {
			break
		}
		// The run to encode extends over every following word that needs
		// encoding, with the white space between them.
		end := 0
		for k := 0; k < len(s); {
			j := k
			for j < len(s) && isWSP(s[j]) {
				j++
			}
			e := j
			for e < len(s) && !isWSP(s[e]) {
				e++
			}
			if j == e || !wordNeedsEncoding(s[j:e]) {
				break
			}
			end, k = e, e
		}
		appendEncodedWords(&b, s[:end], false)
		s = s[end:]
	}
	return b.String()
}

// encodePhrase returns a display name (RFC 5322 section 3.2.5 phrase) as
// encoded words, whose Q form uses only the characters RFC 2047 section
// 5 (3) allows in a phrase.
func encodePhrase(s string) string {
	var b strings.Builder
	appendEncodedWords(&b, s, true)
	return b.String()
}

// needsEncoding reports whether s cannot stand as it is in a header.
func needsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x7f || (c < ' ' && c != '\t') {
			return true
		}
	}
	return strings.Contains(s, "=?")
}

func wordNeedsEncoding(w string) bool { return needsEncoding(w) }

// appendEncodedWords writes s as space-separated UTF-8 encoded words.
func appendEncodedWords(b *strings.Builder, s string, phrase bool) {
	useQ := qLen(s, phrase) <= base64.StdEncoding.EncodedLen(len(s))
	const prefixLen = len("=?UTF-8?Q?") + len("?=")
	first := true
	for len(s) > 0 {
		// Take as many whole characters as fit in one word.
		n, size := 0, prefixLen
		for n < len(s) {
			_, rl := utf8.DecodeRuneInString(s[n:])
			var add int
			if useQ {
				add = qLen(s[n:n+rl], phrase)
			} else {
				add = base64.StdEncoding.EncodedLen(n+rl) - base64.StdEncoding.EncodedLen(n)
			}
			if size+add > maxEncodedWord && n > 0 {
				break
			}
			size += add
			n += rl
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		if useQ {
			b.WriteString("=?UTF-8?Q?")
			writeQ(b, s[:n], phrase)
		} else {
			b.WriteString("=?UTF-8?B?")
			b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[:n])))
		}
		b.WriteString("?=")
		s = s[n:]
	}
}

// qPlain reports whether c may appear unencoded in Q encoded text (RFC
// 2047 section 5 (1) and, for phrases, the stricter section 5 (3)).
func qPlain(c byte, phrase bool) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '!' || c == '*' || c == '+' || c == '-' || c == '/':
		return true
	}
	return !phrase && c > ' ' && c < 0x7f && c != '=' && c != '?' && c != '_' &&
		c != '(' && c != ')' && c != '"' && c != ','
}

func qLen(s string, phrase bool) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if qPlain(s[i], phrase) || s[i] == ' ' {
			n++
		} else {
			n += 3
		}
	}
	return n
}

func writeQ(b *strings.Builder, s string, phrase bool) {
	const hexdigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('_')
		case qPlain(c, phrase):
			b.WriteByte(c)
		default:
			b.WriteByte('=')
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&15])
		}
	}
}
