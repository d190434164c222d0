package message

import (
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/transform"
)

// iso2022KR decodes ISO-2022-KR (RFC 1557), the 7-bit form of Korean mail
// that golang.org/x/text does not provide: the designator ESC $ ) C
// announces KS C 5601, SO shifts into it and SI back to ASCII. Shifted
// byte pairs are KS C 5601 with the high bits cleared, so setting them
// again yields EUC-KR, which korean.EUCKR decodes.
type iso2022KR struct{}

func (iso2022KR) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: transform.Chain(&iso2022KRToEUCKR{}, korean.EUCKR.NewDecoder())}
}

// NewEncoder is not provided: mail is written in UTF-8 by this package.
func (iso2022KR) NewEncoder() *encoding.Encoder {
	return encoding.Replacement.NewEncoder()
}

var iso2022KRDesignator = []byte("\x1b$)C")

// iso2022KRToEUCKR is the byte-level half of the decoder.
type iso2022KRToEUCKR struct{ shifted bool }

func (t *iso2022KRToEUCKR) Reset() { t.shifted = false }

func (t *iso2022KRToEUCKR) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		switch {
		case c == 0x1b:
			n := len(src) - nSrc
			if n < len(iso2022KRDesignator) && !atEOF && string(src[nSrc:]) == string(iso2022KRDesignator[:n]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if n >= len(iso2022KRDesignator) && string(src[nSrc:nSrc+len(iso2022KRDesignator)]) == string(iso2022KRDesignator) {
				nSrc += len(iso2022KRDesignator)
				continue
			}
		case c == 0x0e:
			t.shifted = true
			nSrc++
			continue
		case c == 0x0f:
			t.shifted = false
			nSrc++
			continue
		case c == '\n':
			// RFC 1557 section 2: the shift state ends with each line.
			t.shifted = false
		case t.shifted && c > 0x20 && c < 0x7f:
			if nSrc+1 >= len(src) {
				if !atEOF {
					return nDst, nSrc, transform.ErrShortSrc
				}
			} else if d := src[nSrc+1]; d > 0x20 && d < 0x7f {
				if nDst+2 > len(dst) {
					return nDst, nSrc, transform.ErrShortDst
				}
				dst[nDst], dst[nDst+1] = c|0x80, d|0x80
				nDst += 2
				nSrc += 2
				continue
			}
		}
		if nDst >= len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		dst[nDst] = c
		nDst++
		nSrc++
	}
	return nDst, nSrc, nil
}
