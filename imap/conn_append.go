package imap

import (
	"errors"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// handleAppend answers APPEND mailbox [flags] [date-time] literal (RFC
// 3501 section 6.3.11). The literal streams from the connection to the
// backend, so a message never sits whole in the server; one over
// MaxLiteralSize gets NO [TOOBIG] (RFC 4469 section 4, RFC 7889) before
// its bytes are asked for, and a non-synchronizing one (RFC 7888) is
// read and dropped. The result carries APPENDUID (RFC 4315 section 3).
func (c *Conn) handleAppend(tag string) (*StatusResponse, error) {
	name, err := c.spMailbox()
	if err != nil {
		return nil, err
	}
	if err := c.sp(); err != nil {
		return nil, err
	}
	var flags []Flag
	if ch, _ := c.r.Peek(); ch == '(' {
		if flags, err = readFlagList(c.r); err != nil {
			return nil, err
		}
		if err := c.sp(); err != nil {
			return nil, err
		}
	}
	date := time.Now()
	if ch, _ := c.r.Peek(); ch == '"' {
		if date, err = readDateTime(c.r); err != nil {
			return nil, err
		}
		if err := c.sp(); err != nil {
			return nil, err
		}
	}
	l, err := c.r.LiteralHeader()
	tooBig := errors.Is(err, wire.ErrLiteralTooLarge)
	if err != nil && !tooBig {
		return nil, err
	}
	refusal := checkMailboxName(name)
	if tooBig {
		refusal = no(CodeTooBig, "Message too large")
	}
	if refusal != nil {
		c.refuseLiteral(l)
		if err := c.skipCommand(); err != nil {
			return nil, err
		}
		return refusal, nil
	}
	body, err := c.r.LiteralReader(l)
	if err != nil {
		return nil, err
	}
	uidValidity, uid, aerr := c.user.Append(c.line.Ctx, name, withoutRecent(flags), date, body, l.Size)
	if err := c.eol(); err != nil {
		return nil, err
	}
	if aerr != nil {
		return c.backendError(aerr), nil
	}
	return &StatusResponse{Type: StatusOK, Code: CodeAppendUID, CodeArg: itoa(uidValidity) + " " + itoa(uid), Text: "APPEND completed"}, nil
}

// withoutRecent drops \Recent, which clients cannot set (RFC 3501 section
// 2.3.2).
func withoutRecent(flags []Flag) []Flag {
	out := flags[:0:0]
	for _, f := range flags {
		if f != FlagRecent {
			out = append(out, f)
		}
	}
	return out
}
