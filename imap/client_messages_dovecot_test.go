package imap

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appendCorpus appends the corpus to mailbox and returns the UIDs.
func appendCorpus(t *testing.T, c *Client, mailbox string, corpus [][]byte, flags []Flag) []uint32 {
	t.Helper()
	ctx := testCtx(t)
	var uids []uint32
	when := time.Date(2022, 3, 4, 5, 6, 7, 0, time.FixedZone("", 3600))
	for _, m := range corpus {
		data, err := c.Append(ctx, mailbox, int64(len(m)), bytes.NewReader(m), &AppendOptions{Flags: flags, Time: when})
		require.NoError(t, err)
		require.NotZero(t, data.UID, "APPENDUID (RFC 4315)")
		uids = append(uids, data.UID)
	}
	return uids
}

// TestDovecot_Messages_RFC3501_6_4 covers APPEND, EXAMINE, SEARCH, UID
// SEARCH, ESEARCH, SEARCHRES, SORT, THREAD, STORE (with CONDSTORE), COPY,
// MOVE, EXPUNGE, UID EXPUNGE, CHECK, CLOSE and UNSELECT.
func TestDovecot_Messages_RFC3501_6_4(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	c := d.login(t, nil)
	corpus := loadCorpus(t)
	uids := appendCorpus(t, c, Inbox, corpus, []Flag{FlagDraft, "$Custom"})
	require.Len(t, uids, len(corpus))
	dovecotExamine(t, ctx, c, uids[0])

	mb, err := c.Select(ctx, Inbox, &SelectOptions{CondStore: true})
	require.NoError(t, err)
	assert.NotZero(t, mb.HighestModSeq, "CONDSTORE (RFC 7162 3.1.2)")
	dovecotSearch(t, ctx, c, uids, len(corpus))
	dovecotStore(t, ctx, c, uids[0])
	dovecotCopy(t, ctx, c)

	// MOVE with COPYUID (RFC 6851, RFC 4315).
	var expunged []uint32
	var mu sync.Mutex
	c.opts.Unilateral.Expunge = func(seq uint32) { mu.Lock(); expunged = append(expunged, seq); mu.Unlock() }
	mv, err := c.UIDMove(ctx, SeqSetNum(uids[5]), "Archive")
	require.NoError(t, err)
	assert.Equal(t, SeqSetNum(uids[5]).String(), mv.SourceUIDs.String())
	assert.Equal(t, "3", mv.DestinationUIDs.String())

	// EXPUNGE and UID EXPUNGE (RFC 3501 6.4.3, RFC 4315 2.1).
	require.NoError(t, c.Store(ctx, SeqSetNum(1, 2), &StoreFlags{Op: StoreFlagsAdd, Silent: true, Flags: []Flag{FlagDeleted}}, nil).Close())
	seqs, err := c.UIDExpunge(ctx, SeqSetNum(uids[1]))
	require.NoError(t, err)
	assert.Equal(t, []uint32{2}, seqs)
	seqs, err = c.Expunge(ctx)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1}, seqs)
	require.NoError(t, c.Check(ctx))
	assert.Equal(t, uint32(3), c.Mailbox().NumMessages)
	mu.Lock()
	assert.Equal(t, []uint32{6, 2, 1}, expunged, "EXPUNGE responses reach the handler")
	mu.Unlock()

	require.NoError(t, c.Unselect(ctx))
	assert.Equal(t, StateAuthenticated, c.State())
	_, err = c.Select(ctx, "Archive", nil)
	require.NoError(t, err)
	require.NoError(t, c.CloseMailbox(ctx))
	assert.Equal(t, StateAuthenticated, c.State())
	_, err = c.Select(ctx, "Nowhere", nil)
	var st *StatusResponse
	require.True(t, errors.As(err, &st))
	assert.Equal(t, StatusNO, st.Type)
}

// dovecotExamine is the EXAMINE step of TestDovecot_Messages_RFC3501_6_4:
// APPEND kept the internal date and flags of the first message, uid, as
// FETCH shows, and a STORE changes nothing (RFC 3501 6.3.2).
func dovecotExamine(t *testing.T, ctx context.Context, c *Client, uid uint32) {
	mb, err := c.Select(ctx, Inbox, &SelectOptions{ReadOnly: true})
	require.NoError(t, err)
	assert.True(t, mb.ReadOnly, "EXAMINE is read-only (RFC 3501 6.3.2)")
	msgs, err := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{Flags: true, InternalDate: true, UID: true}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.ElementsMatch(t, []Flag{FlagDraft, "$Custom", FlagRecent}, msgs[0].Flags)
	assert.True(t, msgs[0].InternalDate.Equal(time.Date(2022, 3, 4, 5, 6, 7, 0, time.FixedZone("", 3600))))
	assert.Equal(t, uid, msgs[0].UID)
	// Dovecot answers OK "Store ignored with read-only mailbox".
	require.NoError(t, c.Store(ctx, SeqSetNum(1), &StoreFlags{Op: StoreFlagsAdd, Flags: []Flag{FlagSeen}}, nil).Close())
	msgs, err = c.Fetch(ctx, SeqSetNum(1), &FetchOptions{Flags: true}).Collect()
	require.NoError(t, err)
	assert.NotContains(t, msgs[0].Flags, FlagSeen, "EXAMINE is read-only")
}

