package smtp

import (
	"testing"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestBeforeCommand: the hook sees each command the state allows; a
// *Reply it returns is sent instead of running the command (a refused
// BDAT chunk is read and thrown away, RFC 3030 section 2, so the
// session stays in step), and ErrDropConnection or any other error
// closes the connection without a reply (servertest.BeforeCommand, with
// hooks, on a server without AuthRequired).
func TestBeforeCommand(t *testing.T) { servertest.BeforeCommand(t, relay) }
