package smtp

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/mailwire/mailwire/internal/netserver"
	"io"
	"strconv"
	"strings"
)

// Reply codes of RFC 5321 section 4.2.2 and 4.2.3, and the AUTH codes of
// RFC 4954 section 6.
const (
	CodeSystemStatus          = 211 // System status, or system help reply
	CodeHelp                  = 214 // Help message
	CodeReady                 = 220 // <domain> Service ready
	CodeClosing               = 221 // <domain> Service closing transmission channel
	CodeAuthSucceeded         = 235 // Authentication succeeded (RFC 4954)
	CodeOK                    = 250 // Requested mail action okay, completed
	CodeUserNotLocalForwarded = 251 // User not local; will forward to <forward-path>
	CodeCannotVerify          = 252 // Cannot VRFY user, but will accept message and attempt delivery
	CodeAuthContinue          = 334 // Server challenge (RFC 4954)
	CodeStartMailInput        = 354 // Start mail input; end with <CRLF>.<CRLF>
	CodeServiceNotAvailable   = 421 // <domain> Service not available, closing transmission channel
	CodePasswordTransition    = 432 // A password transition is needed (RFC 4954)
	CodeMailboxBusy           = 450 // Requested mail action not taken: mailbox unavailable
	CodeLocalError            = 451 // Requested action aborted: local error in processing
	CodeInsufficientStorage   = 452 // Requested action not taken: insufficient system storage
	CodeTempAuthFailure       = 454 // Temporary authentication failure (RFC 4954)
	CodeCannotAccommodate     = 455 // Server unable to accommodate parameters
	CodeSyntaxError           = 500 // Syntax error, command unrecognized (also: authentication exchange line too long, RFC 4954)
	CodeParameterSyntaxError  = 501 // Syntax error in parameters or arguments
	CodeNotImplemented        = 502 // Command not implemented
	CodeBadSequence           = 503 // Bad sequence of commands
	CodeParameterNotImpl      = 504 // Command parameter not implemented
	CodeAuthRequired          = 530 // Authentication required (RFC 4954)
	CodeAuthTooWeak           = 534 // Authentication mechanism is too weak (RFC 4954)
	CodeAuthInvalid           = 535 // Authentication credentials invalid (RFC 4954)
	CodeEncryptionRequired    = 538 // Encryption required for requested authentication mechanism (RFC 4954)
	CodeMailboxUnavailable    = 550 // Requested action not taken: mailbox unavailable
	CodeUserNotLocal          = 551 // User not local; please try <forward-path>
	CodeExceededStorage       = 552 // Requested mail action aborted: exceeded storage allocation
	CodeMailboxNameNotAllowed = 553 // Requested action not taken: mailbox name not allowed
	CodeTransactionFailed     = 554 // Transaction failed (or: no SMTP service here)
	CodeParametersNotRecog    = 555 // MAIL FROM/RCPT TO parameters not recognized or not implemented
)

// EnhancedCode is an RFC 3463 enhanced status code class.subject.detail,
// such as 5.1.1. The zero value means "none": the reply carries no
// enhanced code. RFC 2034 makes servers that advertise ENHANCEDSTATUSCODES
// put one at the start of the text of every reply except the greeting and
// the reply to HELO/EHLO.
type EnhancedCode [3]int

// NoEnhancedCode is the zero EnhancedCode.
var NoEnhancedCode EnhancedCode

