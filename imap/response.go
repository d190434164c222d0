package imap

import (
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// StatusType is the kind of a status response (RFC 3501 section 7.1).
type StatusType string

// Status response types, RFC 3501 sections 7.1.1 to 7.1.5.
const (
	StatusOK      StatusType = "OK"
	StatusNO      StatusType = "NO"
	StatusBAD     StatusType = "BAD"
	StatusPREAUTH StatusType = "PREAUTH"
	StatusBYE     StatusType = "BYE"
)

// ResponseCode is the bracketed code of a status response (RFC 3501
// section 7.1) that lets software act on a reply without reading its text.
type ResponseCode string

// Response codes of RFC 3501 section 7.1.
const (
	CodeAlert          ResponseCode = "ALERT"
	CodeBadCharset     ResponseCode = "BADCHARSET"
	CodeCapability     ResponseCode = "CAPABILITY"
	CodeParse          ResponseCode = "PARSE"
	CodePermanentFlags ResponseCode = "PERMANENTFLAGS"
	CodeReadOnly       ResponseCode = "READ-ONLY"
	CodeReadWrite      ResponseCode = "READ-WRITE"
	CodeTryCreate      ResponseCode = "TRYCREATE"
	CodeUIDNext        ResponseCode = "UIDNEXT"
	CodeUIDValidity    ResponseCode = "UIDVALIDITY"
	CodeUnseen         ResponseCode = "UNSEEN"
)

// Response codes of RFC 4315 (UIDPLUS) section 3.
const (
	CodeAppendUID    ResponseCode = "APPENDUID"
	CodeCopyUID      ResponseCode = "COPYUID"
	CodeUIDNotSticky ResponseCode = "UIDNOTSTICKY"
)

// Response codes of RFC 5530 section 3.
const (
	CodeUnavailable          ResponseCode = "UNAVAILABLE"
	CodeAuthenticationFailed ResponseCode = "AUTHENTICATIONFAILED"
	CodeAuthorizationFailed  ResponseCode = "AUTHORIZATIONFAILED"
	CodeExpired              ResponseCode = "EXPIRED"
	CodePrivacyRequired      ResponseCode = "PRIVACYREQUIRED"
	CodeContactAdmin         ResponseCode = "CONTACTADMIN"
	CodeNoPerm               ResponseCode = "NOPERM"
	CodeInUse                ResponseCode = "INUSE"
	CodeExpungeIssued        ResponseCode = "EXPUNGEISSUED"
	CodeCorruption           ResponseCode = "CORRUPTION"
	CodeServerBug            ResponseCode = "SERVERBUG"
	CodeClientBug            ResponseCode = "CLIENTBUG"
	CodeCannot               ResponseCode = "CANNOT"
	CodeLimit                ResponseCode = "LIMIT"
	CodeOverQuota            ResponseCode = "OVERQUOTA"
	CodeAlreadyExists        ResponseCode = "ALREADYEXISTS"
	CodeNonExistent          ResponseCode = "NONEXISTENT"
)

// Response codes of RFC 7162 (CONDSTORE, QRESYNC) sections 3.1 and 3.2.
const (
	CodeHighestModSeq ResponseCode = "HIGHESTMODSEQ"
	CodeNoModSeq      ResponseCode = "NOMODSEQ"
	CodeModified      ResponseCode = "MODIFIED"
	CodeClosed        ResponseCode = "CLOSED"
)

// Response codes of other extensions.
const (
	CodeUnknownCTE           ResponseCode = "UNKNOWN-CTE"          // RFC 3516 section 4.3
	CodeHasChildren          ResponseCode = "HASCHILDREN"          // RFC 9051 section 7.1
	CodeNotSaved             ResponseCode = "NOTSAVED"             // RFC 5182 section 2.1
	CodeTooBig               ResponseCode = "TOOBIG"               // RFC 4469 section 4
	CodeCompressionActive    ResponseCode = "COMPRESSIONACTIVE"    // RFC 4978 section 3
	CodeUseAttr              ResponseCode = "USEATTR"              // RFC 6154 section 6
	CodeReferral             ResponseCode = "REFERRAL"             // RFC 2221 section 4.1
	CodeNotificationOverflow ResponseCode = "NOTIFICATIONOVERFLOW" // RFC 5465 section 5.8
)

// StatusResponse is an OK, NO, BAD, PREAUTH or BYE response, tagged or
// untagged (RFC 3501 section 7.1). It implements error, so that a NO or a
// BAD reaches the caller as a value it can inspect with errors.As and a
// backend can return exactly the reply it wants:
//
//	var st *imap.StatusResponse
//	if errors.As(err, &st) && st.Code == imap.CodeTryCreate { ... }
type StatusResponse struct {
	Tag     string // "" for an untagged response
	Type    StatusType
	Code    ResponseCode // "" when the response has no code
	CodeArg string       // the code's argument as sent, e.g. "38505 3955" for APPENDUID
	Text    string
}

// OKResponse returns an OK with text (RFC 3501 section 7.1.1), as
// pop3.OKResponse does for +OK.
func OKResponse(text string) *StatusResponse { return &StatusResponse{Type: StatusOK, Text: text} }

// NOResponse returns a NO with a code ("" for none) and text (RFC 3501
// section 7.1.2): what a backend returns to refuse an operation, as
// pop3.ErrResponse and smtp.NewReply are in their protocols.
func NOResponse(code ResponseCode, text string) *StatusResponse {
	return &StatusResponse{Type: StatusNO, Code: code, Text: text}
}

// BADResponse returns a BAD with a code ("" for none) and text (RFC
// 3501 section 7.1.3): the command was not understood.
func BADResponse(code ResponseCode, text string) *StatusResponse {
	return &StatusResponse{Type: StatusBAD, Code: code, Text: text}
}

// Temporary reports a NO or BYE that may pass if the same command is
// tried again later, as smtp.Reply and pop3.Response say of theirs: the
// codes of RFC 5530 section 3 that say so, [UNAVAILABLE] (a subsystem
// is down) and [INUSE] (someone else holds what the command needs).
// Other codes and none say nothing of later: [OVERQUOTA] and [LIMIT]
// need the user to act, [AUTHENTICATIONFAILED] says that the same
// credentials will fail again.
func (r *StatusResponse) Temporary() bool {
	if r.Type != StatusNO && r.Type != StatusBYE {
		return false
	}
	return r.Code == CodeUnavailable || r.Code == CodeInUse
}

// Error formats the response as it appeared on the wire, without the tag.
func (r *StatusResponse) Error() string {
	var sb strings.Builder
	sb.WriteString("imap: ")
	sb.WriteString(string(r.Type))
	if r.Code != "" {
		sb.WriteString(" [")
		sb.WriteString(string(r.Code))
		if r.CodeArg != "" {
			sb.WriteByte(' ')
			sb.WriteString(r.CodeArg)
		}
		sb.WriteByte(']')
	}
	if r.Text != "" {
		sb.WriteByte(' ')
		sb.WriteString(r.Text)
	}
	return sb.String()
}

// Err returns r as an error for NO, BAD and BYE, and nil for OK and
// PREAUTH.
func (r *StatusResponse) Err() error {
	switch r.Type {
	case StatusOK, StatusPREAUTH:
		return nil
	}
	return r
}

// CodeNumber returns the numeric argument of UIDVALIDITY, UIDNEXT, UNSEEN,
// HIGHESTMODSEQ and similar codes.
func (r *StatusResponse) CodeNumber() (uint64, bool) {
	n, err := strconv.ParseUint(r.CodeArg, 10, 64)
	return n, err == nil
}

// CodeList returns the space-separated items of a CAPABILITY code, or the
// parenthesized items of PERMANENTFLAGS and BADCHARSET.
func (r *StatusResponse) CodeList() []string {
	s := strings.TrimSuffix(strings.TrimPrefix(r.CodeArg, "("), ")")
	return strings.Fields(s)
}

// AppendUID returns the data of an APPENDUID code (RFC 4315 section 3):
// the mailbox's UIDVALIDITY and the UIDs the appended messages received.
func (r *StatusResponse) AppendUID() (uidValidity uint32, uids SeqSet, ok bool) {
	if r.Code != CodeAppendUID {
		return 0, SeqSet{}, false
	}
	v, set, ok := strings.Cut(r.CodeArg, " ")
	n, err := strconv.ParseUint(v, 10, 32)
	if !ok || err != nil {
		return 0, SeqSet{}, false
	}
	uids, err = ParseSeqSet(set)
	return uint32(n), uids, err == nil
}

// CopyUID returns the data of a COPYUID code (RFC 4315 section 3): the
// destination's UIDVALIDITY, the source UIDs and the UIDs they received,
// in the same order.
func (r *StatusResponse) CopyUID() (uidValidity uint32, src, dst SeqSet, ok bool) {
	if r.Code != CodeCopyUID {
		return 0, SeqSet{}, SeqSet{}, false
	}
	f := strings.Fields(r.CodeArg)
	if len(f) != 3 {
		return 0, SeqSet{}, SeqSet{}, false
	}
	n, err1 := strconv.ParseUint(f[0], 10, 32)
	src, err2 := ParseSeqSet(f[1])
	dst, err3 := ParseSeqSet(f[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, SeqSet{}, SeqSet{}, false
	}
	return uint32(n), src, dst, true
}

// readStatusResponse reads what follows the status type on a line:
// [SP "[" resp-text-code "]"] [SP text] CRLF (RFC 3501 section 9,
// resp-text). Servers that send nothing after the type are accepted.
func readStatusResponse(r *wire.Reader, tag string, typ StatusType) (*StatusResponse, error) {
	resp := &StatusResponse{Tag: tag, Type: typ}
	if r.Accept(' ') && r.Accept('[') {
		code, err := r.AtomBytes()
		if err != nil {
			return nil, err
		}
		resp.Code = codeName(code)
		if r.Accept(' ') {
			if resp.CodeArg, err = r.CodeText(); err != nil {
				return nil, err
			}
		}
		if err := r.Expect(']'); err != nil {
			return nil, err
		}
		r.Accept(' ')
	}
	var err error
	if resp.Text, err = r.Text(); err != nil {
		return nil, err
	}
	return resp, r.CRLF()
}

// knownCodes lets the reader name a code without allocating.
var knownCodes = func() map[string]ResponseCode {
	m := make(map[string]ResponseCode)
	for _, c := range []ResponseCode{
		CodeAlert, CodeBadCharset, CodeCapability, CodeParse, CodePermanentFlags,
		CodeReadOnly, CodeReadWrite, CodeTryCreate, CodeUIDNext, CodeUIDValidity,
		CodeUnseen, CodeAppendUID, CodeCopyUID, CodeUIDNotSticky, CodeUnavailable,
		CodeAuthenticationFailed, CodeAuthorizationFailed, CodeExpired,
		CodePrivacyRequired, CodeContactAdmin, CodeNoPerm, CodeInUse,
		CodeExpungeIssued, CodeCorruption, CodeServerBug, CodeClientBug,
		CodeCannot, CodeLimit, CodeOverQuota, CodeAlreadyExists,
		CodeNonExistent, CodeHighestModSeq, CodeNoModSeq, CodeModified,
		CodeClosed, CodeUnknownCTE, CodeHasChildren, CodeNotSaved, CodeTooBig,
		CodeCompressionActive, CodeUseAttr, CodeReferral, CodeNotificationOverflow,
	} {
		m[string(c)] = c
	}
	return m
}()

// codeName returns the code for its atom, upper-cased (RFC 3501 section
// 9: atoms are case-insensitive).
func codeName(b []byte) ResponseCode {
	if c, ok := knownCodes[string(b)]; ok {
		return c
	}
	return ResponseCode(strings.ToUpper(string(b)))
}

// writeStatusResponse writes resp as a full line, tagged or "*".
func writeStatusResponse(w *wire.Writer, resp *StatusResponse) {
	if resp.Tag == "" {
		w.Raw("* ")
	} else {
		w.Raw(resp.Tag).SP()
	}
	w.Raw(string(resp.Type))
	if resp.Code != "" {
		w.Raw(" [").Raw(string(resp.Code))
		if resp.CodeArg != "" {
			w.SP().Raw(resp.CodeArg)
		}
		w.Byte(']')
	}
	text := resp.Text
	if text == "" {
		// RFC 3501 section 9 requires text after the code; servers say
		// something, so do we.
		text = string(resp.Type)
		if resp.Type == StatusOK {
			text = "done"
		}
	}
	w.SP().Raw(sanitizeText(text)).CRLF()
}

// sanitizeText keeps CR and LF out of human-readable text so that a
// message cannot inject a line.
func sanitizeText(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, s)
	}
	return s
}