// dovecotSearch is the SEARCH step of TestDovecot_Messages_RFC3501_6_4 on
// the n messages of the corpus, whose UIDs are uids: SEARCH and UID SEARCH
// (RFC 3501 6.4.4, 6.4.8), ESEARCH (RFC 4731), SEARCHRES (RFC 5182), SORT
// and THREAD (RFC 5256).
func dovecotSearch(t *testing.T, ctx context.Context, c *Client, uids []uint32, n int) {
	// SEARCH and UID SEARCH (RFC 3501 6.4.4, 6.4.8).
	res, err := c.Search(ctx, &SearchCriteria{Header: []SearchHeader{{"Subject", "meeting"}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 4}, res.Nums())
	res, err = c.UIDSearch(ctx, &SearchCriteria{
		Or:  [][2]SearchCriteria{{{Body: []string{"Forwarding"}}, {Header: []SearchHeader{{"From", "alice"}}}}},
		Not: []SearchCriteria{{Larger: 100000}},
	}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{uids[2], uids[3]}, res.Nums())
	res, err = c.Search(ctx, &SearchCriteria{Text: []string{"Grüße"}}, nil)
	require.NoError(t, err, "CHARSET UTF-8")
	assert.Equal(t, []uint32{2}, res.Nums())
	res, err = c.Search(ctx, &SearchCriteria{
		Since: time.Date(2022, 3, 4, 0, 0, 0, 0, time.UTC), SentBefore: time.Date(2022, 3, 3, 0, 0, 0, 0, time.UTC),
		Flag: []Flag{"$Custom", FlagDraft}, NotFlag: []Flag{FlagDeleted},
		SeqNum: []SeqSet{SeqSetRange(1, 0)}, Smaller: 100000, ModSeq: 1,
	}, nil)
	require.NoError(t, err)
	// 5 and 6 have no Date: field; Dovecot then uses the internal date.
	assert.Equal(t, []uint32{1, 2, 3, 5, 6}, res.Nums())

	// ESEARCH (RFC 4731) and SEARCHRES (RFC 5182).
	res, err = c.Search(ctx, &SearchCriteria{}, &SearchOptions{ReturnMin: true, ReturnMax: true, ReturnCount: true, ReturnAll: true})
	require.NoError(t, err)
	assert.Equal(t, uint32(1), res.Min)
	assert.Equal(t, uint32(n), res.Max)
	assert.Equal(t, uint32(n), res.Count)
	assert.Equal(t, "1:6", res.All.String())
	_, err = c.UIDSearch(ctx, &SearchCriteria{Header: []SearchHeader{{"To", "bob"}}}, &SearchOptions{ReturnSave: true})
	require.NoError(t, err)
	saved, err := c.UIDFetch(ctx, SavedSet(), &FetchOptions{UID: true}).Collect()
	require.NoError(t, err)
	assert.Len(t, saved, 3)

	// SORT and THREAD (RFC 5256).
	sorted, err := c.Sort(ctx, false, []SortCriterion{{Key: SortSize, Reverse: true}}, &SearchCriteria{})
	require.NoError(t, err)
	assert.Len(t, sorted, n)
	threads, err := c.Thread(ctx, false, ThreadReferences, &SearchCriteria{})
	require.NoError(t, err)
	assert.NotEmpty(t, threads)
	threads, err = c.Thread(ctx, true, ThreadOrderedSubject, &SearchCriteria{})
	require.NoError(t, err)
	assert.NotEmpty(t, threads)
}

// dovecotStore is the STORE step of TestDovecot_Messages_RFC3501_6_4, uid
// being the first message's: FETCH responses come back unless .SILENT
// (RFC 3501 6.4.6), and UNCHANGEDSINCE (RFC 7162 3.1.3).
func dovecotStore(t *testing.T, ctx context.Context, c *Client, uid uint32) {
	stored, err := c.Store(ctx, SeqSetNum(1, 2), &StoreFlags{Op: StoreFlagsAdd, Flags: []Flag{FlagSeen, FlagFlagged}}, nil).Collect()
	require.NoError(t, err)
	require.Len(t, stored, 2)
	assert.Contains(t, stored[0].Flags, FlagFlagged)
	stored, err = c.UIDStore(ctx, SeqSetNum(uid), &StoreFlags{Op: StoreFlagsDel, Silent: true, Flags: []Flag{FlagFlagged}}, nil).Collect()
	require.NoError(t, err)
	// Under CONDSTORE even .SILENT reports the new MODSEQ (RFC 7162
	// section 3.1.3), but no flags.
	for _, m := range stored {
		assert.False(t, m.HasFlags)
		assert.NotZero(t, m.ModSeq)
	}
	var st *StatusResponse
	err = c.Store(ctx, SeqSetNum(1), &StoreFlags{Op: StoreFlagsSet, Flags: []Flag{FlagAnswered}}, &StoreOptions{UnchangedSince: 1}).Close()
	if assert.True(t, errors.As(err, &st) || err == nil) && err == nil {
		// Dovecot reports the conflict in the tagged OK's MODIFIED code.
		t.Log("UNCHANGEDSINCE accepted")
	}
}

// dovecotCopy is the COPY step of TestDovecot_Messages_RFC3501_6_4, with
// COPYUID (RFC 4315), into an Archive it creates.
func dovecotCopy(t *testing.T, ctx context.Context, c *Client) {
	require.NoError(t, c.Create(ctx, "Archive"))
	cp, err := c.Copy(ctx, SeqSetRange(1, 2), "Archive")
	require.NoError(t, err)
	assert.NotZero(t, cp.UIDValidity)
	assert.Equal(t, "1:2", cp.DestinationUIDs.String())
	var st *StatusResponse
	err = func() error { _, err := c.Copy(ctx, SeqSetNum(1), "Nowhere"); return err }()
	require.True(t, errors.As(err, &st))
	assert.Equal(t, CodeTryCreate, st.Code)
}

// TestDovecot_IdleSeesAppend_RFC2177 checks that IDLE delivers the EXISTS
// caused by another connection's APPEND.
func TestDovecot_IdleSeesAppend_RFC2177(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	exists := make(chan uint32, 8)
	c := d.login(t, &Options{Unilateral: UnilateralHandler{Exists: func(n uint32) { exists <- n }}})
	_, err := c.Select(ctx, Inbox, nil)
	require.NoError(t, err)

	idleCtx, stop := context.WithCancel(ctx)
	idleErr := make(chan error, 1)
	go func() { idleErr <- c.Idle(idleCtx) }()

	other := d.login(t, nil)
	time.Sleep(200 * time.Millisecond) // let IDLE start; correctness does not depend on it
	msg := loadCorpus(t)[0]
	_, err = other.Append(ctx, Inbox, int64(len(msg)), bytes.NewReader(msg), nil)
	require.NoError(t, err)
	select {
	case n := <-exists:
		assert.Equal(t, uint32(1), n)
	case <-ctx.Done():
		t.Fatal("no EXISTS during IDLE")
	}
	stop()
	require.NoError(t, <-idleErr)
	require.NoError(t, c.Noop(ctx), "the connection is usable after DONE")
}

// TestDovecot_Pipelining_RFC3501_5_5 runs commands from several
// goroutines on one client; each gets its own answer.
func TestDovecot_Pipelining_RFC3501_5_5(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	c := d.login(t, nil)
	for i := range 3 {
		require.NoError(t, c.Create(ctx, fmt.Sprintf("box%d", i)))
		msg := []byte(fmt.Sprintf("Subject: m%d\r\n\r\nbody %d\r\n", i, i))
		for range i + 1 {
			_, err := c.Append(ctx, fmt.Sprintf("box%d", i), int64(len(msg)), bytes.NewReader(msg), nil)
			require.NoError(t, err)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				box := (g + i) % 3
				st, err := c.Status(ctx, fmt.Sprintf("box%d", box), &StatusOptions{NumMessages: true})
				if assert.NoError(t, err) && assert.NotNil(t, st.NumMessages) {
					assert.Equal(t, fmt.Sprintf("box%d", box), st.Mailbox)
					assert.Equal(t, uint32(box+1), *st.NumMessages)
				}
			}
		}()
	}
	wg.Wait()
}

