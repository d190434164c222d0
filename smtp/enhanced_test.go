package smtp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEnhancedCodes_RFC3463_2: each named code is class.subject.detail
// with class 2, 4 or 5, reads back as itself, and is named Temp... when
// and only when its class is 4.
func TestEnhancedCodes_RFC3463_2(t *testing.T) {
	for _, tc := range []struct {
		name string
		code EnhancedCode
		want string
	}{
		{"EnhancedOK", EnhancedOK, "2.0.0"},
		{"EnhancedSenderOK", EnhancedSenderOK, "2.1.0"},
		{"EnhancedRecipientOK", EnhancedRecipientOK, "2.1.5"},
		{"EnhancedProtocolOK", EnhancedProtocolOK, "2.5.0"},
		{"EnhancedAuthOK", EnhancedAuthOK, "2.7.0"},
		{"EnhancedTempMailboxFull", EnhancedTempMailboxFull, "4.2.2"},
		{"EnhancedTempLocalError", EnhancedTempLocalError, "4.3.0"},
		{"EnhancedTempNotAccepting", EnhancedTempNotAccepting, "4.3.2"},
		{"EnhancedTempNoAnswer", EnhancedTempNoAnswer, "4.4.1"},
		{"EnhancedTempBadConnection", EnhancedTempBadConnection, "4.4.2"},
		{"EnhancedTempRoutingFailure", EnhancedTempRoutingFailure, "4.4.3"},
		{"EnhancedTempTooManyRecipients", EnhancedTempTooManyRecipients, "4.5.3"},
		{"EnhancedTempSecurity", EnhancedTempSecurity, "4.7.0"},
		{"EnhancedTempEncryptionNeeded", EnhancedTempEncryptionNeeded, "4.7.10"},
		{"EnhancedFailure", EnhancedFailure, "5.0.0"},
		{"EnhancedBadMailbox", EnhancedBadMailbox, "5.1.1"},
		{"EnhancedBadSystem", EnhancedBadSystem, "5.1.2"},
		{"EnhancedBadMailboxSyntax", EnhancedBadMailboxSyntax, "5.1.3"},
		{"EnhancedBadSenderSyntax", EnhancedBadSenderSyntax, "5.1.7"},
		{"EnhancedNullMX", EnhancedNullMX, "5.1.10"},
		{"EnhancedMailboxFull", EnhancedMailboxFull, "5.2.2"},
		{"EnhancedNotAccepting", EnhancedNotAccepting, "5.3.2"},
		{"EnhancedTooBig", EnhancedTooBig, "5.3.4"},
		{"EnhancedInvalidCommand", EnhancedInvalidCommand, "5.5.1"},
		{"EnhancedSyntaxError", EnhancedSyntaxError, "5.5.2"},
		{"EnhancedInvalidArguments", EnhancedInvalidArguments, "5.5.4"},
		{"EnhancedMediaError", EnhancedMediaError, "5.6.0"},
		{"EnhancedConversionNotSupported", EnhancedConversionNotSupported, "5.6.3"},
		{"EnhancedNonASCIIAddress", EnhancedNonASCIIAddress, "5.6.7"},
		{"EnhancedSecurity", EnhancedSecurity, "5.7.0"},
		{"EnhancedNotAuthorized", EnhancedNotAuthorized, "5.7.1"},
		{"EnhancedBadCredentials", EnhancedBadCredentials, "5.7.8"},
		{"EnhancedEncryptionRequired", EnhancedEncryptionRequired, "5.7.11"},
	} {
		require.Equal(t, tc.want, tc.code.String(), tc.name)
		back, rest, ok := parseEnhancedCode(tc.code.String())
		require.True(t, ok && rest == "" && back == tc.code, tc.name)
		require.Equal(t, tc.code[0] == 4, strings.HasPrefix(tc.name, "EnhancedTemp"), tc.name)
	}
}

// TestNoInlineEnhancedCodes: the server, the relay, the test helper, the
// queue and the delivery agent name every enhanced code they send (the
// variables of reply.go) instead of writing EnhancedCode{...} literals,
// so that each code's meaning is written once.
func TestNoInlineEnhancedCodes(t *testing.T) {
	for _, dir := range []string{".", "relay", "smtptest", "queue", "mda"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") || file == "reply.go" {
				continue
			}
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.CompositeLit); ok && isEnhancedCodeType(lit.Type) {
					t.Errorf("%s: an EnhancedCode literal; name it in reply.go", file)
				}
				return true
			})
		}
	}
}

func isEnhancedCodeType(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "EnhancedCode"
	case *ast.SelectorExpr:
		return x.Sel.Name == "EnhancedCode"
	}
	return false
}
