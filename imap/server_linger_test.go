package imap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestTooManyErrorsByeIsRead_RFC9051_7_1_5: a client that pipelines junk
// past MaxErrors gets BAD and BYE, and the server ends the session with
// the rest of the junk unread; the lingering close lets the client read
// the BYE and then see the end of the stream.
func TestTooManyErrorsByeIsRead_RFC9051_7_1_5(t *testing.T) {
	servertest.TooManyErrorsIsRead(t, imapProto)
}

// TestLineTooLongByeIsRead_RFC3501_7_1_5: a 100 KB command line is over
// the 64 KiB budget, so the server answers BAD and BYE and ends the
// session with input still unread. Closing such a socket at once makes
// the kernel send a reset, which used to destroy the BYE before the
// client read it; the lingering close lets the client read every line
// and then see an orderly end of stream.
func TestLineTooLongByeIsRead_RFC3501_7_1_5(t *testing.T) {
	srv := imapProto.Start(t, servertest.Config{})
	got := servertest.ReadUntilClosed(t, srv.Addr, "a NOOP "+strings.Repeat("x", 100<<10)+"\r\n")
	assert.Contains(t, got, "* BYE [LIMIT]")
}
