package sandbox

import (
	"context"
	"errors"
	"os"
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
	schemas, tables, scanned := s.sqlCatalog(q.caller)
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	res, err := runSQL(ctx, schemas, tables, q.database, q.query)
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

// sqlCatalog exposes every Glue database as a schema and every table as a view that the caller
// can read, or one that fails with the access error it would get (s.mu held).
func (s *Sandbox) sqlCatalog(caller string) (schemas []string, tables []sqlTable, scanned int64) {
	for name := range s.glue.databases {
		schemas = append(schemas, name)
	}
	sort.Strings(schemas)
	for _, db := range schemas {
		for _, t := range s.glueTables(db) {
			st := sqlTable{Schema: db, Name: t.Name}
			target, ok := s.resolveTable(t)
			if !ok {
				st.Deny, st.DenyKind = "Table "+t.TargetDatabase+"."+t.TargetTable+" not found (resource link "+db+"."+t.Name+")", "TABLE_NOT_FOUND"
				tables = append(tables, st)
				continue
			}
			st.Columns = target.Columns
			if d := s.readDenial(caller, t, target); d != nil {
				st.Deny, st.DenyKind = d.msg, d.kind
				tables = append(tables, st)
				continue
			}
			files, err := s.s3CSVFiles(target.Location)
			if err != nil {
				st.Deny, st.DenyKind = "Error reading "+target.Location+": "+err.Error(), "GENERIC_INTERNAL_ERROR"
			}
			st.Files = files
			for _, f := range files {
				if fi, err := os.Stat(f); err == nil {
					scanned += fi.Size()
				}
			}
			tables = append(tables, st)
		}
	}
	return schemas, tables, scanned
}
