package message

import (
	"errors"
	"strings"
	"time"
)

// ErrInvalidDate is matched (errors.Is) by the errors of ParseDate.
var ErrInvalidDate = errors.New("message: invalid date")

type dateError struct{ msg, s string }

func (e *dateError) Error() string {
	return "message: invalid date: " + e.msg + " in " + quoteForError(e.s)
}

func (e *dateError) Is(target error) bool { return target == ErrInvalidDate }

// dateLayout is the form FormatDate writes (RFC 5322 section 3.3).
const dateLayout = "Mon, 02 Jan 2006 15:04:05 -0700"

// FormatDate formats t for a Date field (RFC 5322 section 3.3).
func FormatDate(t time.Time) string { return t.Format(dateLayout) }

// ParseDate parses a date-time (RFC 5322 section 3.3), accepting the
// obsolete forms of section 4.3 (two- and three-digit years, zone names
// such as "EST" and military zones, comments and white space anywhere) and
// the malformed variants common in real mail: a missing day of the week or
// seconds, full day and month names in any case, hyphenated dates
// ("13-Feb-2024"), asctime order ("Tue Feb 13 10:23:45 2024"), zones such
// as "UTC" or "GMT+0100" or "+01:00", and a missing zone (taken as UTC).
func ParseDate(s string) (time.Time, error) {
	f := dateFields{day: -1, month: -1, year: -1, hour: -1}
	p := dateTokens{s: s}
	if strings.IndexByte(s, '(') >= 0 || strings.Contains(s, " :") || strings.Contains(s, ": ") {
		p.s = squeezeClock(s)
	}
	for {
		tok, ok := p.next()
		if !ok {
			break
		}
		if msg := f.take(tok); msg != "" {
			return time.Time{}, &dateError{msg, s}
		}
	}
	t, msg := f.time()
	if msg != "" {
		return time.Time{}, &dateError{msg, s}
	}
	return t, nil
}

// dateFields collects the parts of a date-time as ParseDate meets them,
// in whatever order the sender wrote them; -1 is "not seen yet".
type dateFields struct {
	day, month, year int
	yearDigits       int
	hour, min, sec   int
	offset           int // seconds east of UTC
	zoneSeen         bool
}

// take files one token: a time of day (with a zone glued on), a number
// (the day, then the year), a numeric zone, a month or day name, or a
// zone name once the time is known. It returns what is wrong, or "".
func (f *dateFields) take(tok string) string {
	switch {
	case strings.IndexByte(tok, ':') > 0 && f.hour < 0 && isDigit(tok[0]):
		var rest string
		var ok bool
		if f.hour, f.min, f.sec, rest, ok = parseClock(tok); !ok {
			return "bad time of day"
		}
		if rest != "" {
			if f.offset, ok = parseZone(rest); !ok {
				return "bad zone"
			}
			f.zoneSeen = true
		}
	case isDigit(tok[0]):
		n, digits, ok := atoiDigits(tok)
		switch {
		case !ok:
			return "bad number"
		case f.day < 0 && digits <= 2 && (f.year < 0 || f.month >= 0):
			f.day = n
		case f.year < 0:
			f.year, f.yearDigits = n, digits
		default:
			return "unexpected number"
		}
	case (tok[0] == '+' || tok[0] == '-') && len(tok) > 1:
		o, ok := parseZone(tok)
		if !ok {
			return "bad zone"
		}
		f.offset, f.zoneSeen = o, true
	default:
		if m := monthIndex(tok); m >= 0 && f.month < 0 {
			f.month = m
			return ""
		}
		if isDayName(tok) {
			return ""
		}
		if f.hour >= 0 && !f.zoneSeen {
			if o, ok := parseZone(tok); ok {
				f.offset, f.zoneSeen = o, true
				return ""
			}
		}
		return "unexpected word " + quoteForError(tok)
	}
	return ""
}

// time checks that the date is complete and in range and returns it; a
// missing zone is UTC.
func (f *dateFields) time() (time.Time, string) {
	if f.day < 1 || f.day > 31 || f.month < 0 || f.year < 0 || f.hour < 0 {
		return time.Time{}, "incomplete date"
	}
	// RFC 5322 section 4.3: two-digit years below 50 are 20xx, others
	// 19xx; three-digit years are offsets from 1900.
	year := f.year
	switch {
	case f.yearDigits <= 2 && year < 50:
		year += 2000
	case f.yearDigits <= 3 && year < 1000:
		year += 1900
	}
	if f.hour > 23 || f.min > 59 || f.sec > 60 {
		return time.Time{}, "time out of range"
	}
	loc := time.UTC
	if f.offset != 0 {
		loc = time.FixedZone("", f.offset)
	}
	t := time.Date(year, time.Month(f.month+1), f.day, f.hour, f.min, f.sec, 0, loc)
	if t.Day() != f.day {
		return time.Time{}, "day out of range"
	}
	return t, ""
}

