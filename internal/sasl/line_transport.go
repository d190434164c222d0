package sasl

// LineTransport is the ServerTransport of a line protocol: the initial
// response that came with the command, then one Exchange per challenge.
// SMTP and POP3 differ only in how they frame a challenge (RFC 4954
// section 4, RFC 5034 section 4), which their Exchange does.
type LineTransport struct {
	Initial    string
	HasInitial bool
	// Exchange sends one challenge, in base64, and returns the client's
	// response line.
	Exchange func(challenge string) (response string, err error)
	// Challenges counts the challenges sent: a protocol that answers a
	// bad initial response otherwise than a bad response tells them
	// apart by it.
	Challenges int
}

// InitialResponse returns the initial response, if there was one.
func (t *LineTransport) InitialResponse() (string, bool) { return t.Initial, t.HasInitial }

// Challenge counts the challenge and runs Exchange.
func (t *LineTransport) Challenge(text string) (string, error) {
	t.Challenges++
	return t.Exchange(text)
}
