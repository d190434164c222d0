package maildir

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// readSpecialUse reads SpecialUseFile: folder name to RFC 6154
// attribute. A missing file is empty.
func readSpecialUse(root string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(root, SpecialUseFile))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	uses := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, attr, ok := strings.Cut(sc.Text(), "\t")
		if ok && name != "" && attr != "" {
			uses[name] = attr
		}
	}
	return uses, nil
}

// updateSpecialUse changes SpecialUseFile under its dotlock (the file
// is replaced by a rename, so readers see it whole).
func updateSpecialUse(root string, change func(map[string]string)) error {
	path := filepath.Join(root, SpecialUseFile)
	lock, err := LockReplace(context.Background(), path, SubscriptionsLockStale)
	if err != nil {
		return err
	}
	uses, err := readSpecialUse(root)
	if err != nil {
		lock.Unlock()
		return err
	}
	change(uses)
	var b bytes.Buffer
	for name, attr := range uses {
		b.WriteString(name + "\t" + attr + "\n")
	}
	if _, err := lock.Write(b.Bytes()); err != nil {
		lock.Unlock()
		return err
	}
	return lock.Replace()
}

// setSpecialUse records the attribute of name; "" removes it.
func setSpecialUse(root, name, attr string) error {
	if attr == "" {
		uses, err := readSpecialUse(root)
		if err != nil || uses[name] == "" {
			return err
		}
	}
	return updateSpecialUse(root, func(uses map[string]string) {
		if attr == "" {
			delete(uses, name)
		} else {
			uses[name] = attr
		}
	})
}

// renameSpecialUse moves the attributes of from and its children to to.
func renameSpecialUse(root, from, to string) error {
	uses, err := readSpecialUse(root)
	if err != nil {
		return err
	}
	found := false
	for name := range uses {
		if _, ok := renamedName(name, from, to); ok {
			found = true
		}
	}
	if !found {
		return nil
	}
	return updateSpecialUse(root, func(uses map[string]string) {
		for name, attr := range uses {
			if n, ok := renamedName(name, from, to); ok {
				delete(uses, name)
				uses[n] = attr
			}
		}
	})
}

// renamedName is name after the rename of from to to, when it is from
// or one of its children.
func renamedName(name, from, to string) (string, bool) {
	if name == from {
		return to, true
	}
	if rest, ok := strings.CutPrefix(name, from+string(Separator)); ok {
		return to + string(Separator) + rest, true
	}
	return "", false
}
