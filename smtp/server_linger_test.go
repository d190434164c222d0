package smtp

import (
	"testing"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestTooManyErrors421IsRead_RFC5321_3_8: a client that pipelines junk
// past MaxErrors gets 421 and the server ends the session with the rest
// of the junk unread. Closing at once would make the kernel reset the
// connection and the 421 could be lost; the lingering close shuts the
// write side, drains, and the client reads every reply, then end of
// stream.
func TestTooManyErrors421IsRead_RFC5321_3_8(t *testing.T) { servertest.TooManyErrorsIsRead(t, relay) }