// The enhanced status codes the server, the relay and the test helper
// send, named by their meaning in RFC 3463 section 3 (X.s.d) or the
// registry of RFC 5248 and the RFCs it lists; a class 4 code's name
// starts with Temp. They are variables only because Go has no array
// constants: never assign to them.
var (
	// EnhancedOK is 2.0.0, other undefined status (RFC 3463 3.1): the
	// command succeeded.
	EnhancedOK = EnhancedCode{2, 0, 0}
	// EnhancedSenderOK is 2.1.0, other address status (RFC 3463 3.2),
	// given to a MAIL accepted.
	EnhancedSenderOK = EnhancedCode{2, 1, 0}
	// EnhancedRecipientOK is 2.1.5, destination address valid (RFC 3463
	// 3.2).
	EnhancedRecipientOK = EnhancedCode{2, 1, 5}
	// EnhancedProtocolOK is 2.5.0, other or undefined protocol status
	// (RFC 3463 3.6), as the 252 to VRFY gives it.
	EnhancedProtocolOK = EnhancedCode{2, 5, 0}
	// EnhancedAuthOK is 2.7.0, the 235 of a successful AUTH (RFC 4954
	// section 6).
	EnhancedAuthOK = EnhancedCode{2, 7, 0}

	// EnhancedTempMailboxFull is 4.2.2, mailbox full (RFC 3463 3.3).
	EnhancedTempMailboxFull = EnhancedCode{4, 2, 2}
	// EnhancedTempLocalError is 4.3.0, other or undefined mail system
	// status (RFC 3463 3.4): a local error, try again later.
	EnhancedTempLocalError = EnhancedCode{4, 3, 0}
	// EnhancedTempNotAccepting is 4.3.2, system not accepting network
	// messages (RFC 3463 3.4): the server shuts down.
	EnhancedTempNotAccepting = EnhancedCode{4, 3, 2}
	// EnhancedTempNoAnswer is 4.4.1, no answer from host (RFC 3463 3.5).
	EnhancedTempNoAnswer = EnhancedCode{4, 4, 1}
	// EnhancedTempBadConnection is 4.4.2, bad connection (RFC 3463
	// 3.5): a timeout.
	EnhancedTempBadConnection = EnhancedCode{4, 4, 2}
	// EnhancedTempRoutingFailure is 4.4.3, directory (routing) server
	// failure (RFC 3463 3.5): a DNS lookup failed.
	EnhancedTempRoutingFailure = EnhancedCode{4, 4, 3}
	// EnhancedTempTooManyRecipients is 4.5.3, too many recipients (RFC
	// 3463 3.6; RFC 5321 4.5.3.1.10 makes it a 452).
	EnhancedTempTooManyRecipients = EnhancedCode{4, 5, 3}
	// EnhancedTempSecurity is 4.7.0, other or undefined security status
	// (RFC 3463 3.8): too many connections or errors, a temporary
	// authentication failure (454, RFC 4954 section 6).
	EnhancedTempSecurity = EnhancedCode{4, 7, 0}
	// EnhancedTempEncryptionNeeded is 4.7.10, encryption needed (RFC
	// 5248 registry): TLS was required and is not available.
	EnhancedTempEncryptionNeeded = EnhancedCode{4, 7, 10}

	// EnhancedFailure is 5.0.0, other undefined status (RFC 3463 3.1),
	// such as a cancelled AUTH (RFC 4954 section 4).
	EnhancedFailure = EnhancedCode{5, 0, 0}
	// EnhancedBadMailbox is 5.1.1, bad destination mailbox address (RFC
	// 3463 3.2): no such user.
	EnhancedBadMailbox = EnhancedCode{5, 1, 1}
	// EnhancedBadSystem is 5.1.2, bad destination system address (RFC
	// 3463 3.2): no such domain.
	EnhancedBadSystem = EnhancedCode{5, 1, 2}
	// EnhancedBadMailboxSyntax is 5.1.3, bad destination mailbox address
	// syntax (RFC 3463 3.2).
	EnhancedBadMailboxSyntax = EnhancedCode{5, 1, 3}
	// EnhancedBadSenderSyntax is 5.1.7, bad sender's mailbox address
	// syntax (RFC 3463 3.2).
	EnhancedBadSenderSyntax = EnhancedCode{5, 1, 7}
	// EnhancedNullMX is 5.1.10, recipient address has null MX (RFC 7505
	// section 4, with the 556 of RFC 7504).
	EnhancedNullMX = EnhancedCode{5, 1, 10}
	// EnhancedMailboxFull is 5.2.2, mailbox full (RFC 3463 3.3).
	EnhancedMailboxFull = EnhancedCode{5, 2, 2}
	// EnhancedNotAccepting is 5.3.2, system not accepting network
	// messages (RFC 3463 3.4).
	EnhancedNotAccepting = EnhancedCode{5, 3, 2}
	// EnhancedTooBig is 5.3.4, message too big for system (RFC 3463 3.4;
	// RFC 1870 section 6).
	EnhancedTooBig = EnhancedCode{5, 3, 4}
	// EnhancedInvalidCommand is 5.5.1, invalid command (RFC 3463 3.6):
	// unknown, or out of sequence.
	EnhancedInvalidCommand = EnhancedCode{5, 5, 1}
	// EnhancedSyntaxError is 5.5.2, syntax error (RFC 3463 3.6): a line
	// too long, a NUL, bad base64.
	EnhancedSyntaxError = EnhancedCode{5, 5, 2}
	// EnhancedInvalidArguments is 5.5.4, invalid command arguments (RFC
	// 3463 3.6).
	EnhancedInvalidArguments = EnhancedCode{5, 5, 4}
	// EnhancedMediaError is 5.6.0, other or undefined media error (RFC
	// 3463 3.7): bare CR or LF, or NUL, in message data.
	EnhancedMediaError = EnhancedCode{5, 6, 0}
	// EnhancedConversionNotSupported is 5.6.3, conversion required but
	// not supported (RFC 3463 3.7): 8-bit data for a 7-bit peer.
	EnhancedConversionNotSupported = EnhancedCode{5, 6, 3}
	// EnhancedNonASCIIAddress is 5.6.7, non-ASCII addresses not
	// permitted (RFC 6531 section 3.5).
	EnhancedNonASCIIAddress = EnhancedCode{5, 6, 7}
	// EnhancedSecurity is 5.7.0, other or undefined security status (RFC
	// 3463 3.8), as the 530 of RFC 4954 section 6 gives it.
	EnhancedSecurity = EnhancedCode{5, 7, 0}
	// EnhancedNotAuthorized is 5.7.1, delivery not authorized, message
	// refused (RFC 3463 3.8): relaying denied, a sender not allowed.
	EnhancedNotAuthorized = EnhancedCode{5, 7, 1}
	// EnhancedBadCredentials is 5.7.8, authentication credentials
	// invalid (RFC 4954 section 6).
	EnhancedBadCredentials = EnhancedCode{5, 7, 8}
	// EnhancedEncryptionRequired is 5.7.11, encryption required for
	// requested authentication mechanism (RFC 4954 section 6).
	EnhancedEncryptionRequired = EnhancedCode{5, 7, 11}
)

