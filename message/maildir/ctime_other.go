//go:build !linux

package maildir

import (
	"io/fs"
	"time"
)

// lastChange is a file's modification time where the inode change time
// is not read.
func lastChange(info fs.FileInfo) time.Time { return info.ModTime() }
