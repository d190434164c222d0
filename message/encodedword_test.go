package message

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// TestDecodeText_RFC2047_8 checks the examples of RFC 2047 section 8.
func TestDecodeText_RFC2047_8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?US-ASCII?Q?Keith_Moore?=", "Keith Moore"},
		{"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld Jørn Simonsen"},
		{"=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"},
		{"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=", "If you can read this you understand the example."},
		{"=?ISO-8859-1?Q?Olle_J=E4rnefors?=", "Olle Järnefors"},
		{"=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=", "Patrik Fältström"},
		{"(=?ISO-8859-1?Q?a?=)", "(a)"},
		{"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := DecodeText(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestDecodeText_RFC2231_5 checks the language suffix of RFC 2231 section 5.
func TestDecodeText_RFC2231_5(t *testing.T) {
	got, err := DecodeText("=?US-ASCII*EN?Q?Keith_Moore?=")
	require.NoError(t, err)
	assert.Equal(t, "Keith Moore", got)
}

func encodeWith(t *testing.T, e encoding.Encoding, s string) string {
	t.Helper()
	b, err := e.NewEncoder().String(s)
	require.NoError(t, err)
	return b
}

func bWord(charset, raw string) string {
	return "=?" + charset + "?B?" + b64(raw) + "?="
}

func TestDecodeText_Charsets(t *testing.T) {
	tests := []struct {
		charset string
		enc     encoding.Encoding
		text    string
	}{
		{"EUC-KR", korean.EUCKR, "안녕하세요, 회의 자료입니다"},
		{"ks_c_5601-1987", korean.EUCKR, "홍길동"},
		{"ISO-2022-JP", japanese.ISO2022JP, "会議の資料です"},
		{"Shift_JIS", japanese.ShiftJIS, "こんにちは世界"},
		{"EUC-JP", japanese.EUCJP, "日本語"},
		{"GB18030", simplifiedchinese.GB18030, "你好，世界"},
		{"GBK", simplifiedchinese.GBK, "中文邮件"},
		{"gb2312", simplifiedchinese.GBK, "中文"},
		{"Big5", traditionalchinese.Big5, "繁體中文"},
		{"KOI8-R", charmap.KOI8R, "Привет, мир"},
		{"windows-1251", charmap.Windows1251, "Здравствуйте"},
		{"windows-1252", charmap.Windows1252, "Café “quoted” – €"},
		{"windows-1250", charmap.Windows1250, "Zażółć gęślą"},
		{"ISO-8859-2", charmap.ISO8859_2, "Příliš žluťoučký"},
		{"ISO-8859-15", charmap.ISO8859_15, "Prix: 5 €"},
		{"UTF-16", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UTF-16 텍스트"},
		{"UTF-16LE", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "little end"},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			raw := encodeWith(t, tt.enc, tt.text)
			got, err := DecodeText("Re: " + bWord(tt.charset, raw))
			require.NoError(t, err)
			assert.Equal(t, "Re: "+tt.text, got)
		})
	}
}

// Korean mailers split EUC-KR text over several encoded words, sometimes in
// the middle of a character; adjacent words are decoded together.
func TestDecodeText_SplitMultibyte(t *testing.T) {
	raw := encodeWith(t, korean.EUCKR, "안녕하세요")
	got, err := DecodeText(bWord("euc-kr", raw[:3]) + " " + bWord("euc-kr", raw[3:]))
	require.NoError(t, err)
	assert.Equal(t, "안녕하세요", got)
}

func TestDecodeText_ISO2022KR_RFC1557(t *testing.T) {
	// "안녕" in ISO-2022-KR: designator, SO, KS C 5601 bytes with the high bit cleared, SI.
	euc := encodeWith(t, korean.EUCKR, "안녕")
	shifted := []byte(euc)
	for i := range shifted {
		shifted[i] &^= 0x80
	}
	raw := "\x1b$)C\x0e" + string(shifted) + "\x0f!"
	got, err := DecodeText(bWord("ISO-2022-KR", raw))
	require.NoError(t, err)
	assert.Equal(t, "안녕!", got)
}

func TestDecodeText_Tolerance(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello world", "Hello world"},
		{"glued to text", "Re:=?utf-8?q?caf=C3=A9?=", "Re:café"},
		{"bad Q escape", "=?utf-8?q?a=ZZb?=", "a=ZZb"},
		{"B without padding", "=?utf-8?b?w6k?=", "é"},
		{"B with garbage", "=?utf-8?b?w6k*=?=", "é"},
		{"unterminated", "=?utf-8?q?abc", "=?utf-8?q?abc"},
		{"bad encoding", "=?utf-8?x?abc?=", "=?utf-8?x?abc?="},
		{"lone marker", "a =? b", "a =? b"},
		{"text between words", "=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeText(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeText_UnknownCharset(t *testing.T) {
	got, err := DecodeText("a =?x-unknown?q?b?= =?utf-8?q?c?=")
	require.ErrorIs(t, err, ErrUnknownCharset)
	assert.Equal(t, "a =?x-unknown?q?b?= c", got)
}

func TestEncodeText_RFC2047_5(t *testing.T) {
	tests := []string{
		"Saying Hello",
		"Re: 안녕하세요 회의 자료입니다",
		"Café au lait",
		"  leading and  double  spaces ",
		"literal =?utf-8?q?x?= text",
		"日本語のメールの件名がとても長い場合には複数のエンコードされた単語に分割されなければなりません",
		"mixed 한국어 and English and 日本語 words",
	}
	for _, s := range tests {
		t.Run(s, func(t *testing.T) {
			enc := EncodeText(s)
			if isPrintableASCII(s) && !containsMarker(s) {
				assert.Equal(t, s, enc, "plain text stays plain")
			}
			for _, w := range splitWSP(enc) {
				if len(w) > 2 && w[:2] == "=?" {
					assert.LessOrEqual(t, len(w), 75, w)
				}
			}
			back, err := DecodeText(enc)
			require.NoError(t, err)
			assert.Equal(t, s, back)
		})
	}
	assert.Equal(t, "Re: =?UTF-8?B?7JWI64WV?= world", EncodeText("Re: 안녕 world"))
}

func containsMarker(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '=' && s[i+1] == '?' {
			return true
		}
	}
	return false
}

func splitWSP(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || isWSP(s[i]) {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}
