package crawl

import (
	"strings"
	"testing"
)

func TestDescribeSummary(t *testing.T) {
	tables := `"orders_1"` + strings.Repeat(`,"orders_x"`, 10000)
	tests := []struct{ name, in, want string }{
		{name: "glue's JSON, every table named, in a few words", in: `{"TABLE":{"ADD":{"Count":10001,"Tables":[` + tables + `]},"UPDATE":{"Count":2},"DELETE":{"Count":0}}}`,
			want: "tables: 10001 added, 2 updated"},
		{name: "nothing changed", in: `{"TABLE":{"ADD":{"Count":0}}}`, want: "no table changed"},
		{name: "another form is kept", in: "1 table created", want: "1 table created"},
		{name: "another form is cut", in: strings.Repeat("x", 500), want: strings.Repeat("x", maxSummary-3) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeSummary(tt.in); got != tt.want {
				t.Errorf("describeSummary = %q, want %q", got, tt.want)
			}
		})
	}
}
