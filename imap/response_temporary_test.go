package imap

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStatusResponse_Temporary_RFC5530_3: a NO or BYE with [UNAVAILABLE]
// or [INUSE] may pass later; other codes, no code, and OK or BAD do not
// say so.
func TestStatusResponse_Temporary_RFC5530_3(t *testing.T) {
	for _, tc := range []struct {
		resp *StatusResponse
		want bool
	}{
		{NOResponse(CodeUnavailable, "backend down"), true},
		{NOResponse(CodeInUse, "mailbox in use"), true},
		{&StatusResponse{Type: StatusBYE, Code: CodeUnavailable, Text: "shutting down"}, true},
		{NOResponse(CodeAuthenticationFailed, "no"), false},
		{NOResponse(CodeOverQuota, "over quota"), false},
		{NOResponse(CodeLimit, "too many"), false},
		{NOResponse("", "no"), false},
		{BADResponse(CodeUnavailable, "odd"), false},
		{OKResponse("done"), false},
	} {
		require.Equal(t, tc.want, tc.resp.Temporary(), tc.resp.Error())
	}
	require.Equal(t, &StatusResponse{Type: StatusNO, Code: CodeTryCreate, Text: "x"}, NOResponse(CodeTryCreate, "x"))
}
