package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// This file is the only one that knows about DuckDB. Each query opens a fresh in-memory
// database, attaches a catalog named awsdatacatalog with one schema per Glue database and one
// view per table, and runs the query with Trino-like names ("awsdatacatalog"."db"."t").

// sqlTable is a table exposed to one query.
type sqlTable struct {
	Schema, Name string
	Columns      []GlueColumn
	// Files are the CSV files (with a header row) behind the table.
	Files []string
	// Deny, when set, makes every read of the table fail with this message, as a failure of
	// kind DenyKind (sqlError.Kind).
	Deny, DenyKind string
}

// sqlColumn is a result column with its Athena type name.
type sqlColumn struct{ Name, Type string }

// sqlResult is a query result; nil cells are NULL.
type sqlResult struct {
	Columns []sqlColumn
	Rows    [][]*string
	// Scanned is the size of the files the tables read, for the statistics.
	Scanned int64
}

// sqlError is a failed query, already worded like Athena.
type sqlError struct {
	// Kind is the Athena error name (SYNTAX_ERROR, TABLE_NOT_FOUND, ...) or the kind of a denied
	// table (sqlTable.DenyKind).
	Kind string
	Msg  string
}

func (e *sqlError) Error() string { return e.Msg }

// denyMarker tags errors raised by a table the caller may not read: the marker, the kind, a
// colon, the message.
const denyMarker = "DZDENY:"

// sqlRef is a table a query names: its schema ("" when unqualified) and name, in lower case.
type sqlRef struct{ Schema, Name string }

// openSQLEngine opens an in-memory DuckDB database: the sandbox opens one, at its first query,
// and every query attaches its own catalog to it (runSQL).
func openSQLEngine() (*sql.DB, error) {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	return sql.OpenDB(connector), nil
}

// runSQL runs query with defaultSchema as the current schema, in a catalog (awsdatacatalog)
// attached for this query alone and detached after it. tablesFor returns the tables behind the
// names the query reads (refs; all tables when refs is nil): only those become views, so the cost
// of a query does not grow with the size of the catalog. A plain SELECT runs on the sandbox's
// shared engine; anything else (SHOW, DESCRIBE, a table function, a statement that could leave a
// table or a setting behind) runs in a database of its own, opened for it and closed after it,
// so no query sees what another left. Queries on one engine must not run at the same time (the
// sandbox runs them with s.mu held).
func runSQL(ctx context.Context, shared *sql.DB, schemas []string, defaultSchema, query string, tablesFor func(refs []sqlRef) []sqlTable) (*sqlResult, error) {
	query = strings.TrimRight(strings.TrimSpace(query), ";")
	defaultSchema = strings.ToLower(defaultSchema) // Glue keeps names in lower case
	refs := tableRefs(ctx, shared, query)
	db := shared
	if refs == nil {
		private, err := openSQLEngine()
		if err != nil {
			return nil, err
		}
		defer private.Close()
		db = private
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open duckdb connection: %w", err)
	}
	defer conn.Close()
	defer func() {
		// Leave the connection as it was found, for the next query. The in-memory database's
		// own catalog is "memory".
		_, _ = conn.ExecContext(context.Background(), "USE memory")
		_, _ = conn.ExecContext(context.Background(), "DETACH DATABASE IF EXISTS awsdatacatalog")
	}()

	setup := []string{`ATTACH ':memory:' AS awsdatacatalog`, `USE awsdatacatalog`}
	for _, s := range schemas {
		setup = append(setup, "CREATE SCHEMA "+quoteIdent(s))
	}
	for _, t := range tablesFor(refs) {
		setup = append(setup, viewSQL(t))
	}
	for _, stmt := range setup {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("prepare catalog: %s: %w", stmt, err)
		}
	}
	if defaultSchema != "" {
		if _, err := conn.ExecContext(ctx, "USE awsdatacatalog."+quoteIdent(defaultSchema)); err != nil {
			return nil, &sqlError{Kind: "SCHEMA_NOT_FOUND", Msg: fmt.Sprintf("SCHEMA_NOT_FOUND: line 1:1: Schema '%s' does not exist", defaultSchema)}
		}
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, athenaSQLError(err, defaultSchema)
	}
	defer rows.Close()
	res, err := readRows(rows)
	if err != nil {
		return nil, athenaSQLError(err, defaultSchema)
	}
	return res, nil
}

