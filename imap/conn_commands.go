package imap

import (
	"strconv"
	"strings"
)

// run reads the arguments of command v and runs it. It returns the
// tagged response to send, nil when the handler sent it, or an error when
// the arguments could not be read.
func (c *Conn) run(tag string, v Verb) (*StatusResponse, error) {
	switch v {
	case VerbCAPABILITY:
		return c.handleCapability()
	case VerbNOOP, VerbCHECK:
		// CHECK (RFC 3501 section 6.4.1) has nothing to flush in a
		// backend that stores at once; both report updates.
		return ok(v.String() + " completed"), c.eol()
	case VerbLOGOUT:
		return c.handleLogout()
	case VerbSTARTTLS:
		return c.handleStartTLS(tag)
	case VerbLOGIN:
		return c.handleLogin(tag)
	case VerbAUTHENTICATE:
		return c.handleAuthenticate(tag)
	case VerbID:
		return c.handleID()
	case VerbENABLE:
		return c.handleEnable()
	case VerbNAMESPACE:
		return c.handleNamespace()
	case VerbSELECT, VerbEXAMINE:
		return c.handleSelect(v == VerbEXAMINE)
	case VerbCREATE:
		return c.handleCreate()
	case VerbDELETE:
		return c.handleDelete()
	case VerbRENAME:
		return c.handleRename()
	case VerbSUBSCRIBE, VerbUNSUBSCRIBE:
		return c.handleSubscribe(v == VerbSUBSCRIBE)
	case VerbLIST, VerbLSUB:
		return c.handleList(v == VerbLSUB)
	case VerbSTATUS:
		return c.handleStatus()
	case VerbAPPEND:
		return c.handleAppend(tag)
	case VerbCLOSE, VerbUNSELECT:
		return c.handleClose(v == VerbCLOSE)
	case VerbEXPUNGE:
		return c.handleExpunge(false)
	case VerbUIDEXPUNGE:
		return c.handleExpunge(true)
	case VerbSEARCH, VerbUIDSEARCH:
		return c.handleSearch(tag, v == VerbUIDSEARCH)
	case VerbFETCH, VerbUIDFETCH:
		return c.handleFetch(v == VerbUIDFETCH)
	case VerbSTORE, VerbUIDSTORE:
		return c.handleStore(v == VerbUIDSTORE)
	case VerbCOPY, VerbUIDCOPY:
		return c.handleCopy(v == VerbUIDCOPY, false)
	case VerbMOVE, VerbUIDMOVE:
		return c.handleCopy(v == VerbUIDMOVE, true)
	case VerbIDLE:
		return c.handleIdle(tag)
	}
	return nil, badArgs("Unknown command " + v.String())
}

// supports reports whether the server implements a command of the state
// table; the others are answered as unknown.
func (c *Conn) supports(v Verb) bool {
	switch v {
	case VerbSORT, VerbUIDSORT, VerbTHREAD, VerbUIDTHREAD, VerbCOMPRESS:
		return false
	}
	return true
}

// capabilities lists what the server offers in state s (RFC
// 3501 section 7.2.1): STARTTLS and LOGINDISABLED only before TLS (section
// 6.2.1 and 6.2.3), AUTH= mechanisms only before login.
func (c *Conn) capabilities(s State) string {
	caps := []string{string(CapIMAP4rev1), string(CapLiteralPlus), string(CapSASLIR), string(CapID), string(CapEnable), string(CapIdle)}
	if s == StateNotAuthenticated {
		if c.srv.TLSConfig != nil && c.line.TLS == nil {
			caps = append(caps, string(CapStartTLS))
		}
		if c.line.TLS == nil && !c.srv.AllowInsecureAuth {
			caps = append(caps, string(CapLoginDisabled))
		} else {
			caps = append(caps, c.authCapabilities()...)
		}
		return strings.Join(caps, " ")
	}
	caps = append(caps, string(CapNamespace), string(CapUIDPlus), string(CapMove), string(CapUnselect),
		string(CapChildren), string(CapSpecialUse), string(CapListExtended), string(CapListStatus),
		string(CapESearch), string(CapStatusSize),
		string(CapAppendLimit)+"="+strconv.FormatInt(c.srv.limits().MaxLiteralSize, 10))
	return strings.Join(caps, " ")
}

// handleCapability answers CAPABILITY (RFC 3501 section 6.1.1).
func (c *Conn) handleCapability() (*StatusResponse, error) {
	if err := c.eol(); err != nil {
		return nil, err
	}
	c.w.Raw("* CAPABILITY ").Raw(c.capabilities(c.state)).CRLF()
	return ok("CAPABILITY completed"), nil
}

// handleLogout answers LOGOUT (RFC 3501 section 6.1.3): BYE, then OK.
func (c *Conn) handleLogout() (*StatusResponse, error) {
	if err := c.eol(); err != nil {
		return nil, err
	}
	c.unselect()
	c.untagged(&StatusResponse{Type: StatusBYE, Text: "Logging out"})
	return ok("LOGOUT completed"), nil
}
