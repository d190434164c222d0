package message

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sharedCorpusStructures parses every message of ../shared/corpus (its
// README.md says where they come from) with ReadStructure. Without the
// folder the test is skipped, except under CI, where it fails.
func sharedCorpusStructures(tb testing.TB) (names []string, structures []*Structure) {
	tb.Helper()
	files, err := filepath.Glob("../../shared/corpus/*/*")
	require.NoError(tb, err)
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			tb.Fatal("../shared/corpus is missing")
		}
		tb.Skip("../shared/corpus is missing: the shared message corpus is not checked out")
	}
	sort.Strings(files)
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		s, err := ReadStructure(bytes.NewReader(data))
		require.NoError(tb, err)
		names = append(names, filepath.Base(f))
		structures = append(structures, s)
	}
	return names, structures
}

func roundTrip(t *testing.T, s *Structure) *Structure {
	t.Helper()
	data, err := s.MarshalBinary()
	require.NoError(t, err)
	var got Structure
	require.NoError(t, got.UnmarshalBinary(data))
	return &got
}

// TestStructureBinary_RoundTripCorpus_RFC3501_7_4_2 requires every
// BODYSTRUCTURE and ENVELOPE summary of the shared corpus to come back
// from its binary form unchanged, the whole tree.
func TestStructureBinary_RoundTripCorpus_RFC3501_7_4_2(t *testing.T) {
	names, structures := sharedCorpusStructures(t)
	require.GreaterOrEqual(t, len(structures), 147)
	for i, s := range structures {
		t.Run(names[i], func(t *testing.T) {
			require.Equal(t, s, roundTrip(t, s))

			// AppendBinary appends the same bytes after a prefix.
			data, err := s.MarshalBinary()
			require.NoError(t, err)
			appended, err := s.AppendBinary([]byte("prefix"))
			require.NoError(t, err)
			assert.Equal(t, append([]byte("prefix"), data...), appended)
		})
	}
}

// TestStructureBinary_EdgeCases round-trips trees the corpus may not hold:
// the distinctions the types can make (nil and empty lists, a nil
// Envelope), Truncated, nested message/rfc822 (RFC 2046 section 5.2.1)
// and RFC 2231 parameters decoded to UTF-8.
func TestStructureBinary_EdgeCases(t *testing.T) {
	inner := &Structure{Type: "text", Subtype: "plain", Params: Params{{"charset", "utf-8"}},
		Encoding: "8bit", Envelope: &Envelope{Subject: "inner"}, Lines: 3, Size: 42}
	tests := []struct {
		name string
		s    *Structure
	}{
		{"zero", &Structure{}},
		{"nil envelope, empty lists", &Structure{Type: "text", Params: Params{}, DispositionParams: Params{},
			Language: []string{}, Parts: []*Structure{}}},
		{"empty envelope", &Structure{Envelope: &Envelope{}}},
		{"envelope with empty and nil lists", &Structure{Envelope: &Envelope{From: []EnvelopeAddress{},
			To: []EnvelopeAddress{{}}, Cc: []EnvelopeAddress{{Mailbox: "group"}, {}}}}},
		{"empty strings in lists", &Structure{Params: Params{{"", ""}}, Language: []string{""}}},
		{"sender is from, reply-to a copy of from", &Structure{Envelope: &Envelope{From: []EnvelopeAddress{{Mailbox: "a", Host: "b"}},
			Sender: []EnvelopeAddress{{Mailbox: "a", Host: "b"}}, ReplyTo: []EnvelopeAddress{{Mailbox: "a", Host: "b"}}}}},
		{"reply-to is from, sender another", &Structure{Envelope: &Envelope{From: []EnvelopeAddress{{Mailbox: "a", Host: "b"}},
			Sender: []EnvelopeAddress{{Mailbox: "s", Host: "b"}}, ReplyTo: []EnvelopeAddress{{Mailbox: "a", Host: "b"}}}}},
		{"truncated", &Structure{Type: "multipart", Subtype: "mixed", Truncated: true,
			Parts: []*Structure{{Type: "application", Subtype: "octet-stream", Encoding: "7bit"}}}},
		{"message/rfc822 in message/rfc822", &Structure{Type: "message", Subtype: "rfc822",
			Envelope: &Envelope{Subject: "outer", From: []EnvelopeAddress{{"A", "@relay", "a", "example.org"}}},
			Message:  &Structure{Type: "message", Subtype: "rfc822", Envelope: &Envelope{Subject: "middle"}, Message: inner}}},
		{"UTF-8 params", &Structure{Type: "application", Subtype: "pdf",
			Params: Params{{"name", "한국어.pdf"}}, Disposition: "attachment",
			DispositionParams: Params{{"filename", "Grüße \u2603.pdf"}, {"size", "12"}}}},
		{"extreme numbers", &Structure{HeaderOffset: math.MaxInt64, BodyOffset: math.MinInt64, End: -1, Size: 1 << 40, Lines: 1}},
		{"long string", &Structure{Description: strings.Repeat("x", 100000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.s, roundTrip(t, tt.s))
		})
	}
}

