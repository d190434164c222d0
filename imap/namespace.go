package imap

import (
	"maps"
	"slices"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// NamespaceData is the NAMESPACE response (RFC 2342 section 5): the
// personal, other users' and shared namespaces.
type NamespaceData struct {
	Personal, Other, Shared []NamespaceDescriptor
}

// NamespaceDescriptor is one namespace: its prefix and hierarchy
// delimiter (0 for NIL).
type NamespaceDescriptor struct {
	Prefix string
	Delim  rune
}

// readNamespaceData reads Namespace SP Namespace SP Namespace, each
// nil / "(" 1*( "(" string SP (quoted / nil) *(Namespace_Response_Extension) ")" ) ")".
func readNamespaceData(r *wire.Reader, utf8 bool) (*NamespaceData, error) {
	d := new(NamespaceData)
	for i, dst := range []*[]NamespaceDescriptor{&d.Personal, &d.Other, &d.Shared} {
		if i > 0 {
			if err := r.SP(); err != nil {
				return nil, err
			}
		}
		if r.NIL() {
			continue
		}
		err := r.ListNoSP(func() error {
			var nd NamespaceDescriptor
			j := 0
			err := r.List(func() error {
				defer func() { j++ }()
				switch j {
				case 0:
					p, err := r.String()
					nd.Prefix = decodeMailbox(p, utf8)
					return err
				case 1:
					if r.NIL() {
						return nil
					}
					s, err := r.Quoted()
					if len(s) == 1 {
						nd.Delim = rune(s[0])
					}
					return err
				}
				return skipValue(r) // Namespace_Response_Extension
			})
			*dst = append(*dst, nd)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

// writeNamespaceData writes "* NAMESPACE ..." with a CRLF.
func writeNamespaceData(w *wire.Writer, d *NamespaceData) {
	w.Raw("* NAMESPACE")
	for _, list := range [][]NamespaceDescriptor{d.Personal, d.Other, d.Shared} {
		w.SP()
		if len(list) == 0 {
			w.NIL()
			continue
		}
		w.Open()
		for _, nd := range list {
			w.Open().String(encodeMailbox(nd.Prefix, w.UTF8)).SP()
			if nd.Delim == 0 {
				w.NIL()
			} else {
				w.String(string(nd.Delim))
			}
			w.Close()
		}
		w.Close()
	}
	w.CRLF()
}

// readIDParams reads the ID response's parameter list (RFC 2971 section
// 3.2): "(" string SP nstring *(SP string SP nstring) ")" / nil.
func readIDParams(r *wire.Reader) (map[string]string, error) {
	if r.NIL() {
		return nil, nil
	}
	m := make(map[string]string)
	var key string
	isKey := true
	err := r.List(func() error {
		var err error
		if isKey {
			key, err = r.String()
		} else {
			var v string
			v, _, err = r.NString()
			m[key] = v
		}
		isKey = !isKey
		return err
	})
	return m, err
}

// writeIDParams writes an ID parameter list; nil writes NIL.
func writeIDParams(w *wire.Writer, params map[string]string) {
	if params == nil {
		w.NIL()
		return
	}
	w.Open()
	for i, k := range slices.Sorted(maps.Keys(params)) {
		w.Sep(i).String(k).SP().NString(params[k], true)
	}
	w.Close()
}
