package maildir

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// FolderInfo is one folder as Folders lists it.
type FolderInfo struct {
	Folder
	// SpecialUse is the RFC 6154 attribute given at CreateFolder
	// ("\\Sent", "\\Trash" ...), or "".
	SpecialUse string
	// Subscribed reports the name in the subscriptions file.
	Subscribed bool
}

// Folders lists the folders (ListFolders) with their special use and
// subscription; subscribed names without a folder are listed too, with
// Dir "" and NoSelect set (RFC 3501 section 6.3.9 LSUB shows them).
func (s *Store) Folders(ctx context.Context) ([]FolderInfo, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	folders, err := ListFolders(s.root)
	if err != nil {
		return nil, err
	}
	subs, err := ReadSubscriptions(s.root)
	if err != nil {
		return nil, err
	}
	uses, err := readSpecialUse(s.root)
	if err != nil {
		return nil, err
	}
	out := make([]FolderInfo, 0, len(folders))
	listed := map[string]bool{}
	for _, f := range folders {
		listed[f.Name] = true
		out = append(out, FolderInfo{Folder: f, SpecialUse: uses[f.Name], Subscribed: slices.Contains(subs, f.Name)})
	}
	for _, name := range subs {
		if !listed[name] {
			listed[name] = true
			out = append(out, FolderInfo{Folder: Folder{Name: name, NoSelect: true}, Subscribed: true})
		}
	}
	return out, nil
}

// usable reports a closed Store or an ended context.
func (s *Store) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// CreateFolder creates a folder (see the function CreateFolder) and
// records its special use, which may be "" (RFC 6154 section 3, CREATE
// ... USE).
func (s *Store) CreateFolder(ctx context.Context, name, specialUse string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	norm, err := CheckName(name)
	if err != nil {
		return err
	}
	if err := CreateFolder(s.root, norm); err != nil {
		return err
	}
	if specialUse != "" {
		return setSpecialUse(s.root, norm, specialUse)
	}
	return nil
}

// noMailbox makes the folder functions' ErrNoFolder an ErrNoMailbox too.
func noMailbox(err error) error {
	if errors.Is(err, ErrNoFolder) {
		return fmt.Errorf("%w: %w", ErrNoMailbox, err)
	}
	return err
}

// DeleteFolder deletes a folder and its messages (see the function
// DeleteFolder); sessions watching it see every message removed, and
// its special use is forgotten.
func (s *Store) DeleteFolder(ctx context.Context, name string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	norm, err := checkExisting(name)
	if err != nil {
		return err
	}
	if err := DeleteFolder(s.root, norm); err != nil {
		return noMailbox(err)
	}
	s.dropMailboxes(norm, false)
	return setSpecialUse(s.root, norm, "")
}

// RenameFolder renames a folder and its children (see the function
// RenameFolder), their special uses with them. Renaming INBOX moves its
// messages into a new folder and leaves INBOX empty (RFC 3501 section
// 6.3.5). Sessions watching a renamed folder see every message removed.
func (s *Store) RenameFolder(ctx context.Context, from, to string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	src, err := checkExisting(from)
	if err != nil {
		return err
	}
	if src == Inbox {
		return s.renameInbox(ctx, to)
	}
	dst, err := CheckName(to)
	if err != nil {
		return err
	}
	if err := RenameFolder(s.root, src, dst); err != nil {
		return noMailbox(err)
	}
	s.dropMailboxes(src, true)
	return renameSpecialUse(s.root, src, dst)
}

// renameInbox creates to and moves every message of INBOX into it.
func (s *Store) renameInbox(ctx context.Context, to string) error {
	if err := s.CreateFolder(ctx, to, ""); err != nil {
		return err
	}
	inbox, err := s.Mailbox(ctx, Inbox)
	if err != nil {
		return err
	}
	dest, err := s.Mailbox(ctx, to)
	if err != nil {
		return err
	}
	msgs, err := inbox.Messages(ctx)
	if err != nil {
		return err
	}
	uids := make([]uint32, len(msgs))
	for i, in := range msgs {
		uids[i] = in.UID
	}
	_, _, err = inbox.Move(ctx, nil, uids, dest)
	return err
}

// Subscribe adds name to, or removes it from, the subscriptions (RFC
// 3501 sections 6.3.6 and 6.3.7).
func (s *Store) Subscribe(ctx context.Context, name string, on bool) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	norm, err := checkExisting(name)
	if err != nil {
		return err
	}
	_, err = SetSubscribed(s.root, norm, on)
	return err
}