// TestStructureBinary_EveryField fills every field of a Structure, of its
// Envelope, EnvelopeAddress and Param values, and of the Structures it
// points to, with data that is not zero, and requires the round trip to
// keep it all. It fails when a field is added to one of these types and
// not to the codec in structure_codec.go (and to structureFormat's version).
func TestStructureBinary_EveryField(t *testing.T) {
	var s Structure
	f := filler{t: t}
	f.fill(reflect.ValueOf(&s).Elem(), 0)
	for _, field := range reflect.VisibleFields(reflect.TypeOf(s)) {
		require.False(t, reflect.ValueOf(s).FieldByIndex(field.Index).IsZero(), "filler left Structure.%s zero", field.Name)
	}
	for _, field := range reflect.VisibleFields(reflect.TypeOf(*s.Envelope)) {
		require.False(t, reflect.ValueOf(*s.Envelope).FieldByIndex(field.Index).IsZero(), "filler left Envelope.%s zero", field.Name)
	}
	require.Equal(t, &s, roundTrip(t, &s), "a field of Structure, Envelope, EnvelopeAddress or Param is not encoded: teach structure_codec.go and bump structureFormat")
}

// A filler sets every field it reaches to distinct data that is not zero,
// by reflection; it knows the kinds these types use and fails on others,
// so that a new kind of field is noticed here too.
type filler struct {
	t *testing.T
	n int
}

func (f *filler) fill(v reflect.Value, depth int) {
	f.n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("value %d é", f.n))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.n) * 1000003)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(v.Field(i), depth)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		if depth < 2 {
			f.fill(v.Elem(), depth+1)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			f.fill(v.Index(i), depth)
		}
	default:
		f.t.Fatalf("filler: a field of kind %s: teach this test and structure_codec.go", v.Kind())
	}
}

// realEncoding is the binary form of a multipart message with envelopes
// and a message/rfc822 part, to corrupt.
func realEncoding(t testing.TB) []byte {
	msg := "From: A <a@example.org>\r\nTo: b@example.org, Group: c@example.org;\r\nSubject: hi\r\n" +
		"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain; charset*=utf-8''%C3%A9\r\n\r\nbody\r\n" +
		"--X\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=m.eml\r\n\r\n" +
		"Subject: inner\r\nContent-Language: en, fr\r\n\r\ninner body\r\n--X--\r\n"
	s, err := ReadStructure(strings.NewReader(msg))
	require.NoError(t, err)
	require.NotNil(t, s.Part(2).Message)
	data, err := s.MarshalBinary()
	require.NoError(t, err)
	return data
}

// TestStructureBinary_CutShort requires every prefix of a real encoding to
// be refused with ErrCorruptStructure, leaving the destination unchanged.
func TestStructureBinary_CutShort(t *testing.T) {
	data := realEncoding(t)
	for n := range len(data) {
		s := Structure{Type: "untouched"}
		err := s.UnmarshalBinary(data[:n])
		require.ErrorIs(t, err, ErrCorruptStructure, "cut at byte %d of %d", n, len(data))
		require.Equal(t, Structure{Type: "untouched"}, s)
	}
}

