// Package limitstest checks, for the SMTP, POP3 and IMAP servers alike,
// that each limit field of a Server resolves to its documented Default
// constant when left zero and to its own value when set, and that no
// resolved limit lacks a row in the table that says so.
package limitstest

import (
	"reflect"
	"testing"
	"time"
)

// Field is one limit field of a Server and its Default constant.
type Field struct {
	Name    string
	Default any
}

// Check runs a subtest per field. newServer returns a zero Server (a
// pointer); resolved returns the resolved limits of a Server it made (a
// pointer to a struct with a field of the same name and type per limit,
// netserver.Limits embedded). The value set is one that no default
// equals: the default plus one (plus a second for durations).
func Check(t *testing.T, newServer func() any, resolved func(srv any) any, fields []Field) {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range fields {
		seen[f.Name] = true
		t.Run(f.Name, func(t *testing.T) {
			zero := newServer()
			if got := lookup(t, resolved(zero), f.Name); got != f.Default {
				t.Fatalf("zero %s resolves to %v, want the default %v", f.Name, got, f.Default)
			}
			set := newServer()
			want := other(t, f.Default)
			field := reflect.ValueOf(set).Elem().FieldByName(f.Name)
			if !field.IsValid() {
				t.Fatalf("the Server has no field %s", f.Name)
			}
			field.Set(reflect.ValueOf(want))
			if got := lookup(t, resolved(set), f.Name); got != want {
				t.Fatalf("%s set to %v resolves to %v", f.Name, want, got)
			}
		})
	}
	for _, name := range limitNames(reflect.TypeOf(resolved(newServer())).Elem()) {
		if !seen[name] {
			t.Errorf("resolved limit %s has no row: give it a Default constant and a Server field", name)
		}
	}
}

// lookup returns the resolved field name.
func lookup(t *testing.T, lim any, name string) any {
	t.Helper()
	v := reflect.ValueOf(lim).Elem().FieldByName(name)
	if !v.IsValid() {
		t.Fatalf("no resolved limit %s", name)
	}
	return v.Interface()
}

// other returns a value of def's type that differs from def.
func other(t *testing.T, def any) any {
	switch d := def.(type) {
	case int:
		return d + 1
	case int64:
		return d + 1
	case time.Duration:
		return d + time.Second
	}
	t.Fatalf("default %v of type %T", def, def)
	return nil
}

// limitNames lists the fields of a limits struct, those of embedded
// structs in their place.
func limitNames(typ reflect.Type) []string {
	var names []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			names = append(names, limitNames(f.Type)...)
			continue
		}
		names = append(names, f.Name)
	}
	return names
}
