package message

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDate_RFC5322_3_3(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // RFC 3339
	}{
		{"A.1.1", "Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"},
		{"A.1.3", "Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-13T23:32:54-03:30"},
		{"A.5 folded, no seconds, comment", "Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)", "1969-02-13T23:32:00-03:30"},
		{"A.6.2 obsolete two-digit year and GMT", "21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06Z"},
		{"A.6.3 obsolete comments and spaces", "Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", "1997-11-21T09:55:06-06:00"},
		{"4.3 year below 50", "1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z"},
		{"4.3 three-digit year", "1 Jan 103 00:00:00 +0000", "2003-01-01T00:00:00Z"},
		{"4.3 EST", "Mon, 1 Jan 2024 10:00:00 EST", "2024-01-01T10:00:00-05:00"},
		{"4.3 PDT", "Mon, 1 Jan 2024 10:00:00 PDT", "2024-01-01T10:00:00-07:00"},
		{"4.3 military zone means -0000", "Mon, 1 Jan 2024 10:00:00 A", "2024-01-01T10:00:00Z"},
		{"UTC name", "Mon, 1 Jan 2024 10:00:00 UTC", "2024-01-01T10:00:00Z"},
		{"GMT+0100", "Mon, 1 Jan 2024 10:00:00 GMT+0100", "2024-01-01T10:00:00+01:00"},
		{"colon zone", "Mon, 1 Jan 2024 10:00:00 +01:00", "2024-01-01T10:00:00+01:00"},
		{"no zone", "Mon, 1 Jan 2024 10:00:00", "2024-01-01T10:00:00Z"},
		{"full names lower case", "monday, 1 january 2024 10:00:00 +0000", "2024-01-01T10:00:00Z"},
		{"no comma", "Mon 1 Jan 2024 10:00:00 +0000", "2024-01-01T10:00:00Z"},
		{"hyphenated", "13-Feb-2024 10:23:45 +0000", "2024-02-13T10:23:45Z"},
		{"asctime", "Tue Feb 13 10:23:45 2024", "2024-02-13T10:23:45Z"},
		{"zone and name", "Tue, 13 Feb 2024 10:23:45 +0100 (CET)", "2024-02-13T10:23:45+01:00"},
		{"fraction", "Tue, 13 Feb 2024 10:23:45.123 +0000", "2024-02-13T10:23:45Z"},
		{"single-digit hour", "Tue, 13 Feb 2024 9:05:00 +0000", "2024-02-13T09:05:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			require.NoError(t, err)
			want, err := time.Parse(time.RFC3339, tt.want)
			require.NoError(t, err)
			assert.True(t, want.Equal(got), "got %v", got)
			_, gotOff := got.Zone()
			_, wantOff := want.Zone()
			assert.Equal(t, wantOff, gotOff)
		})
	}
}

func TestParseDate_Invalid(t *testing.T) {
	for _, in := range []string{"", "yesterday", "31 Feb 2024 10:00:00 +0000", "1 Jan 2024", "1 Foo 2024 10:00:00", "1 Jan 2024 25:00:00 +0000", "1 Jan 2024 10:00:00 +9999"} {
		_, err := ParseDate(in)
		assert.ErrorIs(t, err, ErrInvalidDate, in)
	}
}

func TestFormatDate_RFC5322_3_3(t *testing.T) {
	d := time.Date(1997, 11, 21, 9, 55, 6, 0, time.FixedZone("", -6*3600))
	assert.Equal(t, "Fri, 21 Nov 1997 09:55:06 -0600", FormatDate(d))
	back, err := ParseDate(FormatDate(d))
	require.NoError(t, err)
	assert.True(t, d.Equal(back))
}