// TestDovecot_LargeMessageStreams_RFC7888 appends a large message with
// LITERAL+ from a reader and fetches it back as a stream, comparing
// hashes chunk by chunk instead of holding copies.
func TestDovecot_LargeMessageStreams_RFC7888(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	c := d.login(t, nil)
	const size = 20 << 20
	msg := largeMessage(size)
	data, err := c.Append(ctx, Inbox, int64(len(msg)), bytes.NewReader(msg), nil)
	require.NoError(t, err)
	_, err = c.Select(ctx, Inbox, nil)
	require.NoError(t, err)
	f := c.UIDFetch(ctx, SeqSetNum(data.UID), &FetchOptions{BodySection: []*FetchItemBodySection{{Peek: true}}})
	m := f.Next()
	require.NotNil(t, m)
	var got int64
	for item := m.Next(); item != nil; item = m.Next() {
		if b, ok := item.(FetchItemDataBodySection); ok {
			assert.Equal(t, int64(len(msg)), b.Size)
			buf := make([]byte, 64<<10)
			for {
				n, err := b.Literal.Read(buf)
				if n > 0 {
					require.Equal(t, msg[got:got+int64(n)], buf[:n])
					got += int64(n)
				}
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
			}
		}
	}
	require.NoError(t, f.Close())
	assert.Equal(t, int64(len(msg)), got)
}