// TestStructureBinary_Corrupt requires malformed data to be refused with
// ErrCorruptStructure, before any allocation its lengths would ask for.
func TestStructureBinary_Corrupt(t *testing.T) {
	data := realEncoding(t)
	// A minimal entity: 8 strings and 3 lists, empty; 5 offsets; flags; no Parts.
	minimal := func(flags byte) []byte { return append(make([]byte, 16), flags, 0) }
	version := func(b ...[]byte) []byte { return append([]byte{structureFormat}, bytes.Join(b, nil)...) }
	huge := binary.AppendUvarint(nil, math.MaxUint64)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"other version", append([]byte{structureFormat + 1}, data[1:]...), "format version"},
		{"version 0", append([]byte{0}, data[1:]...), "format version"},
		{"trailing byte", append(bytes.Clone(data), 0), "after the root entity"},
		{"unknown flag", version(minimal(0x80)), "unknown flags"},
		{"huge string", version(huge), "string of"},
		{"string longer than the rest", version([]byte{5, 'a', 'b'}), "string of"},
		{"huge params list", version(make([]byte, 8), huge), "list of"},
		{"huge parts list", version(make([]byte, 16), []byte{0}, huge), "list of"},
		{"huge address list", version(minimal(flagEnvelope)[:17], []byte{0, 0, 0, 0}, huge), "list of"},
		{"unknown envelope flag", version(minimal(flagEnvelope)[:17], []byte{0, 0, 0, 64}), "unknown envelope flags"},
		{"varint over 64 bits", version(bytes.Repeat([]byte{0xff}, 10), []byte{1}), "overflows"},
		{"message flag, no message", version(minimal(flagMessage)), "cut short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Structure
			err := s.UnmarshalBinary(tt.data)
			require.ErrorIs(t, err, ErrCorruptStructure)
			assert.Contains(t, err.Error(), tt.want)
			assert.LessOrEqual(t, bytesAllocated(func() { _ = new(Structure).UnmarshalBinary(tt.data) }),
				uint64(32*len(tt.data)+2048), "bytes allocated for %d bytes of corrupt input", len(tt.data))
		})
	}
}

// bytesAllocated returns the bytes f allocates, the mean of 10 runs.
func bytesAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / 10
}

// nestedMessages returns the binary form of a chain of depth
// message/rfc822 entities below the root, written by hand.
func nestedMessages(depth int) []byte {
	b := []byte{structureFormat}
	for range depth {
		b = append(b, make([]byte, 16)...)
		b = append(b, flagMessage, 0)
	}
	return append(b, make([]byte, 16)...)
}

// TestStructureBinary_Bounds checks the bounds on nesting and on the number
// of entities: the trees ReadStructure builds with the default Limits,
// truncated at DefaultMaxDepth or DefaultMaxParts (Dovecot's
// max_nested_mime_parts and max_total_mime_parts), are encoded and read
// back; deeper or larger ones are refused both ways.
func TestStructureBinary_Bounds(t *testing.T) {
	t.Run("too deep to decode", func(t *testing.T) {
		var s Structure
		require.NoError(t, s.UnmarshalBinary(append(nestedMessages(maxCodecDepth), 0, 0)))
		err := s.UnmarshalBinary(append(nestedMessages(maxCodecDepth+1), 0, 0))
		require.ErrorIs(t, err, ErrCorruptStructure)
		assert.Contains(t, err.Error(), "nested deeper")
	})
	t.Run("too many to decode", func(t *testing.T) {
		b := append([]byte{structureFormat}, make([]byte, 16)...)
		b = append(b, 0)
		b = binary.AppendUvarint(b, maxCodecParts+1)
		b = append(b, bytes.Repeat(make([]byte, minEntityBytes), maxCodecParts+1)...)
		var s Structure
		err := s.UnmarshalBinary(b)
		require.ErrorIs(t, err, ErrCorruptStructure)
		assert.Contains(t, err.Error(), "more than")
	})
	t.Run("ReadStructure at MaxDepth", func(t *testing.T) {
		var msg strings.Builder
		for i := range DefaultMaxDepth + 10 {
			fmt.Fprintf(&msg, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
		}
		msg.WriteString("\r\nleaf\r\n")
		s, err := ReadStructure(strings.NewReader(msg.String()))
		require.NoError(t, err)
		require.True(t, s.Truncated)
		depth, _ := treeSize(s)
		require.Equal(t, maxCodecDepth, depth)
		require.Equal(t, s, roundTrip(t, s))
	})
	t.Run("ReadStructure at MaxParts", func(t *testing.T) {
		msg := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", DefaultMaxParts+10) + "--b--\r\n"
		s, err := ReadStructure(strings.NewReader(msg))
		require.NoError(t, err)
		require.True(t, s.Truncated)
		_, entities := treeSize(s)
		require.Equal(t, maxCodecParts, entities)
		require.Equal(t, s, roundTrip(t, s))
	})
	t.Run("too deep to encode", func(t *testing.T) {
		s := &Structure{}
		for range maxCodecDepth + 1 {
			s = &Structure{Type: "message", Subtype: "rfc822", Message: s}
		}
		_, err := s.MarshalBinary()
		var le *LimitError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "MaxDepth", le.Limit)
	})
	t.Run("too many to encode", func(t *testing.T) {
		s := &Structure{Type: "multipart", Parts: make([]*Structure, maxCodecParts)}
		for i := range s.Parts {
			s.Parts[i] = &Structure{}
		}
		b, err := s.AppendBinary([]byte("keep"))
		var le *LimitError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "MaxParts", le.Limit)
		assert.Equal(t, []byte("keep"), b)
	})
	t.Run("nil part and nil Structure", func(t *testing.T) {
		_, err := (&Structure{Parts: []*Structure{nil}}).MarshalBinary()
		require.Error(t, err)
		_, err = (*Structure)(nil).MarshalBinary()
		require.Error(t, err)
	})
}

