package verify

import "testing"

func TestCheckSQL(t *testing.T) {
	tests := []struct {
		name, kind, db, table string
		rows                  int
		want                  string
	}{
		{name: "count", kind: kindCount, db: "sales_env_sub_db", table: "orders", want: `SELECT COUNT(*) FROM "sales_env_sub_db"."orders"`},
		{name: "sample", kind: kindSample, db: "sales_env_sub_db", table: "orders_1", rows: 5, want: `SELECT * FROM "sales_env_sub_db"."orders_1" LIMIT 5`},
		{name: "quotes are doubled", kind: kindCount, db: `a"b`, table: `t""`, want: `SELECT COUNT(*) FROM "a""b"."t"""""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkSQL(tc.kind, tc.db, tc.table, tc.rows); got != tc.want {
				t.Errorf("checkSQL = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestIdentPattern(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{name: "table", in: "orders_1", want: true},
		{name: "hyphen", in: "sales-env_sub_db", want: true},
		{name: "empty", in: "", want: false},
		{name: "quote", in: `orders"`, want: false},
		{name: "dot", in: "a.b", want: false},
		{name: "space", in: "a b", want: false},
		{name: "too long", in: string(make([]byte, 256)), want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := identPattern.MatchString(tc.in); got != tc.want {
				t.Errorf("match(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
