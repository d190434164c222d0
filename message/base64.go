package message

// b64Values maps a byte to its value in the base64 alphabet (RFC 2045
// section 6.8), b64Pad for '=' and b64Skip for every other byte.
var b64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Skip
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	t['='] = b64Pad
	return t
}()

const (
	b64Skip = 0xff
	b64Pad  = 0xfe
)

// A base64Decoder decodes base64 as mail needs it: RFC 2045 section 6.8
// asks decoders to ignore characters outside the alphabet (line ends,
// spaces, garbage), and real mail also carries data truncated in the
// middle of a quantum and several encoded streams glued together. Bits of
// an incomplete quantum are decoded as far as they go; padding ends a
// stream and the next one starts afresh.
type base64Decoder struct {
	acc uint32 // bits of the quantum so far
	n   int    // characters in the quantum so far
}

// decode appends to dst the bytes encoded in src.
func (d *base64Decoder) decode(dst, src []byte) []byte {
	acc, n := d.acc, d.n
	for i := 0; i < len(src); i++ {
		// Fast path: four alphabet characters at a quantum boundary.
		if n == 0 && i+4 <= len(src) {
			a, b, c, e := b64Values[src[i]], b64Values[src[i+1]], b64Values[src[i+2]], b64Values[src[i+3]]
			if a|b|c|e < 64 {
				v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(e)
				dst = append(dst, byte(v>>16), byte(v>>8), byte(v))
				i += 3
				continue
			}
		}
		v := b64Values[src[i]]
		switch v {
		case b64Skip:
			continue
		case b64Pad:
			dst = flushQuantum(dst, acc, n)
			acc, n = 0, 0
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			dst = append(dst, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	d.acc, d.n = acc, n
	return dst
}

// finish appends what an incomplete final quantum holds.
func (d *base64Decoder) finish(dst []byte) []byte {
	dst = flushQuantum(dst, d.acc, d.n)
	d.acc, d.n = 0, 0
	return dst
}

func flushQuantum(dst []byte, acc uint32, n int) []byte {
	switch n {
	case 2:
		dst = append(dst, byte(acc>>4))
	case 3:
		dst = append(dst, byte(acc>>10), byte(acc>>2))
	}
	return dst
}