// treeSize returns how many levels lie below s and how many entities the
// tree holds, s included.
func treeSize(s *Structure) (depth, entities int) {
	entities = 1
	children := s.Parts
	if s.Message != nil {
		children = append(children[:len(children):len(children)], s.Message)
	}
	for _, c := range children {
		d, n := treeSize(c)
		depth, entities = max(depth, d+1), entities+n
	}
	return depth, entities
}

// FuzzStructureUnmarshal feeds UnmarshalBinary arbitrary data: it must
// return a tree or ErrCorruptStructure, never panic, and a tree it returns
// must survive another round trip.
func FuzzStructureUnmarshal(f *testing.F) {
	f.Add(realEncoding(f))
	f.Add(nestedMessages(3))
	for _, s := range []*Structure{{}, {Envelope: &Envelope{To: []EnvelopeAddress{{}}}}, {Params: Params{{"a", "b"}}}} {
		data, err := s.MarshalBinary()
		require.NoError(f, err)
		f.Add(data)
	}
	if files, _ := filepath.Glob("../../shared/corpus/*/*"); len(files) > 0 {
		_, structures := sharedCorpusStructures(f)
		for _, s := range structures[:min(20, len(structures))] {
			data, err := s.MarshalBinary()
			require.NoError(f, err)
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Structure
		if err := s.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrCorruptStructure) {
				t.Fatalf("error %v does not wrap ErrCorruptStructure", err)
			}
			return
		}
		require.Equal(t, &s, roundTrip(t, &s))
	})
}

// The benchmarks encode and decode every structure of the shared corpus;
// one op is one message (the figures are means over the corpus). The gob
// ones do the same with encoding/gob, one self-contained stream a message
// as a cache entry needs, for comparison.
//
// Measured (go test -bench Structure -benchmem -cpu 1, a loaded 2-vCPU
// VM, 147 messages): the binary form is 373 bytes a message against gob's
// 723; MarshalBinary takes 1.4 µs, 936 B, 1 allocation against gob's
// 10.7 µs, 5.5 KB, 34; UnmarshalBinary 1.1-2.1 µs, 1.7 KB, 10
// allocations against gob's 17-40 µs, 11 KB, 208. At 2 µs a message,
// 5,000 messages' structures load in about 10 ms, as Dovecot's cache
// answers their BODYSTRUCTURE.

func BenchmarkStructureMarshal(b *testing.B) {
	_, structures := sharedCorpusStructures(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := structures[i%len(structures)].MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStructureUnmarshal(b *testing.B) {
	_, structures := sharedCorpusStructures(b)
	encoded := make([][]byte, len(structures))
	size := 0
	for i, s := range structures {
		data, err := s.MarshalBinary()
		require.NoError(b, err)
		encoded[i], size = data, size+len(data)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var s Structure
		if err := s.UnmarshalBinary(encoded[i%len(encoded)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/float64(len(encoded)), "bytes/msg")
}

func BenchmarkStructureGobEncode(b *testing.B) {
	_, structures := sharedCorpusStructures(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(structures[i%len(structures)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStructureGobDecode(b *testing.B) {
	_, structures := sharedCorpusStructures(b)
	encoded := make([][]byte, len(structures))
	size := 0
	for i, s := range structures {
		var buf bytes.Buffer
		require.NoError(b, gob.NewEncoder(&buf).Encode(s))
		encoded[i], size = buf.Bytes(), size+buf.Len()
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var s Structure
		if err := gob.NewDecoder(bytes.NewReader(encoded[i%len(encoded)])).Decode(&s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/float64(len(encoded)), "bytes/msg")
}
