package imap

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingConn counts the bytes the client writes; a non-nil remote is
// the address it claims to be connected to.
type countingConn struct {
	net.Conn
	written atomic.Int64
	remote  net.Addr
}

func (c *countingConn) RemoteAddr() net.Addr {
	if c.remote != nil {
		return c.remote
	}
	return c.Conn.RemoteAddr()
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.written.Add(int64(len(p)))
	return c.Conn.Write(p)
}

// clientIn returns a client in state s, on a fake server that greets with
// the capabilities (so that no call needs to ask for them) and answers
// every command OK, and the conn that counts what the client writes; the
// client claims to be connected to remote when it is not nil.
func clientIn(t *testing.T, s State, remote net.Addr, opts *Options) (*Client, *countingConn) {
	greeting := "* PREAUTH [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n"
	if s == StateNotAuthenticated {
		greeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n"
	}
	client := pipeServer(greeting, func(br *bufio.Reader, server io.Writer) {
		eachCommand(br, func(tag, _ string) { io.WriteString(server, tag+" OK done\r\n") })
	})
	cc := &countingConn{Conn: client, remote: remote}
	c := newTestClient(t, cc, opts)
	if s == StateSelected {
		selectInbox(t, c)
	}
	require.Equal(t, s, c.State())
	return c, cc
}

// clientCalls is the Client method that sends each verb.
var clientCalls = map[Verb]func(context.Context, *Client) error{
	VerbCAPABILITY:   func(ctx context.Context, c *Client) error { _, err := c.Capability(ctx); return err },
	VerbNOOP:         func(ctx context.Context, c *Client) error { return c.Noop(ctx) },
	VerbLOGOUT:       func(ctx context.Context, c *Client) error { return c.Logout(ctx) },
	VerbSTARTTLS:     func(ctx context.Context, c *Client) error { return c.StartTLS(ctx, nil) },
	VerbAUTHENTICATE: func(ctx context.Context, c *Client) error { return c.Authenticate(ctx, PlainAuth("", "u", "p")) },
	VerbLOGIN:        func(ctx context.Context, c *Client) error { return c.Login(ctx, "u", "p") },
	VerbSELECT:       func(ctx context.Context, c *Client) error { _, err := c.Select(ctx, "INBOX", nil); return err },
	VerbEXAMINE: func(ctx context.Context, c *Client) error {
		_, err := c.Select(ctx, "INBOX", &SelectOptions{ReadOnly: true})
		return err
	},
	VerbCREATE:      func(ctx context.Context, c *Client) error { return c.Create(ctx, "A") },
	VerbDELETE:      func(ctx context.Context, c *Client) error { return c.Delete(ctx, "A") },
	VerbRENAME:      func(ctx context.Context, c *Client) error { return c.Rename(ctx, "A", "B") },
	VerbSUBSCRIBE:   func(ctx context.Context, c *Client) error { return c.Subscribe(ctx, "A") },
	VerbUNSUBSCRIBE: func(ctx context.Context, c *Client) error { return c.Unsubscribe(ctx, "A") },
	VerbLIST:        func(ctx context.Context, c *Client) error { _, err := c.List(ctx, "", []string{"*"}, nil); return err },
	VerbLSUB:        func(ctx context.Context, c *Client) error { _, err := c.Lsub(ctx, "", "*"); return err },
	VerbSTATUS:      func(ctx context.Context, c *Client) error { _, err := c.Status(ctx, "A", nil); return err },
	VerbAPPEND: func(ctx context.Context, c *Client) error {
		_, err := c.Append(ctx, "A", 2, strings.NewReader("hi"), nil)
		return err
	},
	VerbCHECK:   func(ctx context.Context, c *Client) error { return c.Check(ctx) },
	VerbCLOSE:   func(ctx context.Context, c *Client) error { return c.CloseMailbox(ctx) },
	VerbEXPUNGE: func(ctx context.Context, c *Client) error { _, err := c.Expunge(ctx); return err },
	VerbSEARCH: func(ctx context.Context, c *Client) error {
		_, err := c.Search(ctx, &SearchCriteria{}, nil)
		return err
	},
	VerbFETCH: func(ctx context.Context, c *Client) error {
		return c.Fetch(ctx, SeqSetNum(1), &FetchOptions{Flags: true}).Close()
	},
	VerbSTORE: func(ctx context.Context, c *Client) error {
		return c.Store(ctx, SeqSetNum(1), &StoreFlags{}, nil).Close()
	},
	VerbCOPY: func(ctx context.Context, c *Client) error { _, err := c.Copy(ctx, SeqSetNum(1), "A"); return err },
	VerbUIDSEARCH: func(ctx context.Context, c *Client) error {
		_, err := c.UIDSearch(ctx, &SearchCriteria{}, nil)
		return err
	},
	VerbUIDFETCH: func(ctx context.Context, c *Client) error {
		return c.UIDFetch(ctx, SeqSetNum(1), &FetchOptions{Flags: true}).Close()
	},
	VerbUIDSTORE: func(ctx context.Context, c *Client) error {
		return c.UIDStore(ctx, SeqSetNum(1), &StoreFlags{}, nil).Close()
	},
	VerbUIDCOPY:    func(ctx context.Context, c *Client) error { _, err := c.UIDCopy(ctx, SeqSetNum(1), "A"); return err },
	VerbUIDMOVE:    func(ctx context.Context, c *Client) error { _, err := c.UIDMove(ctx, SeqSetNum(1), "A"); return err },
	VerbUIDEXPUNGE: func(ctx context.Context, c *Client) error { _, err := c.UIDExpunge(ctx, SeqSetNum(1)); return err },
	VerbUIDSORT: func(ctx context.Context, c *Client) error {
		_, err := c.Sort(ctx, true, []SortCriterion{{Key: SortDate}}, &SearchCriteria{})
		return err
	},
	VerbUIDTHREAD: func(ctx context.Context, c *Client) error {
		_, err := c.Thread(ctx, true, ThreadReferences, &SearchCriteria{})
		return err
	},
	VerbIDLE:      func(ctx context.Context, c *Client) error { return c.Idle(ctx) },
	VerbMOVE:      func(ctx context.Context, c *Client) error { _, err := c.Move(ctx, SeqSetNum(1), "A"); return err },
	VerbNAMESPACE: func(ctx context.Context, c *Client) error { _, err := c.Namespace(ctx); return err },
	VerbID:        func(ctx context.Context, c *Client) error { _, err := c.ID(ctx, nil); return err },
	VerbENABLE:    func(ctx context.Context, c *Client) error { _, err := c.Enable(ctx, CapUTF8Accept); return err },
	VerbUNSELECT:  func(ctx context.Context, c *Client) error { return c.Unselect(ctx) },
	VerbSORT: func(ctx context.Context, c *Client) error {
		_, err := c.Sort(ctx, false, []SortCriterion{{Key: SortDate}}, &SearchCriteria{})
		return err
	},
	VerbTHREAD: func(ctx context.Context, c *Client) error {
		_, err := c.Thread(ctx, false, ThreadReferences, &SearchCriteria{})
		return err
	},
	VerbCOMPRESS: func(ctx context.Context, c *Client) error { return c.Compress(ctx) },
}