// tableRefs are the tables a SELECT names, from DuckDB's own parse tree (json_serialize_sql:
// every BASE_TABLE node). It returns nil (every table) when the statement cannot be serialized
// (not a SELECT, or a syntax error, which the query itself then reports) or reads the catalog
// itself (SHOW, a table function, information_schema), whose answer depends on every table.
func tableRefs(ctx context.Context, conn interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, query string) []sqlRef {
	var tree string
	// json_serialize_sql takes a constant, not a parameter, and returns JSON.
	if err := conn.QueryRowContext(ctx, "SELECT CAST(json_serialize_sql("+quoteString(query)+") AS VARCHAR)").Scan(&tree); err != nil {
		return nil
	}
	var doc struct {
		Error      bool `json:"error"`
		Statements []any
	}
	if json.Unmarshal([]byte(tree), &doc) != nil || doc.Error || len(doc.Statements) == 0 {
		return nil
	}
	refs, whole := []sqlRef{}, false
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			switch x["type"] {
			case "BASE_TABLE":
				schema, _ := x["schema_name"].(string)
				name, _ := x["table_name"].(string)
				ref := sqlRef{Schema: strings.ToLower(schema), Name: strings.ToLower(name)}
				whole = whole || ref.Schema == "information_schema" || ref.Schema == "pg_catalog"
				refs = append(refs, ref)
			case "SHOW_REF", "TABLE_FUNCTION":
				whole = true
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc.Statements)
	if whole {
		return nil
	}
	return refs
}

