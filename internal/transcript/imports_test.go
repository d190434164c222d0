package transcript

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSupport are the packages only tests may import.
var testSupport = []string{
	"github.com/mailwire/mailwire/internal/transcript",
	"github.com/mailwire/mailwire/internal/testutil",
	"github.com/mailwire/mailwire/internal/servertest",
	"github.com/mailwire/mailwire/internal/sasl/sasltest/clienttest",
}

// nonTestImporters returns the files below root, other than _test.go
// files and test support itself, that import a test support package.
func nonTestImporters(root string) ([]string, error) {
	var bad []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || isTestSupport(path)):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); slices.Contains(testSupport, p) {
				bad = append(bad, path)
			}
		}
		return nil
	})
	return bad, err
}

// isTestSupport reports whether dir is one of testSupport's folders.
func isTestSupport(dir string) bool {
	for _, p := range testSupport {
		if strings.HasSuffix(filepath.ToSlash(dir), strings.TrimPrefix(p, "github.com/mailwire/mailwire/")) {
			return true
		}
	}
	return false
}

// TestOnlyTestsImportTestSupport keeps this package and testutil out of
// the library: no file of the module but a test imports them.
func TestOnlyTestsImportTestSupport(t *testing.T) {
	bad, err := nonTestImporters(filepath.Join("..", ".."))
	require.NoError(t, err)
	assert.Empty(t, bad)
}

// TestNonTestImportersFindsOne: the walk above does find a library file
// that imports test support, so its empty answer means something.
func TestNonTestImportersFindsOne(t *testing.T) {
	root := t.TempDir()
	for name, src := range map[string]string{
		"lib.go":      "package lib\nimport _ \"github.com/mailwire/mailwire/internal/testutil\"\n",
		"lib_test.go": "package lib\nimport _ \"github.com/mailwire/mailwire/internal/transcript\"\n",
		"other.go":    "package lib\nimport _ \"fmt\"\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(src), 0o644))
	}
	bad, err := nonTestImporters(root)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(root, "lib.go")}, bad)
}
