package maildir

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// UIDListFile is the file in each folder that maps IMAP UIDs (RFC 3501
// section 2.3.1.1) to message base names, in Dovecot's format, so that
// Dovecot and this package hand out the same UIDs for the same folder.
const UIDListFile = "dovecot-uidlist"

// ErrCorruptUIDList reports a dovecot-uidlist that Dovecot would call
// broken: a bad header, UIDs out of order, a line without a file name.
// Dovecot deletes such a file and starts over with a new UIDVALIDITY;
// this package leaves that decision to its caller.
var ErrCorruptUIDList = errors.New("maildir: corrupt " + UIDListFile)

// UIDList is the content of a dovecot-uidlist file.
//
// Dovecot's format, version 3: a header line "3 V<uidvalidity>
// N<nextuid> G<guid>" whose fields may come in any order (unknown ones
// are kept), then one line per message "<uid> [<ext> ...] :<basename>"
// with UIDs strictly ascending. Version 1, Courier's courierimapuiddb
// ("1 <uidvalidity> <nextuid>", then "<uid> <filename>"), is read too and
// written back as version 3, as Dovecot does; the few development
// versions that wrote version 2 are refused, as current Dovecot does.
type UIDList struct {
	Version  int      // as read: 3, or 1; always written as 3
	Validity uint32   // V: the UIDVALIDITY
	Next     uint32   // N: the next UID, never below the last UID + 1
	GUID     string   // G: the mailbox GUID, 32 hex digits; "" when none
	Extra    []string // other header fields, such as "P<uidl format>", kept as read
	Records  []UIDRecord
}

// UIDRecord is one message of a UIDList.
type UIDRecord struct {
	UID uint32
	// Ext are the extension fields "<key><value>" with key "A" to "Z",
	// in the order read: Dovecot writes S<size> and W<vsize> when the
	// name lacks ",S=" and ",W=", P<pop3 uidl>, O<pop3 order>, G<guid>.
	Ext []string
	// Base is the file name up to the ":2," info, which changes with
	// the flags while the base does not.
	Base string
}

// Field returns the value of the extension field with this key.
func (r UIDRecord) Field(key byte) (string, bool) {
	for _, f := range r.Ext {
		if f != "" && f[0] == key {
			return f[1:], true
		}
	}
	return "", false
}

// Add appends a record for base with the next UID and returns that UID.
// The caller makes sure base is not listed yet.
func (l *UIDList) Add(base string, ext ...string) uint32 {
	uid := l.Next
	l.Records = append(l.Records, UIDRecord{UID: uid, Ext: ext, Base: base})
	l.Next = uid + 1
	return uid
}

// ParseUIDList reads a dovecot-uidlist. A last line without its line
// end is ignored: it is being appended by another process, which holds
// the lock, and will be complete on the next read. A record whose base
// name was listed before under a lower UID replaces the earlier one, and
// an extension field with a bad key is dropped, as Dovecot does.
func ParseUIDList(r io.Reader) (*UIDList, error) {
	br := bufio.NewReader(r)
	header, ok, err := readLine(br)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no header", ErrCorruptUIDList)
	}
	l, err := parseUIDHeader(header)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]int) // base -> index in l.Records
	var prev uint32
	for n := 2; ; n++ {
		line, ok, err := readLine(br)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		rec, err := l.parseRecord(line, prev)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCorruptUIDList, n, err)
		}
		if i, dup := seen[rec.Base]; dup {
			l.Records[i].UID = 0 // dropped below
		}
		seen[rec.Base] = len(l.Records)
		l.Records = append(l.Records, rec)
		l.Next = max(l.Next, rec.UID+1)
		prev = rec.UID
	}
	kept := l.Records[:0]
	for _, rec := range l.Records {
		if rec.UID != 0 {
			kept = append(kept, rec)
		}
	}
	l.Records = kept
	return l, nil
}

// readLine returns the next line without its LF; ok is false at the end
// of the input, including for a last line that has no LF.
func readLine(br *bufio.Reader) (line string, ok bool, err error) {
	line, err = br.ReadString('\n')
	if err == io.EOF {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return line[:len(line)-1], true, nil
}

// parseUIDHeader reads the first line: a one-digit version and a space,
// then the version's fields.
func parseUIDHeader(line string) (*UIDList, error) {
	if len(line) < 2 || line[0] < '0' || line[0] > '9' || line[1] != ' ' {
		return nil, fmt.Errorf("%w: bad version in %q", ErrCorruptUIDList, line)
	}
	l := &UIDList{Version: int(line[0] - '0')}
	fields := strings.Fields(line[2:])
	switch l.Version {
	case 1:
		if len(fields) < 2 || !parseUID(fields[0], &l.Validity) || !parseUID(fields[1], &l.Next) {
			return nil, fmt.Errorf("%w: bad version 1 header %q", ErrCorruptUIDList, line)
		}
	case 3:
		for _, f := range fields {
			if !l.headerField(f) {
				return nil, fmt.Errorf("%w: bad header field %q", ErrCorruptUIDList, f)
			}
		}
	default:
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptUIDList, l.Version)
	}
	if l.Validity == 0 || l.Next == 0 {
		return nil, fmt.Errorf("%w: header without UIDVALIDITY or next UID: %q", ErrCorruptUIDList, line)
	}
	return l, nil
}

