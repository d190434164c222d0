package maildir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// modRec is one line of ModSeqFile: a change of the message uid that
// got mod-sequence modseq (RFC 7162 section 3.1.1).
//
//	<modseq> A <uid> :<letters>   the message appeared with these info letters
//	<modseq> F <uid> :<letters>   its info letters became these
//	<modseq> X <uid>              it was expunged
//
// The file starts with the header "mailwire-modseq 1 V<uidvalidity>
// H<highestmodseq>". Records are only appended, each as one write under
// the dovecot-uidlist dotlock, so a reader without the lock reads
// complete lines and leaves a last line without its LF for later; the
// file is compacted (one record per live message, the expunges kept for
// VANISHED) by writing it anew and renaming it over the old one.
type modRec struct {
	modseq uint64
	kind   byte // 'A', 'F' or 'X'
	uid    uint32
	flags  string
}

const modLogHeader = "mailwire-modseq 1"

// modLog reads and appends a folder's ModSeqFile. The Mailbox lock
// guards it; appends happen under the dovecot-uidlist dotlock.
type modLog struct {
	path     string
	validity uint32      // V of the header read; 0 before one is read
	highest  uint64      // the highest mod-sequence read or written
	off      int64       // end of the last complete line read
	id       os.FileInfo // the file read, to tell a replaced one
	records  int         // record lines in the file
}

// errModLog reports a line this package did not write.
var errModLog = errors.New("maildir: corrupt " + ModSeqFile)

// read applies the records appended since the last read. When the file
// was replaced, removed, or belongs to another UIDVALIDITY, it calls
// onReset and starts over: the caller drops what it took from the file
// before, and apply sees every record again.
func (l *modLog) read(validity uint32, onReset func(), apply func(modRec)) error {
	info, err := os.Stat(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		if l.id != nil {
			l.restart()
			onReset()
		}
		return nil
	}
	if err != nil {
		return err
	}
	if l.id != nil && (!os.SameFile(l.id, info) || info.Size() < l.off || l.validity != validity) {
		l.restart()
		onReset()
	}
	if info.Size() == l.off && l.id != nil {
		return nil
	}
	f, err := os.Open(l.path)
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return err
	}
	data, err := io.ReadAll(io.NewSectionReader(f, l.off, info.Size()-l.off))
	if err != nil {
		return err
	}
	l.id = info
	if l.off == 0 {
		n, ours := l.header(data, validity)
		if !ours {
			l.validity, l.off = 0, info.Size() // another UIDVALIDITY's: empty for us
			return nil
		}
		if n == 0 {
			return nil // the header is being written
		}
		data, l.off = data[n:], int64(n)
	}
	return l.readRecords(data, apply)
}

// restart forgets what was read.
func (l *modLog) restart() {
	*l = modLog{path: l.path, highest: l.highest}
}

// header reads the first line and returns its length, 0 while it is
// incomplete; ours is false for a file of another UIDVALIDITY, whose
// records mean nothing for this one.
func (l *modLog) header(data []byte, validity uint32) (n int, ours bool) {
	line, _, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return 0, true
	}
	fields := strings.Fields(string(line))
	if len(fields) < 3 || fields[0]+" "+fields[1] != modLogHeader {
		return 0, false
	}
	for _, f := range fields[2:] {
		v, _ := strconv.ParseUint(f[1:], 10, 64)
		switch f[0] {
		case 'V':
			l.validity = uint32(v)
		case 'H':
			l.highest = max(l.highest, v)
		}
	}
	return len(line) + 1, l.validity == validity
}

// readRecords applies the complete lines of data, which starts at
// l.off. A line that does not parse, the torn end of a writer that
// crashed, is skipped.
func (l *modLog) readRecords(data []byte, apply func(modRec)) error {
	for {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			return nil
		}
		line := string(data[:end])
		data = data[end+1:]
		l.off += int64(end + 1)
		rec, err := parseModRec(line)
		if err != nil {
			continue // a line cut short by a crashed writer
		}
		l.records++
		l.highest = max(l.highest, rec.modseq)
		apply(rec)
	}
}

// parseModRec reads one record line.
func parseModRec(line string) (modRec, error) {
	fields := strings.SplitN(line, " ", 4)
	if len(fields) < 3 || len(fields[1]) != 1 {
		return modRec{}, errModLog
	}
	ms, err1 := strconv.ParseUint(fields[0], 10, 64)
	uid, err2 := strconv.ParseUint(fields[2], 10, 32)
	rec := modRec{modseq: ms, kind: fields[1][0], uid: uint32(uid)}
	if err1 != nil || err2 != nil || ms == 0 || uid == 0 {
		return modRec{}, errModLog
	}
	switch rec.kind {
	case 'A', 'F':
		if len(fields) != 4 || !strings.HasPrefix(fields[3], ":") {
			return modRec{}, errModLog
		}
		rec.flags = intern(fields[3][1:])
	case 'X':
	default:
		return modRec{}, errModLog
	}
	return rec, nil
}

// format writes the record as its line.
func (r modRec) format(b *bytes.Buffer) {
	b.WriteString(strconv.FormatUint(r.modseq, 10))
	b.WriteByte(' ')
	b.WriteByte(r.kind)
	b.WriteByte(' ')
	b.WriteString(strconv.FormatUint(uint64(r.uid), 10))
	if r.kind != 'X' {
		b.WriteString(" :" + r.flags)
	}
	b.WriteByte('\n')
}

// append gives each record the next mod-sequence and writes them as one
// write, synced; the caller holds the dotlock and has just read the
// file. When the file is missing or of another UIDVALIDITY it is
// written anew, and so it is when it holds over four times the records
// live returns (then with those, the expunges included).
func (l *modLog) append(validity uint32, recs []modRec, live func() []modRec) ([]modRec, error) {
	for i := range recs {
		l.highest++
		recs[i].modseq = l.highest
	}
	if l.validity != validity || l.id == nil {
		return recs, l.rewrite(validity, recs)
	}
	if l.records+len(recs) > 4*len(live())+1024 {
		return recs, l.rewrite(validity, append(live(), recs...))
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	if info, err := f.Stat(); err == nil && info.Size() > l.off {
		b.WriteByte('\n') // end the torn line a crashed writer left
	}
	for _, r := range recs {
		r.format(&b)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	l.records += len(recs)
	if l.id, err = f.Stat(); err != nil {
		return nil, err
	}
	l.off = l.id.Size()
	return recs, nil
}

// rewrite replaces the file with the header and recs, by a rename, so a
// reader sees either file whole.
func (l *modLog) rewrite(validity uint32, recs []modRec) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s V%d H%d\n", modLogHeader, validity, l.highest)
	for _, r := range recs {
		r.format(&b)
	}
	tmp := l.path + ".tmp"
	if err := writeSynced(tmp, b.Bytes()); err != nil {
		return err
	}
	if err := os.Rename(tmp, l.path); err != nil {
		os.Remove(tmp)
		return err
	}
	info, err := os.Stat(l.path)
	if err != nil {
		return err
	}
	l.id, l.validity, l.off, l.records = info, validity, int64(b.Len()), len(recs)
	return nil
}

// writeSynced writes data to a new file at path and syncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	return err
}
