package transcript

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTranscript writes text as a transcript file and returns its path.
func writeTranscript(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// TestServerPlaysEveryForm plays one transcript that uses every form of
// line, a second connection, placeholders, a check and STARTTLS (RFC 3207
// section 4) against the fake server.
func TestServerPlaysEveryForm(t *testing.T) {
	file := writeTranscript(t, "every.txt", `# every form
@ tls
S: + hello ${stamp}
C: ECHO ${stamp} ${upper abc}
S: ${stamp} ABC
C: ECHO tab\there\x21
S: tab	here!
C: ECHO one\r\nECHO two
C+ ECHO three\r\n
S: one
S~ t\w+
S+ three\r\n
= echoes 5
C2: ECHO second
S2~ \+ hello <\d+@fake>
S2: second
C: TLS
S: OK go
C: <starttls>
C: ECHO secure
S: secure
C2: <closed>
C: QUIT
S: BYE
S: <closed>
`)
	require.NoError(t, startFake(t).runner().Play(t, file))
}

// TestServerReportsFileAndLine breaks a transcript in each way the runner
// must notice and checks that the error names the file and the line.
func TestServerReportsFileAndLine(t *testing.T) {
	const greet = "S: + hello ${stamp}\n"
	tests := []struct {
		name, text string
		line       int
		want       string
	}{
		{"wrong line", greet + "C: ECHO x\nS: y\n", 3, `S: want "y", got "x"`},
		{"wrong placeholder", "S: - hello ${stamp}\n", 1, `S: want "- hello ${stamp}", got "+ hello <`},
		{"pattern", greet + "C: ECHO x\nS~ \\d+\n", 3, `S~ want a line matching "\\d+", got "x"`},
		{"partial pattern", greet + "C: ECHO abc\nS~ b\n", 3, `want a line matching "b"`},
		{"raw", greet + "C: ECHO abc\nS+ abd\\r\\n\n", 3, `S+ want "abd\r\n", got "abc\r\n"`},
		{"not closed", greet + "C: ECHO x\nS: <closed>\n", 3, `S: want the connection closed, got "x\r\n"`},
		{"closed early", greet + "C: QUIT\nS: BYE\nS: more\n", 4, `S: want "more": EOF`},
		{"check", greet + "C: ECHO x\nS: x\n= echoes 9\n", 4, `= echoes 9: 1 echoes`},
		{"no such check", greet + "= nothing\n", 2, `= nothing: 0 echoes`},
		{"second connection", greet + "S2: - hello\n", 2, `S2: want "- hello", got "+ hello <`},
		{"closed connection", greet + "C: <closed>\nC: ECHO x\n", 3, "connection 1 was closed before this line"},
		{"clear text before TLS", "@ tls\n" + greet + "C: TLSJUNK\nS: OK go\nC: <starttls>\n", 5, `C: "extra\r\n" arrived in the clear before TLS`},
		{"TLS not configured", greet + "C: TLS\nS: OK go\nC: <starttls>\n", 4, "TLS is not configured"},
		{"capture missing", "S~ \\+ hello .*\nC: ECHO ${stamp}\n", 2, "${stamp} is used before"},
		{"no such function", greet + "C: ECHO ${lower X}\n", 2, "${lower ...}: no such function"},
		{"no such pattern", greet + "C: ECHO x\nS: ${other}\n", 3, "${other}: no such pattern"},
		{"pattern sent", "C~ ECHO .*\n", 1, "C~ a pattern on the side the runner plays"},
		{"bad regexp", greet + "C: ECHO x\nS~ (\n", 3, "S~ bad pattern: error parsing regexp"},
		{"unknown option", "# first\n@ bogus 1\n" + greet, 2, "@ bogus: unknown option"},
		{"cannot read", greet + "X: hello\n", 2, `cannot read "X: hello"`},
		{"option late", greet + "@ tls\n", 2, "options come before the first exchange line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := writeTranscript(t, "broken.txt", tt.text)
			err := startFake(t).runner().Play(t, file)
			var e *Error
			require.True(t, errors.As(err, &e), "want an *Error, got %v", err)
			assert.Equal(t, file, e.File)
			assert.Equal(t, tt.line, e.Line)
			assert.True(t, strings.HasPrefix(err.Error(), file+":"), err.Error())
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestServerDeadline: a server that stops answering fails the line that
// waits for it at the connection's deadline instead of hanging the test.
func TestServerDeadline(t *testing.T) {
	file := writeTranscript(t, "silent.txt", "S: + hello ${stamp}\nC: SILENT\nS: anything\n")
	r := startFake(t).runner()
	r.Deadline = 200 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- r.Play(t, file) }()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), file+":3: S: want \"anything\"")
		assert.Contains(t, err.Error(), "i/o timeout")
	case <-time.After(10 * time.Second):
		t.Fatal("the runner hung past its deadline")
	}
}

// TestServerStartError: an error from Start that is not an option's still
// names the file.
func TestServerStartError(t *testing.T) {
	file := writeTranscript(t, "start.txt", "S: hi\n")
	err := Server{Start: func(testing.TB, []Option) (*Target, error) {
		return nil, errors.New("no port")
	}}.Play(t, file)
	require.EqualError(t, err, file+": no port")
}

// TestServerRun runs two transcripts through Run, each as a subtest.
func TestServerRun(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.txt", "b.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("S~ \\+ hello .*\nC: ECHO "+name+"\nS: "+name+"\n"), 0o644))
	}
	s := startFake(t)
	t.Run("files", func(t *testing.T) { s.runner().Run(t, filepath.Join(dir, "*.txt")) })
	assert.Equal(t, int64(2), s.echoes.Load())
}
