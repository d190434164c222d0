package maildir

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderPath_DovecotLayout maps names to the directories Dovecot
// 2.3.19 made for them with "doveadm mailbox create" (LAYOUT=maildir++):
// "." + the modified UTF-7 name (RFC 3501 section 5.1.3), INBOX the root.
func TestFolderPath_DovecotLayout(t *testing.T) {
	for _, tc := range []struct{ name, dir string }{
		{"Sent", ".Sent"},
		{"Entwürfe2", ".Entw&APw-rfe2"},
		{"a.b", ".a.b"},
		{"a.b.c", ".a.b.c"},
		{"with space", ".with space"},
		{"amp&er", ".amp&-er"},
		{"c.~d", ".c.~d"}, // "~" is refused only at the start
		{`back\slash`, `.back\slash`},
		{"trail.", ".trail"}, // one trailing separator dropped
		{"del\x7fx", ".del&AH8-x"},
		{"cur", ".cur"},
		{"inbox.foo", ".INBOX.foo"},
		{"Inbox.bar", ".INBOX.bar"},
		{"INBOX", ""},
		{"inbox", ""},
		{strings.Repeat("x", 254), "." + strings.Repeat("x", 254)},
	} {
		t.Run(label(tc.name), func(t *testing.T) {
			got, err := FolderPath("/m", tc.name)
			require.NoError(t, err)
			assert.Equal(t, filepath.Join("/m", tc.dir), got)
			if tc.dir != "" {
				back, ok := FolderName(tc.dir)
				require.True(t, ok)
				norm, err := CheckName(tc.name)
				require.NoError(t, err)
				assert.Equal(t, norm, back, "round trip")
			}
		})
	}
}

// TestCheckName_Refused: the names doveadm mailbox create refuses, with
// its reasons, and the length limit (MaxNameLength: the one directory
// entry "." + name within NAME_MAX, 255 bytes, counted in modified
// UTF-7).
func TestCheckName_Refused(t *testing.T) {
	nested := strings.TrimSuffix(strings.Repeat(strings.Repeat("y", 50)+".", 6), ".")
	for _, tc := range []struct {
		name, reason string
		err          error
	}{
		{"", "Name is empty", ErrInvalidName},
		{".", "Name is empty", ErrInvalidName},
		{"x/y", "Name must not have '/' characters", ErrInvalidName},
		{"~tilde", "Begins with '~'", ErrInvalidName},
		{"a..b", "Has adjacent hierarchy separators", ErrInvalidName},
		{".lead", "Begins with hierarchy separator", ErrInvalidName},
		{"tr2..", "Ends with hierarchy separator", ErrInvalidName},
		{"tab\tx", "Control characters not allowed in new mailbox names", ErrInvalidName},
		{"ctrl\x01x", "Control characters not allowed in new mailbox names", ErrInvalidName},
		{"bad\xffutf8", "Mailbox name is not valid UTF-8", ErrInvalidName},
		{strings.Repeat("x", 255), "Mailbox name too long", ErrNameTooLong},
		{strings.Repeat("ü", 95), "Mailbox name too long", ErrNameTooLong}, // 190 bytes of UTF-8, 256 of UTF-7
		{nested, "Mailbox name too long", ErrNameTooLong},
	} {
		t.Run(label(tc.name), func(t *testing.T) {
			_, err := CheckName(tc.name)
			require.ErrorIs(t, err, tc.err)
			var ne *NameError
			require.True(t, errors.As(err, &ne))
			assert.Equal(t, tc.reason, ne.Reason)
			assert.Equal(t, tc.name, ne.Name)
		})
	}
	_, err := CheckName(strings.Repeat("ü", 94)) // 254 bytes of UTF-7
	require.NoError(t, err)
}

// TestFolderPath_ExistingNames: a folder whose name has a control
// character (made by another program) can still be found, but a name
// that can never be a directory cannot.
func TestFolderPath_ExistingNames(t *testing.T) {
	got, err := FolderPath("/m", "tab\tx")
	require.NoError(t, err)
	assert.Equal(t, "/m/.tab&AAk-x", got)
	for _, bad := range []string{"x/y", "a..b", "~t", strings.Repeat("x", 255)} {
		_, err := FolderPath("/m", bad)
		require.Error(t, err, "%q", bad)
	}
}

// TestFolderName_NotFolders: entries of the root that are not folders.
func TestFolderName_NotFolders(t *testing.T) {
	for _, entry := range []string{"cur", "new", "tmp", "dovecot-uidlist", ".", "..", "..DOVECOT-TRASHED", ".a..b", ".x."} {
		_, ok := FolderName(entry)
		assert.False(t, ok, "%q", entry)
	}
	name, ok := FolderName(".Entw\xc3\xbcrfe")
	require.True(t, ok)
	assert.Equal(t, "Entw\xc3\xbcrfe", name, "raw UTF-8 kept as it is")
}

// label names a subtest after a mailbox name, shortening long ones.
func label(name string) string {
	if len(name) > 24 {
		return fmt.Sprintf("%.12s…(%d bytes)", name, len(name))
	}
	return name
}
