package maildir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/utf7"
)

const (
	// FolderMarker is the empty file "maildirfolder" that Dovecot (like
	// Courier, whose Maildir++ convention it is) creates in every
	// subfolder, telling a delivery agent that it delivers into a
	// folder and not into a user's INBOX. The root has none.
	FolderMarker = "maildirfolder"
	// trashDir is where Dovecot renames a folder to delete it, so the
	// deletion is atomic: root/"..DOVECOT-TRASHED" (the separator
	// twice, so it is never a mailbox name). A lister skips it and
	// removes it once it is an hour old, as Dovecot does.
	trashDir     = "..DOVECOT-TRASHED"
	trashMaxAge  = time.Hour
	trashRetries = 5
)

// ErrFolderExists, ErrNoFolder and ErrInboxNotPossible are the errors
// of CreateFolder, DeleteFolder and RenameFolder that the client caused;
// an IMAP server answers them NO [ALREADYEXISTS], NO [NONEXISTENT] and
// NO [CANNOT] (RFC 5530 section 3).
var (
	ErrFolderExists     = errors.New("maildir: mailbox already exists")
	ErrNoFolder         = errors.New("maildir: mailbox does not exist")
	ErrInboxNotPossible = errors.New("maildir: INBOX cannot be deleted or renamed")
)

// CreateFolder creates the folder name under the Maildir root as
// Dovecot does: the directory "." + the modified UTF-7 name with its
// tmp, new and cur, and the empty maildirfolder file. A parent is not
// created: "a.b" is the one directory ".a.b", and "a" lists as
// \Noselect until it is created itself (see ListFolders). The name
// obeys CheckName; ErrFolderExists reports a folder already there
// (INBOX always is). The directory's mkdir(2) is what makes two
// processes creating the same name safe: one gets ErrFolderExists. A
// crash right after it leaves the directory without all of tmp, new and
// cur; it is a folder all the same (see ListFolders), and Create, as
// Dovecot does when it opens one, completes it.
func CreateFolder(root, name string) error {
	norm, err := CheckName(name)
	if err != nil {
		return err
	}
	if norm == Inbox {
		return ErrFolderExists
	}
	dir := filepath.Join(root, "."+utf7.Encode(norm))
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ErrFolderExists
		}
		return err
	}
	if err := Create(dir); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, FolderMarker), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return SyncDir(root)
}

// DeleteFolder deletes the folder name under root with its messages and
// state files (dovecot-uidlist, dovecot-keywords, our own), as Dovecot
// does: the directory is renamed to Dovecot's trash directory, which
// removes it atomically from every lister, then removed. The children
// of a Maildir++ folder are directories of their own and stay, so the
// deleted name lists as \Noselect while it has children (RFC 3501
// section 6.3.4 allows either). ErrNoFolder reports a name with no
// directory, also when it has children; ErrInboxNotPossible is the
// answer for INBOX, which is the Maildir itself.
func DeleteFolder(root, name string) error {
	dir, err := FolderPath(root, name)
	if err != nil {
		return err
	}
	if dir == root {
		return ErrInboxNotPossible
	}
	trash := filepath.Join(root, trashDir)
	dest := trash
	for i := 0; ; i++ {
		err = os.Rename(dir, dest)
		if err == nil {
			break
		}
		switch {
		case errors.Is(err, fs.ErrNotExist) && dest != trash && i < trashRetries:
			dest = trash // the trash was removed meanwhile
		case errors.Is(err, fs.ErrNotExist):
			return ErrNoFolder
		case dirExists(trash) && i < trashRetries:
			// Another deletion's trash is there: go inside it, under a
			// name of our own, and remove the lot.
			dest = filepath.Join(trash, uniqueName())
		default:
			return err
		}
	}
	if err := SyncDir(root); err != nil {
		return err
	}
	return os.RemoveAll(trash)
}

// RenameFolder renames the folder from to to under root, with all its
// children ("a" to "b" takes "a.x" to "b.x"), as Dovecot does; a from
// that exists only as the parent of children renames the children.
// Each directory moves with one rename(2), atomic on its own; there is
// one per folder, the parent first, so a crash midway leaves some
// children under the old name, each whole. Subscriptions are not
// renamed (Dovecot leaves them too; RFC 3501 section 6.3.5 asks
// nothing). It returns ErrNoFolder when from has neither a directory
// nor children, ErrFolderExists when to or the new name of a child is
// taken, ErrInboxNotPossible for INBOX (Dovecot: "Renaming INBOX isn't
// supported" with this layout), a *NameError for a new name that
// CheckName refuses, for one that would be too long for a child, and for
// a name renamed under itself.
func RenameFolder(root, from, to string) error {
	src, err := checkExisting(from)
	if err != nil {
		return err
	}
	dst, err := CheckName(to)
	if err != nil {
		return err
	}
	if src == Inbox {
		return ErrInboxNotPossible
	}
	if dst == Inbox {
		return ErrFolderExists
	}
	if dst == src || strings.HasPrefix(dst, src+string(Separator)) {
		return &NameError{to, "Can't rename mailbox under its own child", ErrInvalidName}
	}
	moves, err := renames(root, utf7.Encode(src), utf7.Encode(dst), to)
	if err != nil {
		return err
	}
	for _, m := range moves {
		if err := os.Rename(m[0], m[1]); err != nil {
			return err
		}
	}
	return SyncDir(root)
}

