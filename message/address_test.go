package message

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAddressList_RFC5322_AppendixA(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Address
	}{
		{"A.1.1", "John Doe <jdoe@machine.example>", []Address{{"John Doe", "jdoe@machine.example"}}},
		{"A.1.2 To", "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
			[]Address{{"Mary Smith", "mary@x.test"}, {"", "jdoe@example.org"}, {"Who?", "one@y.test"}}},
		{"A.1.2 Cc", `<boss@nil.test>, "Giant; \"Big\" Box" <sysservices@example.net>`,
			[]Address{{"", "boss@nil.test"}, {`Giant; "Big" Box`, "sysservices@example.net"}}},
		{"A.1.2 From", `"Joe Q. Public" <john.q.public@example.com>`, []Address{{"Joe Q. Public", "john.q.public@example.com"}}},
		{"A.1.3 group", "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
			[]Address{{"Ed Jones", "c@a.test"}, {"", "joe@where.test"}, {"John", "jdoe@one.test"}}},
		{"A.1.3 empty group", "Undisclosed recipients:;", nil},
		{"A.2 quoted colon", `"Mary Smith: Personal Account" <smith@home.example>`, []Address{{"Mary Smith: Personal Account", "smith@home.example"}}},
		{"A.5 comments", `Pete(A nice \) chap) <pete(his account)@silly.test(his host)>`, []Address{{"Pete", "pete@silly.test"}}},
		{"A.5 group with comments", "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
			[]Address{{"Chris Jones", "c@public.example"}, {"", "joe@example.org"}, {"John", "jdoe@one.test"}}},
		{"A.5 nested comments", "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", nil},
		{"A.6.1 obsolete", "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
			[]Address{{"Mary Smith", "mary@example.net"}, {"", "jdoe@test.example"}}},
		{"A.6.1 obs-phrase", "Joe Q. Public <john.q.public@example.com>", []Address{{"Joe Q. Public", "john.q.public@example.com"}}},
		{"A.6.3", "John Doe <jdoe@machine(comment).  example>", []Address{{"John Doe", "jdoe@machine.example"}}},
		{"A.6.3 fold", "Mary Smith\r\n  \r\n <mary@example.net>", []Address{{"Mary Smith", "mary@example.net"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddressList(tt.in)
			require.NoError(t, err)
			var vals []Address
			for _, a := range got {
				vals = append(vals, *a)
			}
			assert.Equal(t, tt.want, vals)
		})
	}
}

func TestParseAddressList_RealWorld(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Address
	}{
		{"RFC 2047 5(3) encoded name", "=?EUC-KR?B?yKu x+a1v?= <gildong@example.kr>", nil},
		{"encoded name Korean", "=?EUC-KR?B?yKux5rW/?= <gildong@example.kr>", []Address{{"홍길동", "gildong@example.kr"}}},
		{"encoded name in quotes", `"=?utf-8?B?7ZmN6ri464+Z?=" <h@example.kr>`, []Address{{"홍길동", "h@example.kr"}}},
		{"RFC 6532 UTF-8 name", "홍길동 <홍@예시.한국>", []Address{{"홍길동", "홍@예시.한국"}}},
		{"comment as name", "jdoe@example.org (John Doe)", []Address{{"John Doe", "jdoe@example.org"}}},
		{"address as name", "john@example.org <john@example.org>", []Address{{"john@example.org", "john@example.org"}}},
		{"missing >", "John <john@example.org", []Address{{"John", "john@example.org"}}},
		{"no domain", "<postmaster>", []Address{{"", "postmaster"}}},
		{"null path", "<>", []Address{{"", ""}}},
		{"quoted local part", `"john doe"@example.org`, []Address{{"", `"john doe"@example.org`}}},
		{"domain literal", "x@[192.0.2.1]", []Address{{"", "x@[192.0.2.1]"}}},
		{"brackets in name", "[EXT] John <j@example.org>", []Address{{"[EXT] John", "j@example.org"}}},
		{"trailing comma", "a@example.org,", []Address{{"", "a@example.org"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddressList(tt.in)
			if tt.want == nil {
				// Only check that it does not fail badly.
				return
			}
			require.NoError(t, err)
			var vals []Address
			for _, a := range got {
				vals = append(vals, *a)
			}
			assert.Equal(t, tt.want, vals)
		})
	}
}

func TestParseAddressList_Errors(t *testing.T) {
	for _, in := range []string{"john", "@example.org", "a@", "John Smith", "<a@b> junk"} {
		_, err := ParseAddressList(in)
		assert.ErrorIs(t, err, ErrInvalidAddress, in)
	}
	// The good mailboxes of a list are returned with the error.
	got, err := ParseAddressList("a@example.org, broken, b@example.org")
	require.Error(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "b@example.org", got[1].Addr)
}

func TestParseAddressGroups_RFC5322_3_4(t *testing.T) {
	groups, err := ParseAddressGroups("A Group:Ed Jones <c@a.test>,joe@where.test;, Pete <pete@silly.example>, Undisclosed recipients:;")
	require.NoError(t, err)
	require.Len(t, groups, 3)
	assert.Equal(t, "A Group", groups[0].Name)
	assert.Len(t, groups[0].Members, 2)
	assert.Equal(t, "", groups[1].Name)
	assert.Equal(t, "pete@silly.example", groups[1].Members[0].Addr)
	assert.Equal(t, "Undisclosed recipients", groups[2].Name)
	assert.Empty(t, groups[2].Members)
}

func TestAddressString_RFC5322_3_4(t *testing.T) {
	tests := []struct {
		a    Address
		want string
	}{
		{Address{"John Doe", "jdoe@machine.example"}, "John Doe <jdoe@machine.example>"},
		{Address{"", "jdoe@machine.example"}, "<jdoe@machine.example>"},
		{Address{"Joe Q. Public", "j@example.com"}, `"Joe Q. Public" <j@example.com>`},
		{Address{`Giant; "Big" Box`, "s@example.net"}, `"Giant; \"Big\" Box" <s@example.net>`},
		{Address{"Who?", "one@y.test"}, "Who? <one@y.test>"},
		{Address{"홍길동", "gildong@example.kr"}, "=?UTF-8?B?7ZmN6ri464+Z?= <gildong@example.kr>"},
		{Address{"José", "j@example.es"}, "=?UTF-8?B?Sm9zw6k=?= <j@example.es>"},
		{Address{"Renée Dupont-Lefèvre", "r@example.fr"}, "=?UTF-8?Q?Ren=C3=A9e_Dupont-Lef=C3=A8vre?= <r@example.fr>"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.a.String())
			back, err := ParseAddress(tt.a.String())
			require.NoError(t, err)
			assert.Equal(t, tt.a, *back)
		})
	}
}

func TestAddressParts(t *testing.T) {
	a := Address{Addr: `"john doe"@example.org`}
	assert.Equal(t, "john doe", a.LocalPart())
	assert.Equal(t, "example.org", a.Domain())
	assert.Equal(t, `a b <"x y"@example.org>, <c@example.org>`,
		FormatAddressList([]*Address{{"a b", `"x y"@example.org`}, {"", "c@example.org"}}))
}
