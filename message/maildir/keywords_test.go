package maildir

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeywords reads the file as Dovecot 2.3 wrote it after
// "doveadm flags add 'Junk $Label1 \Seen'", which named the message
// "…,S=20,W=23:2,Sab"; it maps letters both ways and keeps unknown ones.
func TestKeywords(t *testing.T) {
	k, err := ParseKeywords(strings.NewReader("0 Junk\n1 $Label1\n"))
	require.NoError(t, err)
	n := ParseName("1796658705.M45960P23605.vm,S=20,W=23:2,Sab")
	var names []string
	for _, c := range []byte(n.Flags) {
		if name, ok := k.Name(c); ok {
			names = append(names, name)
		}
	}
	assert.Equal(t, []string{"Junk", "$Label1"}, names)
	_, ok := k.Name('c')
	assert.False(t, ok, "a letter not in the file")
	letter, ok := k.Letter("junk")
	assert.True(t, ok)
	assert.Equal(t, byte('a'), letter)

	letter, err = k.Add("$Label2")
	require.NoError(t, err)
	assert.Equal(t, byte('c'), letter)
	var buf bytes.Buffer
	_, err = k.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, "0 Junk\n1 $Label1\n2 $Label2\n", buf.String())
}

// TestParseKeywords_Tolerates skips what Dovecot skips.
func TestParseKeywords_Tolerates(t *testing.T) {
	k, err := ParseKeywords(strings.NewReader("nospace\n26 Toohigh\n-1 Neg\nx Bad\n3 \n25 Last\n4 with space\n"))
	require.NoError(t, err)
	want := Keywords{}
	want[25], want[4] = "Last", "with space"
	assert.Equal(t, want, k)
}

func TestKeywordsAdd_Full(t *testing.T) {
	var k Keywords
	for i := range 26 {
		_, err := k.Add("k" + strconv.Itoa(i))
		require.NoError(t, err)
	}
	_, err := k.Add("one more")
	assert.ErrorIs(t, err, ErrKeywordsFull)
	letter, err := k.Add("K3")
	require.NoError(t, err, "an existing keyword needs no letter")
	assert.Equal(t, byte('d'), letter)
	_, err = k.Add("a\nb")
	assert.Error(t, err)
}

// TestWriteKeywords replaces the file through its lock, leaving no lock
// behind, even over a leftover one.
func TestWriteKeywords(t *testing.T) {
	dir := t.TempDir()
	k, err := ReadKeywords(dir)
	require.NoError(t, err)
	assert.Equal(t, Keywords{}, k)
	require.NoError(t, os.WriteFile(filepath.Join(dir, KeywordsFile+".lock"), []byte("left"), 0o600))
	_, err = k.Add("$Junk")
	require.NoError(t, err)
	require.NoError(t, WriteKeywords(dir, k))
	first, err := os.Stat(filepath.Join(dir, KeywordsFile))
	require.NoError(t, err)
	_, err = k.Add("$NonJunk")
	require.NoError(t, err)
	require.NoError(t, WriteKeywords(dir, k))
	assertFile(t, filepath.Join(dir, KeywordsFile), "0 $Junk\n1 $NonJunk\n")
	second, err := os.Stat(filepath.Join(dir, KeywordsFile))
	require.NoError(t, err)
	assert.True(t, second.ModTime().After(first.ModTime()), "the modification time grows")
	assert.NoFileExists(t, filepath.Join(dir, KeywordsFile+".lock"))
	again, err := ReadKeywords(dir)
	require.NoError(t, err)
	assert.Equal(t, k, again)
}

// TestNameExtra keeps Dovecot's info extension after a comma.
func TestNameExtra(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Name
	}{
		{"b:2,SaF", Name{Base: "b", Flags: "FSa"}},
		{"b:2,S,x=1", Name{Base: "b", Flags: "S", Extra: "x=1"}},
		{"b:1,stuff", Name{Base: "b"}},
		{"b", Name{Base: "b"}},
	} {
		n := ParseName(tc.file)
		assert.Equal(t, tc.want, n, tc.file)
	}
	assert.Equal(t, "b:2,S,x=1", ParseName("b:2,S,x=1").File())
}

func FuzzParseKeywords(f *testing.F) {
	f.Add([]byte("0 Junk\n1 $Label1\n"))
	f.Add([]byte("26 x\nnospace\n"))
	f.Add([]byte("0 \r\r")) // a CR the scanner does not strip
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := ParseKeywords(bytes.NewReader(in))
		if err != nil {
			return // a line longer than the scanner takes
		}
		var buf bytes.Buffer
		if _, err := k.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := ParseKeywords(&buf)
		if err != nil || again != k {
			t.Fatalf("%q: %q read back as %q (%v)", in, k, again, err)
		}
	})
}
