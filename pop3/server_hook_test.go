package pop3

import (
	"testing"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestBeforeCommand: the hook sees each command the state allows; a
// *Response it returns is sent instead of running the command, and
// ErrDropConnection or any other error closes the connection without a
// reply (servertest.BeforeCommand, with pop3Proto.Hooks).
func TestBeforeCommand(t *testing.T) { servertest.BeforeCommand(t, pop3Proto) }