func readRows(rows *sql.Rows) (*sqlResult, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &sqlResult{}
	for i, ct := range types {
		name := ct.Name()
		if !plainIdent.MatchString(name) {
			name = "_col" + strconv.Itoa(i)
		}
		res.Columns = append(res.Columns, sqlColumn{Name: name, Type: athenaType(ct.DatabaseTypeName())})
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			row[i] = formatValue(v)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// viewSQL defines a table as a view over its CSV files, an empty view, or a view that fails.
func viewSQL(t sqlTable) string {
	name := quoteIdent(t.Schema) + "." + quoteIdent(t.Name)
	if t.Deny != "" {
		cols := make([]string, 0, len(t.Columns))
		for _, c := range t.Columns {
			cols = append(cols, "CAST(NULL AS "+duckType(c.Type)+") AS "+quoteIdent(c.Name))
		}
		if len(cols) == 0 {
			cols = append(cols, "NULL AS col0")
		}
		return "CREATE VIEW " + name + " AS SELECT * FROM (SELECT " + strings.Join(cols, ", ") +
			") WHERE error(" + quoteString(denyMarker+t.DenyKind+":"+t.Deny) + ")"
	}
	if len(t.Files) == 0 || len(t.Columns) == 0 {
		cols := make([]string, 0, len(t.Columns))
		for _, c := range t.Columns {
			cols = append(cols, "CAST(NULL AS "+duckType(c.Type)+") AS "+quoteIdent(c.Name))
		}
		if len(cols) == 0 {
			cols = append(cols, "NULL AS col0")
		}
		return "CREATE VIEW " + name + " AS SELECT " + strings.Join(cols, ", ") + " WHERE false"
	}
	files := make([]string, len(t.Files))
	for i, f := range t.Files {
		files[i] = quoteString(f)
	}
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quoteString(c.Name) + ": " + quoteString(duckType(c.Type))
	}
	return "CREATE VIEW " + name + " AS SELECT * FROM read_csv([" + strings.Join(files, ", ") +
		"], header = true, auto_detect = false, hive_partitioning = false, dateformat = '%Y-%m-%d', columns = {" + strings.Join(cols, ", ") + "})"
}

// duckType maps a Glue (Hive) type to DuckDB.
func duckType(glue string) string {
	switch strings.ToLower(glue) {
	case "bigint":
		return "BIGINT"
	case "int", "integer":
		return "INTEGER"
	case "smallint":
		return "SMALLINT"
	case "tinyint":
		return "TINYINT"
	case "double":
		return "DOUBLE"
	case "float":
		return "FLOAT"
	case "date":
		return "DATE"
	case "timestamp":
		return "TIMESTAMP"
	case "boolean":
		return "BOOLEAN"
	}
	return "VARCHAR"
}

// athenaType maps a DuckDB result type to Athena's (Trino) type name.
func athenaType(duck string) string {
	t := strings.ToUpper(duck)
	switch {
	case t == "BIGINT" || t == "HUGEINT" || t == "UBIGINT" || t == "UHUGEINT":
		return "bigint"
	case t == "INTEGER" || t == "UINTEGER":
		return "integer"
	case t == "SMALLINT" || t == "USMALLINT":
		return "smallint"
	case t == "TINYINT" || t == "UTINYINT":
		return "tinyint"
	case t == "DOUBLE":
		return "double"
	case t == "FLOAT":
		return "real"
	case t == "DATE":
		return "date"
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "timestamp"
	case t == "BOOLEAN":
		return "boolean"
	case strings.HasPrefix(t, "DECIMAL"):
		return "decimal"
	}
	return "varchar"
}

// formatValue renders a value as Athena's VarCharValue.
func formatValue(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case bool:
		s = strconv.FormatBool(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case int32, int16, int8, uint64, uint32, uint16, uint8:
		s = fmt.Sprint(x)
	case float64:
		s = formatFloat(x, 64)
	case float32:
		s = formatFloat(float64(x), 32)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			s = x.Format("2006-01-02")
		} else {
			s = x.Format("2006-01-02 15:04:05.000")
		}
	case *big.Int:
		s = x.String()
	case duckdb.Decimal:
		s = formatDecimal(x)
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	s := strconv.FormatFloat(f, 'f', -1, bits)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// formatDecimal renders a decimal with all its scale digits, as Trino does (3.0, not 3).
func formatDecimal(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	scale := int(d.Scale)
	if scale == 0 {
		return sign + digits
	}
	for len(digits) <= scale {
		digits = "0" + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}

func quoteIdent(s string) string  { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var (
	duckPrefixRE = regexp.MustCompile(`^[A-Za-z ]+ Error: `)
	caretLineRE  = regexp.MustCompile(`(?m)^LINE (\d+): (.*)\n( *)\^`)
	nearRE       = regexp.MustCompile(`syntax error at or near "([^"]*)"`)
	tableRE      = regexp.MustCompile(`Table with name "?([^" !]+)"? does not exist`)
	schemaOfRE   = regexp.MustCompile(`because schema "([^"]+)" does not exist`)
	columnRE     = regexp.MustCompile(`Referenced column "?([^" ]+)"? not found`)
	syntaxEndRE  = regexp.MustCompile(`syntax error at end of input`)
	identChainRE = regexp.MustCompile(`^[A-Za-z0-9_."]+`)
	functionRE   = regexp.MustCompile(`Scalar Function with name ([^ ]+) does not exist`)
)

// athenaSQLError rewords a DuckDB error the way Athena reports the same problem.
func athenaSQLError(err error, schema string) error {
	msg := err.Error()
	if i := strings.Index(msg, denyMarker); i >= 0 {
		kind, text, _ := strings.Cut(msg[i+len(denyMarker):], ":")
		return &sqlError{Kind: kind, Msg: strings.TrimSpace(text)}
	}
	pos, ref := "line 1:1", ""
	if m := caretLineRE.FindStringSubmatch(msg); m != nil {
		col := len(m[3]) - len("LINE "+m[1]+": ")
		pos = fmt.Sprintf("line %s:%d", m[1], col+1)
		if col >= 0 && col < len(m[2]) {
			ref = strings.ReplaceAll(identChainRE.FindString(m[2][col:]), `"`, "")
		}
	}
	first, _, _ := strings.Cut(duckPrefixRE.ReplaceAllString(msg, ""), "\n")
	switch {
	case nearRE.MatchString(msg):
		tok := nearRE.FindStringSubmatch(msg)[1]
		return &sqlError{Kind: "SYNTAX_ERROR", Msg: fmt.Sprintf("%s: mismatched input '%s'. Expecting: <expression>", pos, tok)}
	case syntaxEndRE.MatchString(msg):
		return &sqlError{Kind: "SYNTAX_ERROR", Msg: fmt.Sprintf("%s: mismatched input '<EOF>'. Expecting: <expression>", pos)}
	case schemaOfRE.MatchString(msg):
		return &sqlError{Kind: "SCHEMA_NOT_FOUND", Msg: fmt.Sprintf("SCHEMA_NOT_FOUND: %s: Schema '%s' does not exist", pos, schemaOfRE.FindStringSubmatch(msg)[1])}
	case tableRE.MatchString(msg):
		name := tableRE.FindStringSubmatch(msg)[1]
		if strings.Count(ref, ".") > strings.Count(name, ".") {
			name = ref
		}
		if !strings.Contains(name, ".") && schema != "" {
			name = schema + "." + name
		}
		name = strings.TrimPrefix(strings.ToLower(name), "awsdatacatalog.")
		return &sqlError{Kind: "TABLE_NOT_FOUND", Msg: fmt.Sprintf("TABLE_NOT_FOUND: %s: Table 'awsdatacatalog.%s' does not exist", pos, name)}
	case columnRE.MatchString(msg):
		return &sqlError{Kind: "COLUMN_NOT_FOUND", Msg: fmt.Sprintf("COLUMN_NOT_FOUND: %s: Column '%s' cannot be resolved or requester is not authorized to access requested resources", pos, columnRE.FindStringSubmatch(msg)[1])}
	case functionRE.MatchString(msg):
		return &sqlError{Kind: "FUNCTION_NOT_FOUND", Msg: fmt.Sprintf("FUNCTION_NOT_FOUND: %s: Function '%s' not registered", pos, functionRE.FindStringSubmatch(msg)[1])}
	case strings.HasPrefix(msg, "Conversion Error") || strings.HasPrefix(msg, "Invalid Input Error"):
		return &sqlError{Kind: "INVALID_CAST_ARGUMENT", Msg: "INVALID_CAST_ARGUMENT: " + first}
	case strings.HasPrefix(msg, "Binder Error") || strings.HasPrefix(msg, "Parser Error") || strings.HasPrefix(msg, "Catalog Error"):
		return &sqlError{Kind: "SYNTAX_ERROR", Msg: fmt.Sprintf("%s: %s", pos, first)}
	}
	return &sqlError{Kind: "GENERIC_INTERNAL_ERROR", Msg: "GENERIC_INTERNAL_ERROR: " + first}
}
