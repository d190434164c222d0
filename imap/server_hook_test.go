package imap

import (
	"testing"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestBeforeCommand: the hook sees each command the state allows; a
// *StatusResponse it returns is sent as the tagged reply instead of
// running the command (its arguments are skipped), and
// ErrDropConnection or any other error closes the connection without a
// reply (servertest.BeforeCommand, with imapProto.Hooks).
func TestBeforeCommand(t *testing.T) { servertest.BeforeCommand(t, imapProto) }
