package netserver

import "reflect"

// Given returns the fields of server, a pointer to a protocol package's
// Server, that Limits names: each Server declares them under the same
// names (documented for its protocol), and reading them by name keeps
// that list in one place, Limits. A Server without one of them is a
// programming error and panics.
func Given(server any) Limits {
	var l Limits
	src := reflect.ValueOf(server).Elem()
	dst := reflect.ValueOf(&l).Elem()
	for i := range dst.NumField() {
		dst.Field(i).Set(src.FieldByName(dst.Type().Field(i).Name))
	}
	return l
}

// Resolve applies the defaults to the given fields l: def holds the
// protocol's own defaults, and a field def leaves zero takes the one the
// three servers share (defaults.go). MaxConnectionsPerAddr and AuthFailureDelay resolve
// with Limit (negative: off), the others with Or.
func (l Limits) Resolve(def Limits) Limits {
	d := reflect.ValueOf(&def).Elem()
	for i := range d.NumField() {
		if d.Field(i).IsZero() {
			d.Field(i).Set(reflect.ValueOf(shared).Field(i))
		}
	}
	return Limits{
		MaxLineLength:         Or(l.MaxLineLength, def.MaxLineLength),
		MaxErrors:             Or(l.MaxErrors, def.MaxErrors),
		MaxAuthFailures:       Or(l.MaxAuthFailures, def.MaxAuthFailures),
		MaxConnections:        Or(l.MaxConnections, def.MaxConnections),
		MaxConnectionsPerAddr: Limit(l.MaxConnectionsPerAddr, def.MaxConnectionsPerAddr),
		CommandTimeout:        Or(l.CommandTimeout, def.CommandTimeout),
		LoginTimeout:          Or(l.LoginTimeout, def.LoginTimeout),
		WriteTimeout:          Or(l.WriteTimeout, def.WriteTimeout),
		TLSHandshakeTimeout:   Or(l.TLSHandshakeTimeout, def.TLSHandshakeTimeout),
		AuthFailureDelay:      Limit(l.AuthFailureDelay, def.AuthFailureDelay),
		MaxAuthFailureDelay:   Or(l.MaxAuthFailureDelay, def.MaxAuthFailureDelay),
		AuthFailureReset:      Or(l.AuthFailureReset, def.AuthFailureReset),
		MaxAuthFailureAddrs:   Or(l.MaxAuthFailureAddrs, def.MaxAuthFailureAddrs),
	}
}
