package transcript

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ParseGlob parses every file pattern matches (filepath.Glob), for fuzz
// targets that seed their corpus with what transcripts send; it is an
// error if none matches.
func ParseGlob(pattern string) ([]*Script, error) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no transcripts match %s (%v)", pattern, err)
	}
	var out []*Script
	for _, f := range files {
		sc, err := ParseFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// OptionBits folds the script's options into a fuzz target's options
// byte. A key of bits matches an option by its name ("tls"), by its name
// and argument ("AllowInsecureAuth false"), or, ending in "*", by the
// start of its name ("Max*" for every limit).
func (sc *Script) OptionBits(bits map[string]byte) byte {
	var b byte
	for _, o := range sc.Options {
		for key, bit := range bits {
			prefix, wild := strings.CutSuffix(key, "*")
			if key == o.Name || key == o.Name+" "+o.Arg || wild && strings.HasPrefix(o.Name, prefix) {
				b |= bit
			}
		}
	}
	return b
}
