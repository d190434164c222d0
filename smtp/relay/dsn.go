package relay

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

// writeDSN writes a delivery status notification (RFC 3464) about the
// recipients idx of e: a multipart/report (RFC 6522) with a human
// readable part, a message/delivery-status part, and the original
// message, whole or its header only as RET asks (RFC 3461 section 4.3).
// Success and delay reports carry the header only, as RFC 3461 section
// 4.3 allows, since the sender does not need the message back.
func (r *Relay) writeDSN(w io.Writer, e *queue.Entry, idx []int) error {
	var h message.Header
	h.Set("From", "Mail Delivery System <MAILER-DAEMON@"+r.hostname()+">")
	h.Set("To", "<"+e.From+">")
	h.SetText("Subject", "Delivery Status Notification ("+summary(e, idx)+")")
	// RFC 3834 section 5: automatic responses say so.
	h.Set("Auto-Submitted", "auto-replied")
	h.SetDate(r.now())
	h.SetContentType("multipart/report", message.Params{{Name: "report-type", Value: "delivery-status"}})
	mw, err := message.NewWriter(w, h)
	if err != nil {
		return err
	}
	if err := r.writeHuman(mw, e, idx); err != nil {
		return err
	}
	if err := r.writeStatus(mw, e, idx); err != nil {
		return err
	}
	if err := r.writeReturned(mw, e, idx); err != nil {
		return err
	}
	return mw.Close()
}

// summary names the report's kind for the Subject.
func summary(e *queue.Entry, idx []int) string {
	switch e.Recipients[idx[0]].Report {
	case queue.ActionFailed:
		return "Failure"
	case queue.ActionDelayed:
		return "Delay"
	}
	return "Success"
}

// writeHuman is the first part, for people (RFC 6522 section 3).
func (r *Relay) writeHuman(mw *message.Writer, e *queue.Entry, idx []int) error {
	var h message.Header
	h.SetContentType("text/plain", message.Params{{Name: "charset", Value: "utf-8"}})
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "This is the mail system at %s.\r\n\r\n", r.hostname())
	fmt.Fprintf(&b, "Your message of %s:\r\n\r\n", message.FormatDate(e.Arrived))
	for _, i := range idx {
		rc := e.Recipients[i]
		switch rc.Report {
		case queue.ActionFailed:
			fmt.Fprintf(&b, "could not be delivered to <%s>.\r\n", rc.Addr)
		case queue.ActionDelayed:
			fmt.Fprintf(&b, "has not yet been delivered to <%s>; it will be tried until %s.\r\n", rc.Addr, message.FormatDate(r.retryUntil(e)))
		default:
			fmt.Fprintf(&b, "was delivered to <%s>.\r\n", rc.Addr)
		}
		if rc.Reply != nil {
			fmt.Fprintf(&b, "    %s said: %s\r\n", orUnknown(rc.RemoteMTA), rc.Reply.Error())
		}
	}
	if _, err := io.WriteString(pw, b.String()); err != nil {
		return err
	}
	return pw.Close()
}

func orUnknown(s string) string {
	if s == "" {
		return "this system"
	}
	return s
}

func (r *Relay) retryUntil(e *queue.Entry) time.Time {
	return e.Arrived.Add(orDefault(r.MaxAge, DefaultMaxAge))
}

// writeStatus is the message/delivery-status part: the per-message
// fields (RFC 3464 section 2.2), then a block of per-recipient fields
// (section 2.3) for each recipient.
func (r *Relay) writeStatus(mw *message.Writer, e *queue.Entry, idx []int) error {
	var h message.Header
	h.SetContentType("message/delivery-status", nil)
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("Reporting-MTA: dns; " + r.hostname() + "\r\n")
	if e.Options.EnvelopeID != "" {
		b.WriteString("Original-Envelope-Id: " + e.Options.EnvelopeID + "\r\n")
	}
	b.WriteString("Arrival-Date: " + message.FormatDate(e.Arrived) + "\r\n")
	for _, i := range idx {
		rc := e.Recipients[i]
		b.WriteString("\r\n")
		if rc.Options.OriginalRecipient != "" {
			b.WriteString("Original-Recipient: " + rc.Options.OriginalRecipientType + ";" + rc.Options.OriginalRecipient + "\r\n")
		}
		b.WriteString("Final-Recipient: rfc822; " + rc.Addr + "\r\n")
		b.WriteString("Action: " + string(rc.Report) + "\r\n")
		b.WriteString("Status: " + status(rc) + "\r\n")
		if rc.RemoteMTA != "" {
			b.WriteString("Remote-MTA: dns; " + rc.RemoteMTA + "\r\n")
		}
		if rc.Reply != nil {
			b.WriteString("Diagnostic-Code: smtp; " + strings.ReplaceAll(rc.Reply.Error(), "\r\n", " ") + "\r\n")
		}
		if !rc.LastAttempt.IsZero() {
			b.WriteString("Last-Attempt-Date: " + message.FormatDate(rc.LastAttempt) + "\r\n")
		}
		if rc.Report == queue.ActionDelayed {
			b.WriteString("Will-Retry-Until: " + message.FormatDate(r.retryUntil(e)) + "\r\n")
		}
	}
	if _, err := io.WriteString(pw, b.String()); err != nil {
		return err
	}
	return pw.Close()
}

// status is the RFC 3463 code of the Status field (RFC 3464 section
// 2.3.4): the reply's enhanced code, or one made from its class; a
// recipient that failed on a temporary reply ran out of time, X.4.7.
func status(rc queue.Recipient) string {
	reply := rc.Reply
	if reply == nil {
		return "5.0.0"
	}
	if rc.State == queue.Failed && reply.Temporary() {
		return "4.4.7"
	}
	if reply.Enhanced != smtp.NoEnhancedCode {
		return reply.Enhanced.String()
	}
	return fmt.Sprintf("%d.0.0", reply.Code/100)
}

// writeReturned is the third part: the message (message/rfc822) when RET
// is FULL, or absent on a failure; its header otherwise
// (text/rfc822-headers, RFC 6522 section 4).
func (r *Relay) writeReturned(mw *message.Writer, e *queue.Entry, idx []int) error {
	msg, err := r.Queue.Open(e.ID)
	if err != nil {
		return err
	}
	defer msg.Close()
	full := e.Options.Return == smtp.ReturnFull ||
		e.Options.Return == "" && e.Recipients[idx[0]].Report == queue.ActionFailed
	var h message.Header
	if full {
		h.SetContentType("message/rfc822", nil)
		pw, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(pw, msg); err != nil {
			return err
		}
		return pw.Close()
	}
	h.SetContentType("text/rfc822-headers", nil)
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	orig, err := message.ReadHeader(bufio.NewReader(msg))
	if err != nil {
		return err
	}
	if _, err := orig.WriteTo(pw); err != nil {
		return err
	}
	return pw.Close()
}