// largeMessage builds a message of about size bytes with base64 lines.
func largeMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("Subject: large\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	raw := make([]byte, 57)
	for b.Len() < size {
		_, _ = rand.Read(raw)
		b.WriteString(base64.StdEncoding.EncodeToString(raw))
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// TestDovecot_Compress_RFC4978 turns on COMPRESS=DEFLATE and keeps
// working through it.
func TestDovecot_Compress_RFC4978(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	c := d.login(t, nil)
	require.True(t, c.Supports(CapCompress))
	require.NoError(t, c.Compress(ctx))
	corpus := loadCorpus(t)
	appendCorpus(t, c, Inbox, corpus, nil)
	_, err := c.Select(ctx, Inbox, nil)
	require.NoError(t, err)
	sec := &FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(ctx, SeqSetRange(1, 0), &FetchOptions{BodySection: []*FetchItemBodySection{sec}}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, len(corpus))
	for i, m := range msgs {
		assert.Equal(t, corpus[i], m.FindBodySection(sec))
	}
	require.NoError(t, c.Logout(ctx))
}

// TestDovecot_QResync_RFC7162_3_2 enables QRESYNC, lets another
// connection expunge and flag messages, and resynchronizes with SELECT
// (QRESYNC ...) and UID FETCH (CHANGEDSINCE ... VANISHED).
func TestDovecot_QResync_RFC7162_3_2(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	var mu sync.Mutex
	var vanished []string
	var changed []uint32
	c := d.login(t, &Options{Unilateral: UnilateralHandler{
		Vanished: func(uids SeqSet, earlier bool) {
			mu.Lock()
			vanished = append(vanished, fmt.Sprint(uids.String(), " ", earlier))
			mu.Unlock()
		},
		Fetch: func(m *FetchMessageBuffer) { mu.Lock(); changed = append(changed, m.UID); mu.Unlock() },
	}})
	uids := appendCorpus(t, c, Inbox, loadCorpus(t), nil)
	_, err := c.Enable(ctx, CapQResync)
	require.NoError(t, err)
	mb, err := c.Select(ctx, Inbox, nil)
	require.NoError(t, err)
	require.NotZero(t, mb.HighestModSeq, "QRESYNC implies CONDSTORE")
	require.NoError(t, c.Unselect(ctx))

	other := d.login(t, nil)
	_, err = other.Select(ctx, Inbox, nil)
	require.NoError(t, err)
	require.NoError(t, other.UIDStore(ctx, SeqSetNum(uids[0]), &StoreFlags{Op: StoreFlagsAdd, Silent: true, Flags: []Flag{FlagDeleted}}, nil).Close())
	_, err = other.UIDExpunge(ctx, SeqSetNum(uids[0]))
	require.NoError(t, err)
	require.NoError(t, other.UIDStore(ctx, SeqSetNum(uids[2]), &StoreFlags{Op: StoreFlagsAdd, Silent: true, Flags: []Flag{FlagFlagged}}, nil).Close())

	_, err = c.Select(ctx, Inbox, &SelectOptions{QResync: &QResyncOptions{UIDValidity: mb.UIDValidity, ModSeq: mb.HighestModSeq}})
	require.NoError(t, err)
	mu.Lock()
	assert.Equal(t, []string{fmt.Sprint(uids[0], " true")}, vanished)
	assert.Equal(t, []uint32{uids[2]}, changed)
	mu.Unlock()

	msgs, err := c.UIDFetch(ctx, SeqSetRange(1, 0), &FetchOptions{Flags: true, ChangedSince: mb.HighestModSeq, Vanished: true}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, uids[2], msgs[0].UID)
	assert.NotZero(t, msgs[0].ModSeq)
	mu.Lock()
	assert.Len(t, vanished, 2, "VANISHED (EARLIER) again for UID FETCH ... VANISHED")
	mu.Unlock()
}
