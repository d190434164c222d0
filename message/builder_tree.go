package message

import (
	"fmt"
	"strings"
)

// A node is one entity of the message a Builder writes: a multipart with
// children, or a leaf with a BodyPart whose transfer encoding is chosen
// when its body starts.
type node struct {
	header   Header // Content-Type and the other fields, no encoding yet
	children []*node

	part     *BodyPart
	mt       string // the leaf's media type, for the encoding rule
	encoding string // BodyPart.Encoding, lower case; "" to choose
	extra    Header // BodyPart.Header, written after the Builder's fields
}

// isLeaf reports whether n has a body rather than parts.
func (n *node) isLeaf() bool { return n.part != nil }

// leafHeader returns the header of leaf n written with transfer encoding
// cte, its extra fields last.
func (n *node) leafHeader(cte string) Header {
	h := n.header.Clone()
	h.Set("Content-Transfer-Encoding", cte)
	h.fields = append(h.fields, n.extra.fields...)
	return h
}

func multipartNode(mt string, params Params, children ...*node) *node {
	n := &node{children: children}
	n.header.SetContentType(mt, params)
	return n
}

// tree lays out the MIME structure of the message (see Builder).
func (b *Builder) tree() (*node, error) {
	content, err := b.contentNode()
	if err != nil {
		return nil, err
	}
	var extra []*node
	if b.HTML == nil {
		// Inline parts with no HTML to refer to them are shown after the
		// text in multipart/mixed (RFC 2046 section 5.1.3).
		if extra, err = leafNodes(b.Inline, "inline"); err != nil {
			return nil, err
		}
	}
	attached, err := leafNodes(b.Attachments, "attachment")
	if err != nil {
		return nil, err
	}
	if len(extra)+len(attached) == 0 {
		return content, nil
	}
	children := append(append([]*node{content}, extra...), attached...)
	return multipartNode("multipart/mixed", nil, children...), nil
}

// contentNode lays out the text, the HTML and the inline parts.
func (b *Builder) contentNode() (*node, error) {
	var html *node
	if b.HTML != nil {
		var err error
		if html, err = leafNode(b.HTML, "text/html; charset=utf-8", ""); err != nil {
			return nil, err
		}
		if len(b.Inline) > 0 {
			inline, err := leafNodes(b.Inline, "inline")
			if err != nil {
				return nil, err
			}
			// RFC 2387 section 3.1: type names the root part's type.
			html = multipartNode("multipart/related", Params{{"type", "text/html"}}, append([]*node{html}, inline...)...)
		}
	}
	text := b.Text
	if text == nil && html == nil {
		text = &BodyPart{}
	}
	var plain *node
	if text != nil {
		var err error
		if plain, err = leafNode(text, "text/plain; charset=utf-8", ""); err != nil {
			return nil, err
		}
	}
	switch {
	case plain != nil && html != nil:
		return multipartNode("multipart/alternative", nil, plain, html), nil
	case html != nil:
		return html, nil
	}
	return plain, nil
}

func leafNodes(parts []BodyPart, disposition string) ([]*node, error) {
	nodes := make([]*node, 0, len(parts))
	for i := range parts {
		n, err := leafNode(&parts[i], "application/octet-stream", disposition)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// leafNode checks p and makes its node: Content-Type with the name
// parameter, Content-Disposition with the filename, Content-ID.
func leafNode(p *BodyPart, defaultType, disposition string) (*node, error) {
	ct := p.ContentType
	if ct == "" {
		ct = defaultType
	}
	mt, params, err := ParseMediaType(ct)
	if err != nil || strings.HasPrefix(mt, "multipart/") || !strings.Contains(mt, "/") {
		return nil, fmt.Errorf("%w: %q for a body part", ErrInvalidMediaType, ct)
	}
	n := &node{part: p, mt: mt}
	if n.encoding, err = checkEncoding(p.Encoding); err != nil {
		return nil, err
	}
	if n.extra, err = checkedFields(&p.Header, partFields); err != nil {
		return nil, err
	}
	n.header.Set("Content-Type", contentTypeValue(mt, params, p.Filename))
	if disposition != "" {
		n.header.Set("Content-Disposition", dispositionValue(disposition, p.Filename))
	}
	if p.ContentID != "" {
		id, err := checkContentID(p.ContentID)
		if err != nil {
			return nil, err
		}
		if n.extra.Has("Content-ID") {
			return nil, fmt.Errorf("%w: Content-ID both in ContentID and in Header", ErrInvalidHeader)
		}
		n.header.Set("Content-ID", id)
	}
	return n, nil
}

// addMessageFields puts the Builder's header fields, Bcc left out, before
// the fields of root, the top entity.
func (b *Builder) addMessageFields(root *node) error {
	h, err := checkedFields(&b.Header, messageFields)
	if err != nil {
		return err
	}
	h.Del("Bcc")
	h.Del("Resent-Bcc")
	root.header.fields = append(h.fields, root.header.fields...)
	return nil
}
