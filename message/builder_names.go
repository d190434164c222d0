package message

import "strings"

// maxPlainName is the longest printable ASCII file name written as it is
// in the plain name= and filename= parameters; a longer one (no real file
// system allows more than 255 octets) is written as encoded words, which
// fold, so that no line can pass 998 octets (RFC 5322 section 2.1.1).
const maxPlainName = 255

// plainName returns a file name as the plain (not RFC 2231) name= and
// filename= parameters carry it: printable ASCII as it is, anything else
// as RFC 2047 encoded words in UTF-8. RFC 2047 section 5 does not allow
// encoded words in a quoted string, but that is where Outlook, Thunderbird
// and Gmail write them, and where readers that know nothing of RFC 2231
// look for a name; readers that know RFC 2231 take filename* instead.
func plainName(name string) string {
	if isPrintableASCII(name) && !strings.Contains(name, "=?") && len(name) <= maxPlainName {
		return name
	}
	var b strings.Builder
	appendEncodedWords(&b, name, true) // the phrase form: no '"' or '\'
	return b.String()
}

// formatPlainParam writes "; attr=value", the value a token if it can be
// and a quoted string otherwise (RFC 2045 section 5.1).
func formatPlainParam(b *strings.Builder, attr, value string) {
	b.WriteString("; ")
	b.WriteString(attr)
	b.WriteByte('=')
	if value != "" && isToken(value) {
		b.WriteString(value)
	} else {
		b.WriteString(quoteString(value))
	}
}

// contentTypeValue formats a Content-Type with the name parameter for
// filename, unless params has one: RFC 2046 section 4.5.1 deprecates it in
// favour of Content-Disposition's filename, but older readers look only
// there.
func contentTypeValue(mt string, params Params, filename string) string {
	v := FormatMediaType(mt, params)
	if filename == "" || params.Get("name") != "" {
		return v
	}
	var b strings.Builder
	b.WriteString(v)
	formatPlainParam(&b, "name", plainName(filename))
	return b.String()
}

// dispositionValue formats a Content-Disposition (RFC 2183 section 2) with
// the filename parameter (section 2.3). A name that a plain parameter
// cannot carry as it is gets both forms: filename="=?UTF-8?...?=" first,
// then filename* in the form of RFC 2231 sections 3 and 4, which readers
// that know it prefer (our ParseMediaType does too).
func dispositionValue(disposition, filename string) string {
	if filename == "" {
		return disposition
	}
	ext := FormatMediaType("", Params{{"filename", filename}})
	if !strings.HasPrefix(ext, "; filename*") {
		return disposition + ext // a plain parameter said it all
	}
	var b strings.Builder
	b.WriteString(disposition)
	formatPlainParam(&b, "filename", plainName(filename))
	b.WriteString(ext)
	return b.String()
}