// squeezeClock removes comments and the white space around the colons of
// a time of day, which the obsolete syntax allows (RFC 5322 section 4.3:
// "09(comment):   55  :  06").
func squeezeClock(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && depth > 0:
			i++
			continue
		case c == '(':
			depth++
			continue
		case c == ')' && depth > 0:
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
			continue
		case depth > 0:
			continue
		}
		b.WriteByte(c)
	}
	t := b.String()
	for {
		u := strings.ReplaceAll(strings.ReplaceAll(t, " :", ":"), ": ", ":")
		u = strings.ReplaceAll(strings.ReplaceAll(u, "\t:", ":"), ":\t", ":")
		if u == t {
			return t
		}
		t = u
	}
}

// dateTokens splits a date into words at white space, commas and comments;
// a hyphen between a day, a month name and a year splits too.
type dateTokens struct {
	s   string
	pos int
}

func (p *dateTokens) next() (string, bool) {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',':
			p.pos++
		case c == '(':
			depth := 0
			for p.pos < len(p.s) {
				switch p.s[p.pos] {
				case '\\':
					p.pos++
				case '(':
					depth++
				case ')':
					depth--
				}
				p.pos++
				if depth == 0 {
					break
				}
			}
		default:
			i := p.pos
			for p.pos < len(p.s) && !strings.ContainsRune(" \t\r\n,(", rune(p.s[p.pos])) {
				// "13-Feb-2024": a hyphen after a day or month name splits.
				if p.s[p.pos] == '-' && p.pos > i && p.pos+1 < len(p.s) && isAlnum(p.s[p.pos+1]) &&
					(isDigit(p.s[i]) && isAlpha(p.s[p.pos+1]) || isAlpha(p.s[i]) && isDigit(p.s[p.pos+1]) && monthIndex(p.s[i:p.pos]) >= 0) {
					tok := p.s[i:p.pos]
					p.pos++
					return tok, true
				}
				p.pos++
			}
			return p.s[i:p.pos], true
		}
	}
	return "", false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// atoiDigits parses a run of at most nine digits.
func atoiDigits(s string) (n, digits int, ok bool) {
	if s == "" || len(s) > 9 {
		return 0, 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, len(s), true
}

// parseClock parses "hh:mm[:ss[.frac]]" and returns what follows it, such
// as a zone glued on ("10:00:00+0100").
func parseClock(s string) (h, m, sec int, rest string, ok bool) {
	num := func() (int, bool) {
		i := 0
		for i < len(s) && i < 2 && isDigit(s[i]) {
			i++
		}
		n, _, ok := atoiDigits(s[:i])
		s = s[i:]
		return n, ok
	}
	if h, ok = num(); !ok || s == "" || (s[0] != ':' && s[0] != '.') {
		return 0, 0, 0, "", false
	}
	s = s[1:]
	if m, ok = num(); !ok {
		return 0, 0, 0, "", false
	}
	if s != "" && (s[0] == ':' || s[0] == '.') {
		s = s[1:]
		if sec, ok = num(); !ok {
			return 0, 0, 0, "", false
		}
		if s != "" && s[0] == '.' { // fractions of a second
			s = s[1:]
			for s != "" && isDigit(s[0]) {
				s = s[1:]
			}
		}
	}
	return h, m, sec, s, true
}

// parseZone parses a zone (RFC 5322 section 3.3 "+hhmm", "+hh:mm",
// section 4.3 obsolete names, "UTC", "GMT+0100") into seconds east of UTC.
// Military zones other than "Z" and unknown names mean -0000, no
// information (RFC 5322 section 4.3).
func parseZone(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if s[0] == '+' || s[0] == '-' {
		digits := strings.Replace(s[1:], ":", "", 1)
		n, d, ok := atoiDigits(digits)
		if !ok || (d != 4 && d != 2) {
			return 0, false
		}
		if d == 2 {
			n *= 100
		}
		if n%100 > 59 || n/100 > 23 {
			return 0, false
		}
		off := (n/100)*3600 + (n%100)*60
		if s[0] == '-' {
			off = -off
		}
		return off, true
	}
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) {
			if i > 0 && (s[i] == '+' || s[i] == '-') {
				return parseZone(s[i:]) // "GMT+0100"
			}
			return 0, false
		}
	}
	switch strings.ToUpper(s) {
	case "EDT":
		return -4 * 3600, true
	case "EST", "CDT":
		return -5 * 3600, true
	case "CST", "MDT":
		return -6 * 3600, true
	case "MST", "PDT":
		return -7 * 3600, true
	case "PST":
		return -8 * 3600, true
	}
	return 0, len(s) <= 5
}

var monthNames = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// monthIndex returns 0-11 for a month name or its three-letter
// abbreviation in any case, or -1.
func monthIndex(s string) int {
	if len(s) < 3 {
		return -1
	}
	for i, m := range monthNames {
		if strings.EqualFold(s[:3], m) {
			full := strings.ToLower(time.Month(i + 1).String())
			if len(s) == 3 || strings.EqualFold(s, full) || (len(s) == 4 && s[3] == '.') {
				return i
			}
		}
	}
	return -1
}

// isDayName reports whether s names a day of the week.
func isDayName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) < 3 {
		return false
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		full := d.String()
		if strings.EqualFold(s, full[:3]) || strings.EqualFold(s, full) {
			return true
		}
	}
	return false
}
