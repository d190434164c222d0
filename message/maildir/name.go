package maildir

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Info flags of the "2," experimental semantics, as letters in ASCII
// order (the order the specification requires in a name).
const (
	FlagDraft   = 'D'
	FlagFlagged = 'F'
	FlagPassed  = 'P'
	FlagReplied = 'R'
	FlagSeen    = 'S'
	FlagTrashed = 'T'
)

// Name is a message file name split into its parts.
type Name struct {
	// Base is the unique part, which never changes: "time.unique.host"
	// with optional ",S=" and ",W=" fields.
	Base string
	// Flags are the info letters after ":2,", sorted; "" when none.
	// Upper-case letters are the flags above; "a" to "z" are keywords
	// (see Keywords). Letters this package does not know are kept.
	Flags string
	// Extra is what follows a comma in the info ("…:2,S,xyz"): Dovecot's
	// extension of the info, which it leaves alone when it changes
	// flags, and so does File. "" when none.
	Extra string
}

// ParseName splits a file name found in new or cur. An info of another
// version than "2," (the only one the specification defines) is taken
// as no flags.
func ParseName(file string) Name {
	base, info, ok := strings.Cut(file, ":")
	if !ok {
		return Name{Base: file}
	}
	info, ok = strings.CutPrefix(info, "2,")
	if !ok {
		return Name{Base: base}
	}
	flags, extra, _ := strings.Cut(info, ",")
	return Name{Base: base, Flags: SortFlags(flags), Extra: extra}
}

// File is the name of a message in cur: the base and the info suffix.
func (n Name) File() string {
	if n.Extra != "" {
		return n.Base + ":2," + n.Flags + "," + n.Extra
	}
	return n.Base + ":2," + n.Flags
}

// Field returns the value of a ",X=" field of the base, such as the sizes
// S and W, or -1 when it is missing or not a number.
func (n Name) Field(key byte) int64 {
	_, fields, _ := strings.Cut(n.Base, ",")
	for _, f := range strings.Split(fields, ",") {
		if len(f) > 2 && f[0] == key && f[1] == '=' {
			if v, err := strconv.ParseInt(f[2:], 10, 64); err == nil {
				return v
			}
		}
	}
	return -1
}

// SortFlags returns the letters in ASCII order without repeats.
func SortFlags(flags string) string {
	b := []byte(flags)
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	out := b[:0]
	for i, c := range b {
		if i == 0 || c != b[i-1] {
			out = append(out, c)
		}
	}
	return string(out)
}

// deliveries makes names unique within the process.
var deliveries atomic.Uint64

// NewBase returns a base name unique on this host, as the Maildir
// specification builds it: seconds, then for the unique part "M" and the
// microseconds, "P" and the process id, "Q" and the count of deliveries
// by this process, then the host name with "/" written \057 and ":"
// written \072. The ",S=" (file size) and ",W=" (size with CRLF line
// ends, RFC822.SIZE) fields follow, as Dovecot writes and reads them.
func NewBase(now time.Time, size, wireSize int64) string {
	host := strings.NewReplacer("/", `\057`, ":", `\072`).Replace(hostname())
	var b strings.Builder
	b.WriteString(strconv.FormatInt(now.Unix(), 10))
	b.WriteString(".M" + strconv.Itoa(now.Nanosecond()/1000))
	b.WriteString("P" + strconv.Itoa(os.Getpid()))
	b.WriteString("Q" + strconv.FormatUint(deliveries.Add(1), 10))
	b.WriteString("." + host)
	b.WriteString(",S=" + strconv.FormatInt(size, 10))
	b.WriteString(",W=" + strconv.FormatInt(wireSize, 10))
	return b.String()
}

// PathIn is where a message of this name lies in folder dir: in cur
// once it has info, in new before.
func (n Name) PathIn(dir string) string {
	if n.Flags == "" {
		return filepath.Join(dir, "new", n.Base)
	}
	return filepath.Join(dir, "cur", n.File())
}
