package maildir

import (
	"io/fs"
	"syscall"
	"time"
)

// lastChange is the later of a file's modification and inode change
// times (st_ctime, which Dovecot's tmp cleanup reads).
func lastChange(info fs.FileInfo) time.Time {
	t := info.ModTime()
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		if c := time.Unix(st.Ctim.Unix()); c.After(t) {
			t = c
		}
	}
	return t
}
