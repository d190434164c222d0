package maildir

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
)

// CacheFile records, each appended with O_APPEND in one write, so
// that processes appending at once never interleave inside a record:
//
//	"MWc1" | payload length, uint32 BE | CRC-32 (IEEE) of the payload, uint32 BE | payload
//
// payload: a kind byte ('M' date and size only, 'S' with checkpoints
// and structure), the base name (uvarint length, bytes), the internal
// date (varint Unix nanoseconds), the wire size (varint), then for 'S'
// the checkpoints (uvarint count, then file and wire offsets as
// uvarints) and the rest: message.Structure.MarshalBinary.
//
// A reader that finds no magic, a length past the end or a wrong CRC
// (a record torn by a crash, or written by something else) looks for
// the next magic from the byte after; what it skips is parsed again.
const (
	cacheMagic    = "MWc1"
	cacheHeadSize = len(cacheMagic) + 8
	cacheMaxRec   = 16 << 20 // a structure larger than this is not cached
)

// cacheRec is one record of CacheFile.
type cacheRec struct {
	off         int64 // of the record in the file
	kind        byte
	base        string
	date, size  int64
	checkpoints []Checkpoint
	structure   []byte
}

// encode returns the record as it is written.
func (r *cacheRec) encode() []byte {
	p := []byte{r.kind}
	p = binary.AppendUvarint(p, uint64(len(r.base)))
	p = append(p, r.base...)
	p = binary.AppendVarint(p, r.date)
	p = binary.AppendVarint(p, r.size)
	if r.kind == 'S' {
		p = binary.AppendUvarint(p, uint64(len(r.checkpoints)))
		for _, c := range r.checkpoints {
			p = binary.AppendUvarint(p, uint64(c.File))
			p = binary.AppendUvarint(p, uint64(c.Wire))
		}
		p = append(p, r.structure...)
	}
	out := make([]byte, cacheHeadSize, cacheHeadSize+len(p))
	copy(out, cacheMagic)
	binary.BigEndian.PutUint32(out[4:], uint32(len(p)))
	binary.BigEndian.PutUint32(out[8:], crc32.ChecksumIEEE(p))
	return append(out, p...)
}

var errCacheRec = errors.New("maildir: corrupt " + CacheFile + " record")

// decodeCachePayload reads a record's payload; withStructure false
// leaves the checkpoints and structure out (an index load).
func decodeCachePayload(p []byte, withStructure bool) (cacheRec, error) {
	var r cacheRec
	if len(p) == 0 || p[0] != 'M' && p[0] != 'S' {
		return r, errCacheRec
	}
	r.kind, p = p[0], p[1:]
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)-k) {
		return r, errCacheRec
	}
	r.base, p = string(p[k:k+int(n)]), p[k+int(n):]
	var ok bool
	if r.date, p, ok = varint(p); !ok {
		return r, errCacheRec
	}
	if r.size, p, ok = varint(p); !ok {
		return r, errCacheRec
	}
	if r.kind != 'S' || !withStructure {
		return r, nil
	}
	count, k := binary.Uvarint(p)
	if k <= 0 || count > uint64(len(p)) {
		return r, errCacheRec
	}
	p = p[k:]
	for range count {
		f, k1 := binary.Uvarint(p)
		if k1 <= 0 {
			return r, errCacheRec
		}
		w, k2 := binary.Uvarint(p[k1:])
		if k2 <= 0 {
			return r, errCacheRec
		}
		r.checkpoints = append(r.checkpoints, Checkpoint{File: int64(f), Wire: int64(w)})
		p = p[k1+k2:]
	}
	r.structure = p
	return r, nil
}

func varint(p []byte) (int64, []byte, bool) {
	v, k := binary.Varint(p)
	if k <= 0 {
		return 0, p, false
	}
	return v, p[k:], true
}

// readCacheRecords reads the records of data, which starts at file
// offset base, skipping what does not check out. It returns the offset
// after the last whole record (a record still being written is read
// the next time). fn gets each record with its bytes in data.
func readCacheRecords(data []byte, base int64, fn func(r cacheRec, raw []byte)) int64 {
	pos := 0
	end := 0
	for pos+cacheHeadSize <= len(data) {
		if string(data[pos:pos+4]) != cacheMagic {
			next := bytes.Index(data[pos+1:], []byte(cacheMagic))
			if next < 0 {
				return base + int64(end)
			}
			pos += 1 + next
			continue
		}
		n := int(binary.BigEndian.Uint32(data[pos+4:]))
		sum := binary.BigEndian.Uint32(data[pos+8:])
		if n > cacheMaxRec {
			pos++
			continue
		}
		if pos+cacheHeadSize+n > len(data) {
			return base + int64(end) // cut short: maybe still being written
		}
		p := data[pos+cacheHeadSize : pos+cacheHeadSize+n]
		if crc32.ChecksumIEEE(p) != sum {
			pos++
			continue
		}
		if r, err := decodeCachePayload(p, false); err == nil {
			r.off = base + int64(pos)
			fn(r, data[pos:pos+cacheHeadSize+n])
		}
		pos += cacheHeadSize + n
		end = pos
	}
	return base + int64(end)
}

// readCacheRecordAt reads the whole record at off of the open CacheFile f.
func readCacheRecordAt(f *os.File, off int64) (cacheRec, error) {
	head := make([]byte, cacheHeadSize)
	if _, err := f.ReadAt(head, off); err != nil {
		return cacheRec{}, err
	}
	n := binary.BigEndian.Uint32(head[4:])
	if string(head[:4]) != cacheMagic || n > cacheMaxRec {
		return cacheRec{}, errCacheRec
	}
	p := make([]byte, n)
	if _, err := f.ReadAt(p, off+int64(cacheHeadSize)); err != nil {
		return cacheRec{}, err
	}
	if crc32.ChecksumIEEE(p) != binary.BigEndian.Uint32(head[8:]) {
		return cacheRec{}, errCacheRec
	}
	r, err := decodeCachePayload(p, true)
	r.off = off
	return r, err
}

// appendCacheRecords appends encoded records in one write (O_APPEND:
// the kernel puts it at the end whatever other writers do) and returns
// the offset where it landed.
func appendCacheRecords(path string, data []byte) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return 0, err
	}
	end, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	return end - int64(len(data)), nil
}

// readCacheTail reads the file from off.
func readCacheTail(path string, off int64) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() <= off {
		return nil, err
	}
	return io.ReadAll(io.NewSectionReader(f, off, info.Size()-off))
}
