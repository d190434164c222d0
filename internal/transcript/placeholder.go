package transcript

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Placeholders are the ${...} a package's transcripts may use, for the
// parts of an exchange that differ from run to run (RFC 1939 section 7's
// APOP timestamp and digest).
type Placeholders struct {
	// Patterns maps a name to the regexp that ${name} matches in a line
	// the runner reads. The text it matched is kept for the connection.
	Patterns map[string]string
	// Funcs maps a name to the function that ${name arg} calls in a line
	// the runner sends; vars holds the text each pattern matched so far
	// on that connection, by name.
	Funcs map[string]func(vars map[string]string, arg string) (string, error)
}

// piece is a run of literal text (name empty) or one placeholder.
type piece struct {
	text      string // literal text, escapes not yet decoded
	name, arg string // the placeholder ${name arg}
}

// splitPlaceholders cuts text at its ${...} placeholders.
func splitPlaceholders(text string) ([]piece, error) {
	var out []piece
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return append(out, piece{text: text}), nil
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("%q: ${ without }", text)
		}
		name, arg, _ := strings.Cut(text[i+2:i+j], " ")
		if name == "" {
			return nil, fmt.Errorf("%q: empty placeholder", text)
		}
		out = append(out, piece{text: text[:i]}, piece{name: name, arg: arg})
		text = text[i+j+1:]
	}
}

// expand returns the octets of a line the runner sends.
func (p Placeholders) expand(text string, vars map[string]string) (string, error) {
	pieces, err := splitPlaceholders(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, pc := range pieces {
		switch {
		case pc.name == "":
			b.WriteString(Unescape(pc.text))
		case pc.arg == "" && p.Funcs[pc.name] == nil:
			v, ok := vars[pc.name]
			if !ok {
				return "", fmt.Errorf("${%s} is used before a line the runner read matched it", pc.name)
			}
			b.WriteString(v)
		case p.Funcs[pc.name] != nil:
			v, err := p.Funcs[pc.name](vars, Unescape(pc.arg))
			if err != nil {
				return "", fmt.Errorf("${%s %s}: %w", pc.name, pc.arg, err)
			}
			b.WriteString(v)
		default:
			return "", fmt.Errorf("${%s ...}: no such function", pc.name)
		}
	}
	return b.String(), nil
}

// match checks a line the runner read against a FormLine text and keeps
// what its placeholders matched in vars.
func (p Placeholders) match(text, got string, vars map[string]string) error {
	pieces, err := splitPlaceholders(text)
	if err != nil {
		return err
	}
	if len(pieces) == 1 {
		if want := Unescape(text); got != want {
			return fmt.Errorf("want %q, got %q", want, got)
		}
		return nil
	}
	var re strings.Builder
	re.WriteString("^")
	var names []string
	for _, pc := range pieces {
		if pc.name == "" {
			re.WriteString(regexp.QuoteMeta(Unescape(pc.text)))
			continue
		}
		pat, ok := p.Patterns[pc.name]
		if !ok || pc.arg != "" {
			return fmt.Errorf("${%s}: no such pattern", pc.name)
		}
		re.WriteString("(?P<p" + strconv.Itoa(len(names)) + ">" + pat + ")")
		names = append(names, pc.name)
	}
	re.WriteString("$")
	rx, err := regexp.Compile(re.String())
	if err != nil {
		return fmt.Errorf("placeholder pattern: %w", err)
	}
	m := rx.FindStringSubmatch(got)
	if m == nil {
		return fmt.Errorf("want %q, got %q", text, got)
	}
	for i, name := range names {
		vars[name] = m[rx.SubexpIndex("p"+strconv.Itoa(i))]
	}
	return nil
}

// matchPattern checks a line the runner read against a FormPattern text.
func matchPattern(pattern, got string) error {
	rx, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return fmt.Errorf("pattern: %w", err)
	}
	if !rx.MatchString(got) {
		return fmt.Errorf("want a line matching %q, got %q", pattern, got)
	}
	return nil
}
