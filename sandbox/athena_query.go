package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"runtime"
	"sort"
	"time"
)

// queryTimeout bounds the real time one DuckDB query may take.
const queryTimeout = 60 * time.Second

// startQuery validates and records a query execution, QUEUED; it runs when Durations.Query has
// passed. A repeated ClientRequestToken returns the same execution if the query is the same.
func (s *Sandbox) startQuery(r *request, in athenaStartInput) (*athenaQuery, error) {
	query := deref(in.QueryString)
	token := deref(in.ClientRequestToken)
	if token != "" {
		r.key("ClientRequestToken", token)
	}
	if query == "" {
		return nil, athenaInvalid("QueryString must not be empty")
	}
	if token != "" && (len(token) < 32 || len(token) > 128) {
		return nil, athenaInvalid("ClientRequestToken must be between 32 and 128 characters long")
	}
	if prev, ok := s.athena.tokens[token]; ok && token != "" {
		if prev.query != query {
			return nil, athenaInvalid("Idempotent parameters do not match: ClientRequestToken %s was used with a different query", token)
		}
		return prev, nil
	}
	wgName := deref(in.WorkGroup)
	if wgName == "" {
		wgName = "primary"
	}
	r.key("WorkGroup", wgName)
	wg, ok := s.athena.workgroups[wgName]
	if !ok {
		return nil, athenaInvalid("WorkGroup %s is not found.", wgName)
	}
	q := &athenaQuery{id: s.newUUID(), query: query, workgroup: wgName, caller: r.caller, token: token,
		catalog: "AwsDataCatalog", state: "QUEUED", submitted: s.now()}
	if c := in.QueryExecutionContext; c != nil {
		q.database = deref(c.Database)
		if deref(c.Catalog) != "" {
			q.catalog = deref(c.Catalog)
		}
	}
	out := wg.output
	if !wg.enforce && in.ResultConfiguration != nil && deref(in.ResultConfiguration.OutputLocation) != "" {
		out = deref(in.ResultConfiguration.OutputLocation)
	}
	q.outputLocation = out + q.id + ".csv"
	s.athena.queries[q.id] = q
	if token != "" {
		s.athena.tokens[token] = q
	}
	d := s.world.Durations.Query.Duration
	s.after(d/4, func() {
		if q.state == "QUEUED" {
			q.state, q.started = "RUNNING", s.now()
		}
	})
	s.after(d, func() {
		if q.state != "RUNNING" && q.state != "QUEUED" {
			return
		}
		if q.started.IsZero() {
			q.started = s.now()
		}
		s.execute(q)
		q.completed = s.now()
	})
	return q, nil
}

// execute runs the query with DuckDB as its caller and records the outcome (s.mu held).
func (s *Sandbox) execute(q *athenaQuery) {
	if d := s.defaultDenial(q.caller); d != nil {
		q.state, q.reason, q.errKind = "FAILED", d.msg, d.kind
		return
	}
	if s.athena.engine == nil {
		db, err := openSQLEngine()
		if err != nil {
			q.state, q.reason, q.errKind = "FAILED", "GENERIC_INTERNAL_ERROR: "+err.Error(), "GENERIC_INTERNAL_ERROR"
			return
		}
		s.athena.engine = db
		runtime.AddCleanup(s, func(db *sql.DB) { db.Close() }, db)
	}
	var scanned int64
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	res, err := runSQL(ctx, s.athena.engine, s.glueDatabaseNames(), q.database, q.query, func(refs []sqlRef) []sqlTable {
		var tables []sqlTable
		tables, scanned = s.sqlTables(q.caller, q.database, refs)
		return tables
	})
	if err != nil {
		q.state = "FAILED"
		var se *sqlError
		if errors.As(err, &se) {
			q.reason, q.errKind = se.Msg, se.Kind
		} else {
			q.reason, q.errKind = "GENERIC_INTERNAL_ERROR: "+err.Error(), "GENERIC_INTERNAL_ERROR"
		}
		return
	}
	res.Scanned = scanned
	q.state, q.result = "SUCCEEDED", res
}

// sqlTables are the catalog tables a query names (refs; unqualified names are in
// defaultSchema), or every table when refs is nil, each as caller may read it: a view of its
// files, or one that fails with the access error caller would get; and the bytes they scan (s.mu
// held).
func (s *Sandbox) sqlTables(caller, defaultSchema string, refs []sqlRef) (tables []sqlTable, scanned int64) {
	var named []*glueTable
	var dbs []string
	if refs == nil {
		for _, db := range s.glueDatabaseNames() {
			for _, t := range s.glueTables(db) {
				named, dbs = append(named, t), append(dbs, db)
			}
		}
	}
	seen := map[sqlRef]bool{}
	for _, r := range refs {
		if r.Schema == "" {
			r.Schema = defaultSchema
		}
		if t, ok := s.glueTable(r.Schema, r.Name); ok && !seen[r] {
			seen[r] = true
			named, dbs = append(named, t), append(dbs, r.Schema)
		}
	}
	for i, t := range named {
		st, n := s.sqlTable(caller, dbs[i], t)
		tables, scanned = append(tables, st), scanned+n
	}
	return tables, scanned
}

// sqlTable is a catalog table as caller may read it, and the bytes a read of it scans (s.mu
// held).
func (s *Sandbox) sqlTable(caller, db string, t *glueTable) (sqlTable, int64) {
	st := sqlTable{Schema: db, Name: t.Name}
	target, ok := s.resolveTable(t)
	if !ok {
		st.Deny, st.DenyKind = "Table "+t.TargetDatabase+"."+t.TargetTable+" not found (resource link "+db+"."+t.Name+")", "TABLE_NOT_FOUND"
		return st, 0
	}
	st.Columns = target.Columns
	if d := s.readDenial(caller, t, target); d != nil {
		st.Deny, st.DenyKind = d.msg, d.kind
		return st, 0
	}
	files, err := s.s3CSVFiles(target.Location)
	if err != nil {
		st.Deny, st.DenyKind = "Error reading "+target.Location+": "+err.Error(), "GENERIC_INTERNAL_ERROR"
	}
	st.Files = files
	var scanned int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			scanned += fi.Size()
		}
	}
	return st, scanned
}

// glueDatabaseNames are the catalog's databases, sorted: Athena's schemas (s.mu held).
func (s *Sandbox) glueDatabaseNames() []string {
	names := make([]string, 0, len(s.glue.databases))
	for name := range s.glue.databases {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
