package message

import (
	"encoding/base64"

	"golang.org/x/text/encoding"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func encodeWithT(e encoding.Encoding, s string) string {
	b, err := e.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func percent(s string) string {
	const hexdigits = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		b = append(b, '%', hexdigits[s[i]>>4], hexdigits[s[i]&15])
	}
	return string(b)
}
