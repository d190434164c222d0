package message

// What a Reader with Truncate set does at each limit. The aim is the one
// Dovecot's message parser has (lib-mail, max_nested_mime_parts and
// max_total_mime_parts): a message stored before anyone checked it, or by
// another program, is still served, with what lies beyond a limit left
// as one opaque part instead of an error that would make FETCH and
// SEARCH fail. Offsets stay exact, so every byte remains reachable
// through BODY[] and the sections around the cut.
//
//   - MaxDepth: a multipart or message/rfc822 entity that would nest one
//     level too deep is not entered. Its whole body becomes one opaque
//     part: part 1 of the multipart, or the message it encapsulates. The
//     entity keeps its media type, so a multipart still has one part, as
//     IMAP's body-type-mpart needs (RFC 3501 section 9).
//   - MaxParts: the entity that would be one too many, and everything
//     after it to the end of the input, becomes one opaque part in its
//     place; no delimiter is looked for from there on, so every entity
//     still open ends at the end of the input.
//   - MaxHeaderFields and MaxHeaderBytes: the fields before the limit are
//     kept and the rest of the section is read through and dropped; the
//     header's offsets still span the whole section as stored.
//
// An opaque part has an empty header, as though the part had been written
// without one, and the media type application/octet-stream, so that
// nothing reads the delimiters and headers inside it as text.
const opaqueType = "application/octet-stream"

// Truncated reports whether a limit cut the walk short (only with
// Truncate set).
func (r *Reader) Truncated() bool { return r.cut }

// opaque returns a part for what the walk will not look inside, starting
// at the current input position, as the current region's part.
func (r *Reader) opaque(parent *Part, index int) *Part {
	r.cut = true
	p := &Part{
		Header:       Header{read: true},
		MediaType:    opaqueType,
		Encoding:     "7bit",
		Parent:       parent,
		Index:        index,
		HeaderOffset: r.lr.off,
		BodyOffset:   r.lr.off,
		bodyLF:       r.lr.lf,
		r:            r,
	}
	p.raw.p = p
	if parent != nil {
		p.Depth = parent.Depth + 1
	}
	r.cur = p
	return p
}

// tooDeep handles a container at MaxDepth whose body has not been read:
// the body, which is the current region, becomes its only part. A frame
// without a boundary stands for the container so that it ends where the
// region does.
func (r *Reader) tooDeep(cur *Part) *Part {
	r.stack = append(r.stack, frame{part: cur, closed: true})
	index := 0
	if cur.IsMultipart() {
		index = 1
	}
	return r.opaque(cur, index)
}

// tooMany handles the entity that would be one over MaxParts: from here
// the rest of the input is one region, and one opaque part.
func (r *Reader) tooMany(parent *Part, index int) *Part {
	for i := range r.stack {
		r.stack[i].closed = true
	}
	r.open = 0
	r.startRegion()
	return r.opaque(parent, index)
}

// Truncated reports whether fields past a limit were dropped when the
// section was read (only by ReadHeaderTruncated or a Reader with
// Truncate set): the header then holds the fields before the limit.
func (h *Header) Truncated() bool { return h.cut }