// headerField takes one "<key><value>" field of a version 3 header.
func (l *UIDList) headerField(f string) bool {
	switch f[0] {
	case 'V':
		return parseUID(f[1:], &l.Validity)
	case 'N':
		return parseUID(f[1:], &l.Next)
	case 'G':
		l.GUID = f[1:]
		return isGUID(l.GUID)
	}
	l.Extra = append(l.Extra, f)
	return true
}

// parseRecord reads "<uid> [<ext> ...] :<basename>" (version 3) or
// "<uid> <filename>" (version 1); prev is the UID of the line before.
func (l *UIDList) parseRecord(line string, prev uint32) (UIDRecord, error) {
	digits, rest, ok := strings.Cut(line, " ")
	var rec UIDRecord
	if !ok || !parseUID(digits, &rec.UID) || rec.UID == 1<<32-1 {
		return rec, fmt.Errorf("bad UID in %q", line)
	}
	if rec.UID <= prev {
		return rec, fmt.Errorf("UID %d not above %d", rec.UID, prev)
	}
	if l.Version == 1 && rec.UID >= l.Next {
		return rec, fmt.Errorf("UID %d not below the next UID %d", rec.UID, l.Next)
	}
	name := strings.TrimLeft(rest, " ")
	if l.Version == 3 {
		for name != "" && name[0] != ':' {
			var f string
			f, name, _ = strings.Cut(name, " ")
			if f[0] >= 'A' && f[0] <= 'Z' {
				rec.Ext = append(rec.Ext, f)
			}
			name = strings.TrimLeft(name, " ")
		}
		name = strings.TrimPrefix(name, ":")
	}
	rec.Base, _, _ = strings.Cut(name, ":")
	if rec.Base == "" || strings.Contains(name, "/") {
		return rec, fmt.Errorf("bad file name in %q", line)
	}
	return rec, nil
}

// parseUID reads a positive 32-bit decimal number.
func parseUID(s string, v *uint32) bool {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 || s[0] == '+' {
		return false
	}
	*v = uint32(n)
	return true
}

func isGUID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
			return false
		}
	}
	return true
}

// WriteTo writes the list in version 3 as Dovecot does: the header
// fields V, N, G, then the extra ones, then one line per record. It
// refuses what the reader would call corrupt, so that a bad list never
// reaches the disk.
func (l *UIDList) WriteTo(w io.Writer) (int64, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	n, _ := fmt.Fprintf(bw, "3 V%d N%d", l.Validity, l.Next)
	if l.GUID != "" {
		m, _ := bw.WriteString(" G" + l.GUID)
		n += m
	}
	for _, f := range l.Extra {
		m, _ := bw.WriteString(" " + f)
		n += m
	}
	m, _ := bw.WriteString("\n")
	n += m
	for _, rec := range l.Records {
		m, _ := bw.WriteString(strconv.FormatUint(uint64(rec.UID), 10))
		n += m
		for _, f := range rec.Ext {
			m, _ := bw.WriteString(" " + f)
			n += m
		}
		m, _ = bw.WriteString(" :" + rec.Base + "\n")
		n += m
	}
	return int64(n), bw.Flush()
}

// check finds what WriteTo must not write.
func (l *UIDList) check() error {
	if l.Validity == 0 || l.Next == 0 {
		return errors.New("maildir: uidlist without UIDVALIDITY or next UID")
	}
	if l.GUID != "" && !isGUID(l.GUID) {
		return fmt.Errorf("maildir: bad mailbox GUID %q", l.GUID)
	}
	for _, f := range l.Extra {
		if !validField(f) || strings.ContainsAny(f[:1], "VNG") {
			return fmt.Errorf("maildir: bad uidlist header field %q", f)
		}
	}
	var prev uint32
	for _, rec := range l.Records {
		if rec.UID <= prev || rec.UID >= l.Next {
			return fmt.Errorf("maildir: uidlist UID %d out of order (after %d, next %d)", rec.UID, prev, l.Next)
		}
		prev = rec.UID
		if rec.Base == "" || strings.ContainsAny(rec.Base, ":/\n") {
			return fmt.Errorf("maildir: bad base name %q", rec.Base)
		}
		for _, f := range rec.Ext {
			if !validField(f) || f[0] < 'A' || f[0] > 'Z' {
				return fmt.Errorf("maildir: bad uidlist field %q", f)
			}
		}
	}
	return nil
}

// validField reports whether f is one "<key><value>" field: not empty,
// without spaces or line ends, and not starting with ":".
func validField(f string) bool {
	return f != "" && f[0] != ':' && !strings.ContainsAny(f, " \n\r")
}
