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
	Flags string
}

// ParseName splits a file name found in new or cur.
func ParseName(file string) Name {
	base, info, ok := strings.Cut(file, ":")
	if !ok {
		return Name{Base: file}
	}
	flags, _ := strings.CutPrefix(info, "2,")
	return Name{Base: base, Flags: SortFlags(flags)}
}

// File is the name of a message in cur: the base and the info suffix.
func (n Name) File() string { return n.Base + ":2," + n.Flags }

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

// NewBase returns a base name unique on this host: seconds, then
// "M" microseconds, "P" process id and "Q" a counter for the unique part
// (the form Dovecot uses), then the host name with "/" and ":" escaped as
// the specification asks.
func NewBase(now time.Time, size, wireSize int64) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
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
