package transcript

import (
	"reflect"
	"strconv"
	"time"
	"unicode"
)

// IsField reports whether the option names a Server field: its name
// starts with a capital letter, as exported Go fields do.
func (o Option) IsField() bool {
	return o.Name != "" && unicode.IsUpper(rune(o.Name[0]))
}

// SetField sets the field of the struct ptr points to that the option
// names, so that a package's transcripts set its Server's limits and
// switches by their documented names, with no table of their own. A bool
// takes true, false, or nothing (true); an integer a decimal number; a
// time.Duration Go's syntax (200ms, 1s); a string the argument as it is.
func SetField(ptr any, o Option) error {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return o.Errorf("SetField needs a pointer to a struct, not %T", ptr)
	}
	f := v.Elem().FieldByName(o.Name)
	if !o.IsField() || !f.IsValid() || !f.CanSet() {
		return o.Errorf("%s has no field %s", v.Elem().Type(), o.Name)
	}
	if f.Type() == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(o.Arg)
		if err != nil {
			return o.Errorf("%v", err)
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.Bool:
		b := true
		if o.Arg != "" {
			var err error
			if b, err = strconv.ParseBool(o.Arg); err != nil {
				return o.Errorf("%v", err)
			}
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(o.Arg, 10, f.Type().Bits())
		if err != nil {
			return o.Errorf("%v", err)
		}
		f.SetInt(n)
	case reflect.String:
		f.SetString(o.Arg)
	default:
		return o.Errorf("field of type %s cannot be set from a transcript", f.Type())
	}
	return nil
}
