package message

import "bytes"

// DefaultEncodingSample is how many leading bytes of a body the Builder
// reads to choose its transfer encoding when Builder.EncodingSample is 0:
// 8 KiB, as the Writer samples, which tells text from binary on the first
// page and costs one small buffer per message.
const DefaultEncodingSample = 8 << 10

// copyBufferSize is the size of the pieces a Builder copies bodies in,
// when the sample is smaller.
const copyBufferSize = 32 << 10

// partEncoding is the Builder's one rule for the transfer encoding of a
// part (RFC 2045 section 6), given the media type and the first bytes of
// the body, all of it when complete (BodyPart.Encoding describes the rule).
// It is the Writer's choice (chooseEncoding) with two corrections for
// what the Writer's identity encoding would let through: a bare CR, which
// RFC 5322 section 2.3 forbids, sends text as quoted-printable; and an
// encapsulated message longer than its sample is labelled 8bit, since the
// rest may not be ASCII (RFC 2045 section 2.7).
func partEncoding(mt string, sample []byte, complete bool) string {
	cte := chooseEncoding(mt, sample, complete)
	switch {
	case cte != "7bit":
		return cte
	case !complete:
		return "8bit" // message/*: the Writer never says 7bit of part of text
	case hasBareCR(sample) && !isMessageType(mt):
		return "quoted-printable"
	}
	return cte
}

func isMessageType(mt string) bool { return len(mt) > 8 && mt[:8] == "message/" }

// hasBareCR reports whether b has a CR that is not followed by LF.
func hasBareCR(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return false
		}
		if i+1 == len(b) || b[i+1] != '\n' {
			return true
		}
		b = b[i+2:]
	}
}
