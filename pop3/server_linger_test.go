package pop3

import (
	"testing"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestTooManyErrorsErrIsRead_RFC1939_3: a client that pipelines junk past
// MaxErrors gets -ERR and the server ends the session with the rest of the
// junk unread; the lingering close lets the client read that last -ERR
// and then see end of stream, where closing at once made the kernel reset
// the connection.
func TestTooManyErrorsErrIsRead_RFC1939_3(t *testing.T) { servertest.TooManyErrorsIsRead(t, pop3Proto) }
