package imap

import "iter"

// The iterators below walk what a command returns with a range loop
// (Go 1.23 range-over-func), beside the Next and Collect methods. One
// convention holds for all of them: the loop yields values only, and the
// command's error comes afterwards from where it always does (Close for a
// FetchCommand). Breaking out of a loop early is safe: what is left of the
// response is drained by Close, and the connection stays usable.

// Messages yields the messages of the response as they arrive (RFC 3501
// section 7.4.2); each is valid until the next one is yielded. Call Close
// after the loop for the command's result:
//
//	f := c.Fetch(ctx, imap.SeqSetRange(1, 0), opts)
//	for m := range f.Messages() {
//		...
//	}
//	err := f.Close()
func (f *FetchCommand) Messages() iter.Seq[*FetchMessageData] {
	return func(yield func(*FetchMessageData) bool) {
		for m := f.Next(); m != nil; m = f.Next() {
			if !yield(m) {
				return
			}
		}
	}
}

// Items yields the data items of one message in the order the server sent
// them; a body section's Literal must be read before the next item.
func (m *FetchMessageData) Items() iter.Seq[FetchItemData] {
	return func(yield func(FetchItemData) bool) {
		for it := m.Next(); it != nil; it = m.Next() {
			if !yield(it) {
				return
			}
		}
	}
}
