package imapstress

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// keywords are the keywords the clients set; a fresh one is announced by
// FLAGS before a FETCH shows it (RFC 3501 section 7.2.6).
var keywords = []string{"$Stress0", "$Stress1", "$Stress2", "Todo", "Later"}

// worker picks and runs one client's operations.
type worker struct {
	s   *session
	cfg *Config
	rng *rand.Rand
	rep *Report
	n   int // messages appended
}

// op is one kind of operation and its weight.
type op struct {
	name   string
	weight int
	run    func(w *worker) error
}

var ops = []op{
	{"APPEND", 4, (*worker).appendMessage},
	{"FETCH", 5, (*worker).fetch},
	{"STORE", 5, (*worker).store},
	{"EXPUNGE", 2, (*worker).expunge},
	{"COPY", 2, (*worker).copyMessages},
	{"IDLE", 1, (*worker).idle},
	{"NOOP", 1, func(w *worker) error { return w.s.command("NOOP", "") }},
	{"SEARCH", 1, func(w *worker) error { return w.s.command("SEARCH", "ALL") }},
}

func (w *worker) step() error {
	o := w.pick()
	if w.s.v.exists == 0 && o.name != "IDLE" && o.name != "NOOP" {
		o = ops[0] // sequence numbers need a message
	} else if int(w.s.v.exists) > w.cfg.MaxMessages && w.rng.IntN(2) == 0 {
		o = op{name: "EXPUNGE", run: (*worker).expungeMany}
	}
	w.rep.count(o.name)
	return o.run(w)
}

func (w *worker) pick() op {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	k := w.rng.IntN(total)
	for _, o := range ops {
		if k -= o.weight; k < 0 {
			return o
		}
	}
	return ops[0]
}

// seqRange returns a range of at most width messages the session knows,
// "a:b" or "a".
func (w *worker) seqRange(width int) string {
	n := int(w.s.v.exists)
	a := 1 + w.rng.IntN(n)
	b := min(n, a+w.rng.IntN(width))
	if a == b {
		return strconv.Itoa(a)
	}
	return strconv.Itoa(a) + ":" + strconv.Itoa(b)
}

// uidRange returns a UID range around the UIDs the session knows.
func (w *worker) uidRange() string {
	lo := uint32(1)
	for _, u := range w.s.v.uids {
		if u != 0 {
			lo = u
			break
		}
	}
	return strconv.FormatUint(uint64(lo+uint32(w.rng.IntN(5))), 10) + ":*"
}

func (w *worker) flagList() string {
	flags := []string{`\Seen`, `\Flagged`, `\Answered`, keywords[w.rng.IntN(len(keywords))]}
	w.rng.Shuffle(len(flags), func(i, j int) { flags[i], flags[j] = flags[j], flags[i] })
	k := 1 + w.rng.IntN(len(flags))
	out := "("
	for i, f := range flags[:k] {
		if i > 0 {
			out += " "
		}
		out += f
	}
	return out + ")"
}

// appendMessage appends a small message with random flags, some of them
// \Deleted, so that an EXPUNGE may take a message before its session
// hears of it (RFC 3501 section 6.3.11).
func (w *worker) appendMessage() error {
	w.n++
	body := fmt.Sprintf("From: stress@example.org\r\nSubject: stress %d\r\nMessage-ID: <%d.%d@stress>\r\n\r\nline one\r\nline two %d\r\n",
		w.n, w.rng.Uint64(), w.n, w.n)
	flags := w.flagList()
	if w.rng.IntN(4) == 0 {
		flags = `(\Deleted)`
	}
	tag, err := w.s.continued("APPEND", fmt.Sprintf("%s %s {%d}", w.cfg.Mailbox, flags, len(body)))
	if err != nil {
		return err
	}
	if err := w.s.send(body + "\r\n"); err != nil {
		return err
	}
	return w.expectTagged(tag)
}

// expectTagged reads up to tag's reply, where no continuation may come.
func (w *worker) expectTagged(tag string) error {
	t, err := w.s.finish(tag)
	if err == nil && t.continuation {
		err = fmt.Errorf("%s: unexpected continuation request", w.s.v.command)
	}
	return err
}

var fetchItems = []string{
	"(UID FLAGS)",
	"(FLAGS RFC822.SIZE BODY.PEEK[])",
	"(UID ENVELOPE BODYSTRUCTURE INTERNALDATE)",
	"(BODY[HEADER.FIELDS (SUBJECT)] BODY[TEXT])",
	"(UID RFC822.SIZE BODY[])",
	"FAST",
}

func (w *worker) fetch() error {
	items := fetchItems[w.rng.IntN(len(fetchItems))]
	if w.rng.IntN(3) == 0 {
		return w.s.command("UID FETCH", w.uidRange()+" "+items)
	}
	set := "1:*"
	if w.rng.IntN(2) == 0 {
		set = w.seqRange(8)
	}
	return w.s.command("FETCH", set+" "+items)
}

func (w *worker) store() error {
	kind := []string{"+FLAGS", "-FLAGS", "FLAGS", "+FLAGS.SILENT"}[w.rng.IntN(4)]
	if w.rng.IntN(3) == 0 {
		return w.s.command("UID STORE", w.uidRange()+" "+kind+" "+w.flagList())
	}
	return w.s.command("STORE", w.seqRange(6)+" "+kind+" "+w.flagList())
}

// expunge marks a few messages \Deleted and expunges.
func (w *worker) expunge() error {
	if err := w.s.command("STORE", w.seqRange(3)+` +FLAGS.SILENT (\Deleted)`); err != nil {
		return err
	}
	return w.s.command("EXPUNGE", "")
}

// expungeMany shrinks a mailbox past MaxMessages.
func (w *worker) expungeMany() error {
	half := strconv.Itoa(int(w.s.v.exists) / 2)
	if err := w.s.command("STORE", "1:"+half+` +FLAGS.SILENT (\Deleted)`); err != nil {
		return err
	}
	return w.s.command("EXPUNGE", "")
}

// copyMessages copies a few messages into the selected mailbox itself
// (new messages every session hears of) or into the other one.
func (w *worker) copyMessages() error {
	dest := w.cfg.Other
	if w.rng.IntN(2) == 0 {
		dest = w.cfg.Mailbox
	}
	if w.rng.IntN(3) == 0 {
		return w.s.command("UID COPY", w.uidRange()+" "+dest)
	}
	return w.s.command("COPY", w.seqRange(3)+" "+dest)
}

// idle idles for a few milliseconds, checking what arrives (RFC 2177).
func (w *worker) idle() error {
	tag, err := w.s.continued("IDLE", "")
	if err != nil {
		return err
	}
	d := time.Duration(5+w.rng.IntN(30)) * time.Millisecond
	sent := make(chan error, 1)
	timer := time.AfterFunc(d, func() { sent <- w.s.send("DONE\r\n") })
	err = w.expectTagged(tag)
	if !timer.Stop() {
		if serr := <-sent; err == nil {
			err = serr
		}
	}
	return err
}
