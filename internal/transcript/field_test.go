package transcript

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fields stands for a package's Server.
type fields struct {
	LMTP           bool
	MaxErrors      int
	MaxLiteralSize int64
	CommandTimeout time.Duration
	Expire         string
	Backend        any
	lower          int
}

// TestSetField sets each kind of field from its option.
func TestSetField(t *testing.T) {
	var f fields
	for _, o := range []Option{
		{Name: "LMTP"}, {Name: "MaxErrors", Arg: "3"}, {Name: "MaxLiteralSize", Arg: "65536"},
		{Name: "CommandTimeout", Arg: "150ms"}, {Name: "Expire", Arg: "NEVER"},
	} {
		require.NoError(t, SetField(&f, o))
	}
	assert.Equal(t, fields{LMTP: true, MaxErrors: 3, MaxLiteralSize: 65536,
		CommandTimeout: 150 * time.Millisecond, Expire: "NEVER"}, f)
	require.NoError(t, SetField(&f, Option{Name: "LMTP", Arg: "false"}))
	assert.False(t, f.LMTP)
}

// TestSetFieldErrors: a field that is not there, cannot be set, or a value
// of the wrong kind is an error at the option's line.
func TestSetFieldErrors(t *testing.T) {
	tests := []struct {
		opt  Option
		want string
	}{
		{Option{Line: 2, Name: "MaxBogus", Arg: "1"}, "2: @ MaxBogus: transcript.fields has no field MaxBogus"},
		{Option{Line: 3, Name: "lower", Arg: "1"}, "has no field lower"},
		{Option{Line: 4, Name: "MaxErrors", Arg: "three"}, `4: @ MaxErrors: strconv.ParseInt: parsing "three"`},
		{Option{Line: 5, Name: "CommandTimeout", Arg: "150"}, "missing unit"},
		{Option{Line: 6, Name: "LMTP", Arg: "yes"}, `parsing "yes"`},
		{Option{Line: 7, Name: "Backend", Arg: "x"}, "field of type interface {} cannot be set"},
	}
	for _, tt := range tests {
		var f fields
		err := SetField(&f, tt.opt)
		require.Error(t, err, tt.opt.Name)
		assert.Contains(t, (&Error{File: "f.txt", Line: tt.opt.Line, Msg: err.(*Error).Msg}).Error(), tt.want)
		assert.Equal(t, fields{}, f, "nothing set")
		assert.Zero(t, f.lower)
	}
	assert.Error(t, SetField(fields{}, Option{Name: "LMTP"}), "not a pointer")
}
