package mailstore

import "errors"

// OpenMaildir opens a Maildir store.
func OpenMaildir(dir string, users *Users) (Store, error) {
	return nil, errors.New("mailstore: Maildir not yet written")
}
