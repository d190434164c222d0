package limitstest

import (
	"reflect"
	"testing"
)

// Fields returns Check's rows from want, a value of a protocol's
// resolved limits struct whose every field holds that limit's Default
// constant: a row per field, named as it is, those of embedded structs
// (netserver.Limits) in their place. The compiler then holds each name
// to a field, and a field left out of want, zero, fails t: every limit
// has a documented default other than zero.
func Fields(t *testing.T, want any) []Field {
	t.Helper()
	var rows []Field
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			switch {
			case sf.Anonymous && f.Kind() == reflect.Struct:
				walk(f)
			case f.IsZero():
				t.Errorf("limit %s has no default in the table: give it its Default constant", sf.Name)
			default:
				rows = append(rows, Field{Name: sf.Name, Default: f.Interface()})
			}
		}
	}
	walk(reflect.ValueOf(want))
	return rows
}