// String formats the code as "5.1.1", or "" for the zero code.
func (e EnhancedCode) String() string {
	if e == NoEnhancedCode {
		return ""
	}
	return strconv.Itoa(e[0]) + "." + strconv.Itoa(e[1]) + "." + strconv.Itoa(e[2])
}

// parseEnhancedCode reads "c.s.d" at the start of text (RFC 3463 section 2:
// class is 2, 4 or 5; subject and detail 1 to 3 digits) and returns it with
// the rest of the text after one space.
func parseEnhancedCode(text string) (EnhancedCode, string, bool) {
	var e EnhancedCode
	i := 0
	for part := 0; part < 3; part++ {
		start := i
		for i < len(text) && i-start < 4 && text[i] >= '0' && text[i] <= '9' {
			e[part] = e[part]*10 + int(text[i]-'0')
			i++
		}
		n := i - start
		if n == 0 || n > 3 || part == 0 && n != 1 {
			return NoEnhancedCode, text, false
		}
		if part < 2 {
			if i >= len(text) || text[i] != '.' {
				return NoEnhancedCode, text, false
			}
			i++
		}
	}
	if e[0] != 2 && e[0] != 4 && e[0] != 5 {
		return NoEnhancedCode, text, false
	}
	switch {
	case i == len(text):
		return e, "", true
	case text[i] == ' ':
		return e, text[i+1:], true
	}
	return NoEnhancedCode, text, false
}

// Reply is an SMTP reply (RFC 5321 section 4.2): a three-digit code, an
// optional RFC 3463 enhanced status code, and one or more lines of text.
//
// A *Reply is an error. A Backend returns one to choose exactly what the
// client sees; a Client returns one for every reply that is not the one it
// expected, so callers reach it with errors.As.
type Reply struct {
	Code     int
	Enhanced EnhancedCode
	// Lines holds the text of each line, without the code, the enhanced
	// code or CRLF. A reply has at least one line; it may be empty.
	Lines []string
}

// NewReply returns a one-line reply, or a multi-line one if text holds
// newlines.
func NewReply(code int, enhanced EnhancedCode, text string) *Reply {
	return &Reply{Code: code, Enhanced: enhanced, Lines: strings.Split(text, "\n")}
}

// Text returns the reply's lines joined by newlines.
func (r *Reply) Text() string { return strings.Join(r.Lines, "\n") }

