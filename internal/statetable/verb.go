package statetable

// Lookup returns the verb whose name is prefix+word, word compared
// ignoring ASCII case as the three protocols' commands are (RFC 5321
// section 2.4, RFC 1939 section 3, RFC 3501 section 9), or 0, the
// unknown verb, when none is. names holds the verbs' names in upper
// case, indexed by verb; names[0] is never matched. It does not
// allocate.
func Lookup[V Index, W ~string | ~[]byte](names []string, prefix string, word W) V {
	for v := 1; v < len(names); v++ {
		name := names[v]
		if len(name) == len(prefix)+len(word) && name[:len(prefix)] == prefix &&
			EqualFold(word, name[len(prefix):]) {
			return V(v)
		}
	}
	return 0
}

// EqualFold reports whether b equals upper, an upper-case ASCII string,
// ignoring ASCII case.
func EqualFold[W ~string | ~[]byte](b W, upper string) bool {
	if len(b) != len(upper) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// Name returns names[i], the String of a protocol's State, Verb or
// Outcome i, or unknown when i is out of range or its name is "".
func Name[I Index](names []string, i I, unknown string) string {
	if int(i) >= 0 && int(i) < len(names) && names[i] != "" {
		return names[i]
	}
	return unknown
}
