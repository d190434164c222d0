package imap

import (
	"strconv"
	"strings"
)

// run reads the arguments of command name and runs it. It returns the
// tagged response to send, nil when the handler sent it, or an error when
// the arguments could not be read.
func (c *Conn) run(tag, name string) (*StatusResponse, error) {
	switch name {
	case CmdCapability:
		return c.handleCapability()
	case CmdNoop, CmdCheck:
		// CHECK (RFC 3501 section 6.4.1) has nothing to flush in a
		// backend that stores at once; both report updates.
		return ok(name + " completed"), c.eol()
	case CmdLogout:
		return c.handleLogout()
	case CmdStartTLS:
		return c.handleStartTLS(tag)
	case CmdLogin:
		return c.handleLogin(tag)
	case CmdAuthenticate:
		return c.handleAuthenticate(tag)
	case CmdID:
		return c.handleID()
	case CmdEnable:
		return c.handleEnable()
	case CmdNamespace:
		return c.handleNamespace()
	case CmdSelect, CmdExamine:
		return c.handleSelect(name == CmdExamine)
	case CmdCreate:
		return c.handleCreate()
	case CmdDelete:
		return c.handleDelete()
	case CmdRename:
		return c.handleRename()
	case CmdSubscribe, CmdUnsubscribe:
		return c.handleSubscribe(name == CmdSubscribe)
	case CmdList, CmdLsub:
		return c.handleList(name == CmdLsub)
	case CmdStatus:
		return c.handleStatus()
	case CmdAppend:
		return c.handleAppend(tag)
	case CmdClose, CmdUnselect:
		return c.handleClose(name == CmdClose)
	case CmdExpunge:
		return c.handleExpunge(false)
	case CmdUIDExpunge:
		return c.handleExpunge(true)
	case CmdSearch, CmdUIDSearch:
		return c.handleSearch(tag, name == CmdUIDSearch)
	case CmdFetch, CmdUIDFetch:
		return c.handleFetch(name == CmdUIDFetch)
	case CmdStore, CmdUIDStore:
		return c.handleStore(name == CmdUIDStore)
	case CmdCopy, CmdUIDCopy:
		return c.handleCopy(name == CmdUIDCopy, false)
	case CmdMove, CmdUIDMove:
		return c.handleCopy(name == CmdUIDMove, true)
	case CmdIdle:
		return c.handleIdle(tag)
	}
	return nil, badArgs("Unknown command " + name)
}

// supports reports whether the server implements a command of the state
// table; the others are answered as unknown.
func (c *Conn) supports(name string) bool {
	switch name {
	case CmdSort, CmdUIDSort, CmdThread, CmdUIDThread, CmdCompress:
		return false
	}
	return true
}

// capabilities lists what the server offers in the current state (RFC
// 3501 section 7.2.1): STARTTLS and LOGINDISABLED only before TLS (section
// 6.2.1 and 6.2.3), AUTH= mechanisms only before login.
func (c *Conn) capabilities() string {
	caps := []string{string(CapIMAP4rev1), string(CapLiteralPlus), string(CapSASLIR), string(CapID), string(CapEnable), string(CapIdle)}
	if c.state == StateNotAuthenticated {
		if c.srv.TLSConfig != nil && c.tls == nil {
			caps = append(caps, string(CapStartTLS))
		}
		if c.tls == nil && !c.srv.AllowInsecureAuth {
			caps = append(caps, string(CapLoginDisabled))
		} else {
			caps = append(caps, string(CapAuthPlain), string(CapAuthLogin))
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
	c.w.Raw("* CAPABILITY ").Raw(c.capabilities()).CRLF()
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
