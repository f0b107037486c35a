package sandbox

import (
	"cmp"
	"context"
	"slices"
	"testing"
)

// A query's views are only the tables it names, read from DuckDB's own parse tree.
func TestTableRefs(t *testing.T) {
	db, err := openSQLEngine()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tests := []struct {
		name  string
		query string
		want  []sqlRef // nil: every table
	}{
		{name: "qualified, quoted, any case", query: `SELECT COUNT(*) FROM "Sales_Env_Sub_DB"."orders_00001"`,
			want: []sqlRef{{"sales_env_sub_db", "orders_00001"}}},
		{name: "unqualified", query: "SELECT * FROM orders LIMIT 5", want: []sqlRef{{"", "orders"}}},
		{name: "a join and a subquery", query: "SELECT * FROM a.x JOIN (SELECT * FROM b.y) s ON true WHERE EXISTS (SELECT 1 FROM z)",
			want: []sqlRef{{"", "z"}, {"a", "x"}, {"b", "y"}}},
		{name: "a CTE names itself too, and finds no table", query: "WITH t AS (SELECT 1) SELECT * FROM t", want: []sqlRef{{"", "t"}}},
		{name: "no table", query: "SELECT 1", want: []sqlRef{}},
		{name: "SHOW reads the catalog: every table", query: "SHOW TABLES", want: nil},
		{name: "information_schema reads the catalog: every table", query: "SELECT table_name FROM information_schema.tables", want: nil},
		{name: "not a SELECT: every table", query: "DESCRIBE orders", want: nil},
		{name: "a syntax error: every table (the query reports it)", query: "SELEC 1", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tableRefs(context.Background(), conn, tt.query)
			slices.SortFunc(got, func(a, b sqlRef) int { return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name)) })
			if (got == nil) != (tt.want == nil) || !slices.Equal(got, tt.want) {
				t.Errorf("refs %#v, want %#v", got, tt.want)
			}
		})
	}
}

// Each query has a catalog of its own: a failed query leaves nothing behind for the next, and a
// view of one query is not seen by another.
func TestRunSQLCatalogPerQuery(t *testing.T) {
	db, err := openSQLEngine()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	empty := func(name string) func([]sqlRef) []sqlTable {
		return func([]sqlRef) []sqlTable {
			return []sqlTable{{Schema: "db", Name: name, Columns: []GlueColumn{{Name: "id", Type: "bigint"}}}}
		}
	}
	steps := []struct {
		query, table string
		wantErr      bool
	}{
		{query: "SELECT COUNT(*) FROM db.a", table: "a"},
		{query: "SELEC oops", table: "a", wantErr: true},
		{query: "SELECT COUNT(*) FROM db.b", table: "b"},
		{query: "SELECT COUNT(*) FROM db.a", table: "b", wantErr: true}, // a was the first query's view only
	}
	for i, st := range steps {
		res, err := runSQL(t.Context(), db, []string{"db"}, "db", st.query, empty(st.table))
		if (err != nil) != st.wantErr {
			t.Fatalf("step %d %q: error %v, want error %v", i, st.query, err, st.wantErr)
		}
		if err == nil && (len(res.Rows) != 1 || res.Rows[0][0] == nil || *res.Rows[0][0] != "0") {
			t.Errorf("step %d: rows %d, want one count of 0", i, len(res.Rows))
		}
	}
}

// A statement that is not a plain SELECT runs in a database of its own: a table it makes is gone
// for the next query, which reads the catalog's view again.
func TestRunSQLIsolatesOtherStatements(t *testing.T) {
	db, err := openSQLEngine()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	orders := func([]sqlRef) []sqlTable {
		return []sqlTable{{Schema: "sales", Name: "orders", Columns: []GlueColumn{{Name: "id", Type: "bigint"}}}}
	}
	steps := []struct {
		query   string
		wantErr bool
		want    string // the first cell
	}{
		{query: "CREATE TEMP TABLE orders AS SELECT 'leak' AS id"},
		{query: "CREATE TABLE memory.main.stolen AS SELECT * FROM awsdatacatalog.sales.orders"},
		{query: "SELECT COUNT(*) FROM orders", want: "0"}, // the view, not the temp table
		{query: "SELECT COUNT(*) FROM memory.main.stolen", wantErr: true},
		{query: `SELECT COUNT(*) FROM "Orders"`, want: "0"},
	}
	for i, st := range steps {
		res, err := runSQL(t.Context(), db, []string{"sales"}, "Sales", st.query, orders)
		if (err != nil) != st.wantErr {
			t.Fatalf("step %d %q: error %v, want error %v", i, st.query, err, st.wantErr)
		}
		if st.want != "" && (len(res.Rows) != 1 || res.Rows[0][0] == nil || *res.Rows[0][0] != st.want) {
			t.Errorf("step %d %q: rows %d, want %s", i, st.query, len(res.Rows), st.want)
		}
	}
}
