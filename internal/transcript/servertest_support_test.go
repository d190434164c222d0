package transcript

// internal/servertest is test support as well: the test families that the
// smtp, pop3 and imap servers share import this package and testutil,
// and only _test.go files may import it. (This entry belongs in
// testSupport's list, in imports_test.go.)
func init() {
	testSupport = append(testSupport, "github.com/mailwire/mailwire/internal/servertest")
}