// TestClient_RefusedVerbs_RFC3501_3: in each state a client reaches, the
// method of every verb the state table refuses returns ErrClientState
// without writing a byte, and the state stays.
func TestClient_RefusedVerbs_RFC3501_3(t *testing.T) {
	for v := VerbCAPABILITY; v < numVerbs; v++ {
		require.Contains(t, clientCalls, v, "no call for %s", v)
	}
	for _, s := range []State{StateNotAuthenticated, StateAuthenticated, StateSelected} {
		c, cc := clientIn(t, s, nil, nil)
		before := cc.written.Load()
		for v := VerbCAPABILITY; v < numVerbs; v++ {
			if Allowed(s, v) {
				continue
			}
			err := clientCalls[v](testCtx(t), c)
			assert.ErrorIs(t, err, ErrClientState, "%s in %s", v, s)
			assert.ErrorContains(t, err, v.String()+" in the "+s.String()+" state")
			assert.Equal(t, before, cc.written.Load(), "%s in %s wrote", v, s)
			assert.Equal(t, s, c.State())
		}
		require.NoError(t, c.Noop(testCtx(t)), s) // the session goes on
	}
}

// TestClient_PipelinedAfterSelect_RFC3501_5_5: a command legal only in
// the selected state may be written behind a SELECT that is still
// unanswered (commands are pipelined), and the server sees it before it
// answers the SELECT.
func TestClient_PipelinedAfterSelect_RFC3501_5_5(t *testing.T) {
	seen := make(chan string, 2)
	client := pipeServer("* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n", func(br *bufio.Reader, server io.Writer) {
		sel, err := br.ReadString('\n')
		if err != nil {
			return
		}
		check, err := br.ReadString('\n') // before SELECT is answered
		if err != nil {
			return
		}
		seen <- sel
		seen <- check
		selTag, _, _ := strings.Cut(sel, " ")
		checkTag, _, _ := strings.Cut(check, " ")
		io.WriteString(server, "* 0 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n"+selTag+" OK [READ-WRITE] done\r\n"+checkTag+" OK done\r\n")
		io.Copy(io.Discard, br)
	})
	c := newTestClient(t, client, nil)
	ctx := testCtx(t)
	selected := make(chan error, 1)
	go func() { _, err := c.Select(ctx, "INBOX", nil); selected <- err }()
	require.Eventually(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.pending) == 1
	}, 5*time.Second, time.Millisecond, "SELECT in flight")
	require.NoError(t, c.Check(ctx), "CHECK behind the unanswered SELECT")
	require.NoError(t, <-selected)
	assert.Contains(t, <-seen, "SELECT")
	assert.Contains(t, <-seen, "CHECK")
	assert.Equal(t, StateSelected, c.State())
	err := c.Authenticate(ctx, PlainAuth("", "u", "p"))
	assert.ErrorIs(t, err, ErrClientState, "still refused: legal in neither state")
}