// Error formats the reply as it would be sent, on one line.
func (r *Reply) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(r.Code))
	if r.Enhanced != NoEnhancedCode {
		b.WriteByte(' ')
		b.WriteString(r.Enhanced.String())
	}
	if t := r.Text(); t != "" {
		b.WriteByte(' ')
		b.WriteString(strings.ReplaceAll(t, "\n", " "))
	}
	return b.String()
}

// Positive reports a 2yz or 3yz reply.
func (r *Reply) Positive() bool { return r.Code >= 200 && r.Code < 400 }

// Temporary reports a 4yz reply: the same command may succeed later.
func (r *Reply) Temporary() bool { return r.Code >= 400 && r.Code < 500 }

// Permanent reports a 5yz reply.
func (r *Reply) Permanent() bool { return r.Code >= 500 && r.Code < 600 }

// writeTo formats the reply per RFC 5321 4.2.1: every line but the last is
// "code-text", the last "code text". When enhanced is true and the reply has
// an enhanced code, each line's text starts with it (RFC 2034 section 4).
// Lines are stripped of CR and LF so that no text can inject a reply.
func (r *Reply) writeTo(w *bufio.Writer, enhanced bool) error {
	lines := r.Lines
	if len(lines) == 0 {
		lines = []string{""}
	}
	var code [4]byte
	code[0] = byte('0' + r.Code/100%10)
	code[1] = byte('0' + r.Code/10%10)
	code[2] = byte('0' + r.Code%10)
	for i, line := range lines {
		code[3] = '-'
		if i == len(lines)-1 {
			code[3] = ' '
		}
		w.Write(code[:])
		if enhanced && r.Enhanced != NoEnhancedCode {
			w.WriteString(r.Enhanced.String())
			if line != "" {
				w.WriteByte(' ')
			}
		}
		writeSafe(w, line)
		if _, err := w.WriteString("\r\n"); err != nil {
			return err
		}
	}
	return nil
}

// writeSafe writes s with CR and LF replaced by spaces.
func writeSafe(w *bufio.Writer, s string) {
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			w.WriteString(s)
			return
		}
		w.WriteString(s[:i])
		w.WriteByte(' ')
		s = s[i+1:]
	}
}

// ErrMalformedReply is wrapped by the errors readReply returns for a line
// that is not an RFC 5321 4.2 reply line.
var ErrMalformedReply = errors.New("smtp: malformed reply")

// readReply reads one possibly multi-line reply (RFC 5321 4.2.1). Each line
// is "ddd" followed by "-" (more lines follow), or " " or nothing (last
// line); all lines must carry the same code. maxLines bounds the number of
// lines and each line is bounded by the bufio.Reader's buffer, so a hostile
// server cannot make the client allocate without limit. When the first line
// carries an RFC 3463 enhanced code, it is taken out of every line that
// repeats it.
func readReply(br *bufio.Reader, maxLines int) (*Reply, error) {
	r := &Reply{}
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			if err == bufio.ErrBufferFull {
				return nil, fmt.Errorf("%w: line too long", ErrMalformedReply)
			}
			if err == io.EOF && len(line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		line = trimEOL(line)
		if len(line) < 3 || len(line) > 3 && line[3] != ' ' && line[3] != '-' {
			return nil, fmt.Errorf("%w: %q", ErrMalformedReply, line)
		}
		code := 0
		for _, c := range line[:3] {
			if c < '0' || c > '9' {
				return nil, fmt.Errorf("%w: %q", ErrMalformedReply, line)
			}
			code = code*10 + int(c-'0')
		}
		if code < 200 || code > 599 || len(r.Lines) > 0 && code != r.Code {
			return nil, fmt.Errorf("%w: %q", ErrMalformedReply, line)
		}
		r.Code = code
		var text string
		if len(line) > 4 {
			text = string(line[4:])
		}
		if len(r.Lines) == 0 {
			if e, rest, ok := parseEnhancedCode(text); ok {
				r.Enhanced, text = e, rest
			}
		} else if r.Enhanced != NoEnhancedCode {
			if e, rest, ok := parseEnhancedCode(text); ok && e == r.Enhanced {
				text = rest
			}
		}
		r.Lines = append(r.Lines, text)
		if len(line) == 3 || line[3] == ' ' {
			return r, nil
		}
		if len(r.Lines) >= maxLines {
			return nil, fmt.Errorf("%w: more than %d lines", ErrMalformedReply, maxLines)
		}
	}
}

// trimEOL removes a trailing LF and the CR before it.
func trimEOL(line []byte) []byte { return netserver.TrimEOL(line) }
