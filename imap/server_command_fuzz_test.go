package imap

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// FuzzServerCommand feeds arbitrary bytes to the server's command parser
// alone: the command head, then the arguments of FETCH, STORE, SEARCH
// and the sequence sets they share, as the handlers read them, with no
// backend behind. Each command must parse or fail with an error; none may
// panic or read past what it was given.
func FuzzServerCommand(f *testing.F) {
	for _, seed := range []struct{ what, input string }{
		{"sections, partial", "a FETCH 1:*,3 (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.10> BODYSTRUCTURE)\r\n"},
		{"a macro", "a UID FETCH 1:4 FULL\r\n"},
		{"RETURN, a literal", "a SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR (FROM x SUBJECT {3+}\r\nabc) NOT SEEN 1:3\r\n"},
		{"keys with arguments", "a UID SEARCH TEXT hello UID 2:* LARGER 10 SENTBEFORE 1-Feb-2024\r\n"},
		{"a flag list", "a STORE 1:2 +FLAGS.SILENT (\\Seen $Work)\r\n"},
		{"no flags", "a UID STORE 5 FLAGS ()\r\n"},
		{"a literal and a quoted string", "a LOGIN {5+}\r\nalice \"pa\\\"ss\"\r\n"},
	} {
		f.Add(seed.input)
	}
	f.Fuzz(func(t *testing.T, input string) {
		srv := &Server{MaxLiteralSize: 1 << 12}
		c := newConn(srv, nil)
		c.r = wire.NewReader(bufio.NewReader(strings.NewReader(input)), wire.Limits{MaxLine: 1 << 12, MaxLiteral: 1 << 12, MaxDepth: DefaultMaxDepth})
		c.w = wire.NewWriter(bufio.NewWriter(io.Discard))
		for range 8 {
			cmd, _, err := readCommandHead(c.r)
			if err != nil {
				return
			}
			switch cmd.Verb {
			case VerbFETCH, VerbUIDFETCH:
				err = c.fetchArgs()
			case VerbSEARCH, VerbUIDSEARCH:
				err = c.searchArgs()
			case VerbSTORE, VerbUIDSTORE:
				err = c.storeArgs()
			default:
				err = c.skipCommand()
			}
			if err != nil && c.skipCommand() != nil {
				return
			}
		}
	})
}

// seqSetArg reads the sequence set of FETCH and STORE, and the spaces
// around it.
func (c *Conn) seqSetArg() error {
	if err := c.sp(); err != nil {
		return err
	}
	if _, err := c.seqSet(); err != nil {
		return err
	}
	return c.sp()
}

// fetchArgs reads FETCH's arguments as handleFetch does.
func (c *Conn) fetchArgs() error {
	if err := c.seqSetArg(); err != nil {
		return err
	}
	if _, err := c.readFetchRequest(); err != nil {
		return err
	}
	return c.eol()
}

// searchArgs reads SEARCH's RETURN options and criteria.
func (c *Conn) searchArgs() error {
	if err := c.sp(); err != nil {
		return err
	}
	if _, err := c.readSearchReturn(); err != nil {
		return err
	}
	if _, err := readSearchCriteria(c.r); err != nil {
		return err
	}
	return c.eol()
}

// storeArgs reads STORE's sequence set, item and flags.
func (c *Conn) storeArgs() error {
	if err := c.seqSetArg(); err != nil {
		return err
	}
	item, err := c.r.Atom()
	if err != nil {
		return err
	}
	if _, _, ok := parseStoreItem(item); !ok {
		return nil
	}
	if err := c.sp(); err != nil {
		return err
	}
	if ch, _ := c.r.Peek(); ch == '(' {
		if _, err := readFlagList(c.r); err != nil {
			return err
		}
	} else if _, err := c.r.Flag(); err != nil {
		return err
	}
	return c.eol()
}