// renames lists the directory moves of a rename, the folder first, after
// checking that every target is free and short enough.
func renames(root, src, dst, to string) ([][2]string, error) {
	des, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var moves [][2]string
	for _, de := range des {
		stored, ok := strings.CutPrefix(de.Name(), ".")
		if !ok || !isDir(root, de) {
			continue
		}
		rest, child := strings.CutPrefix(stored, src+string(Separator))
		if stored != src && !child {
			continue
		}
		target := dst
		if child {
			target += string(Separator) + rest
		}
		if len(target) > MaxNameLength {
			return nil, &NameError{to, "Mailbox name too long", ErrNameTooLong}
		}
		if _, err := os.Lstat(filepath.Join(root, "."+target)); err == nil {
			return nil, ErrFolderExists
		}
		moves = append(moves, [2]string{filepath.Join(root, de.Name()), filepath.Join(root, "."+target)})
	}
	if len(moves) == 0 {
		return nil, ErrNoFolder
	}
	sort.Slice(moves, func(i, j int) bool { return len(moves[i][0]) < len(moves[j][0]) })
	return moves, nil
}

// Folder is a mailbox found by ListFolders.
type Folder struct {
	// Name is the mailbox name in UTF-8, "." separating its levels.
	Name string
	// Dir is the folder's directory; "" for a name that exists only as
	// the parent of other folders.
	Dir string
	// NoSelect is set for such a parent: it is listed, as Dovecot lists
	// it, with \Noselect (RFC 3501 section 7.2.2).
	NoSelect bool
	// HasChildren reports folders below it (RFC 3348, \HasChildren).
	HasChildren bool
}

// ListFolders lists the folders of the Maildir root, sorted by name
// with INBOX first: INBOX (the root), every directory "." + name found
// there, decoded from modified UTF-7 (see FolderName), and each parent
// that exists only as the prefix of other names, marked NoSelect, as
// Dovecot's LIST shows ("a" (\Noselect \HasChildren) when only ".a.b"
// exists). Like Dovecot it takes a directory as a folder whether or not
// cur exists yet, and removes a trash directory that an interrupted
// DeleteFolder left for over an hour.
func ListFolders(root string) ([]Folder, error) {
	des, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Folder{Inbox: {Name: Inbox, Dir: root}}
	for _, de := range des {
		if de.Name() == trashDir {
			removeOldTrash(filepath.Join(root, trashDir))
			continue
		}
		name, ok := FolderName(de.Name())
		if !ok || strings.EqualFold(name, Inbox) || !isDir(root, de) {
			continue
		}
		byName[name] = &Folder{Name: name, Dir: filepath.Join(root, de.Name())}
	}
	for name := range byName {
		for i := strings.LastIndexByte(name, Separator); i > 0; i = strings.LastIndexByte(name[:i], Separator) {
			parent := byName[name[:i]]
			if parent == nil {
				parent = &Folder{Name: name[:i], NoSelect: true}
				byName[name[:i]] = parent
			}
			parent.HasChildren = true
		}
	}
	out := make([]Folder, 0, len(byName))
	for _, f := range byName {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == Inbox) != (out[j].Name == Inbox) {
			return out[i].Name == Inbox
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// isDir reports whether a directory entry of root is a directory,
// following a symbolic link as Dovecot does.
func isDir(root string, de fs.DirEntry) bool {
	if de.IsDir() {
		return true
	}
	return de.Type()&fs.ModeSymlink != 0 && dirExists(filepath.Join(root, de.Name()))
}

func dirExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func removeOldTrash(path string) {
	if st, err := os.Lstat(path); err == nil && time.Since(st.ModTime()) > trashMaxAge {
		os.RemoveAll(path)
	}
}

// uniqueName names a deletion inside the trash directory: host, pid and
// random hex, as Dovecot names its own.
func uniqueName() string {
	var b [8]byte
	rand.Read(b[:])
	return hostname() + "." + strconv.Itoa(os.Getpid()) + "." + hex.EncodeToString(b[:])
}
