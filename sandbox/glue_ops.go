package sandbox

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// glueOps are the Glue operations, by X-Amz-Target operation name.
var glueOps = map[string]handler{
	"GetCrawler":   glueGetCrawler,
	"StartCrawler": glueStartCrawler,
	"ListCrawls":   glueListCrawls,
	"GetDatabase":  glueGetDatabase,
	"GetDatabases": glueGetDatabases,
	"GetTables":    glueGetTables,
	"GetTable":     glueGetTable,
}

type glueNameInput struct {
	Name *string `json:"Name"`
}

func glueRequired(field string, v *string) error {
	if v == nil || *v == "" {
		return errorf(400, "InvalidInputException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	return nil
}

func glueGetCrawler(s *Sandbox, r *request) (any, error) {
	var in glueNameInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := glueRequired("name", in.Name); err != nil {
		return nil, err
	}
	c, err := s.crawler(*in.Name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Crawler": c.output(s)}, nil
}

func glueStartCrawler(s *Sandbox, r *request) (any, error) {
	var in glueNameInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := glueRequired("name", in.Name); err != nil {
		return nil, err
	}
	r.key("Name", *in.Name)
	c, err := s.crawler(*in.Name)
	if err != nil {
		return nil, err
	}
	if err := s.startCrawl(c); err != nil {
		return nil, err
	}
	return nil, nil
}

type glueListCrawlsInput struct {
	CrawlerName *string `json:"CrawlerName"`
	MaxResults  *int    `json:"MaxResults"`
	NextToken   *string `json:"NextToken"`
	Filters     []struct {
		FieldName      string  `json:"FieldName"`
		FilterOperator string  `json:"FilterOperator"`
		FieldValue     *string `json:"FieldValue"`
	} `json:"Filters"`
}

func glueListCrawls(s *Sandbox, r *request) (any, error) {
	var in glueListCrawlsInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := glueRequired("crawlerName", in.CrawlerName); err != nil {
		return nil, err
	}
	c, err := s.crawler(*in.CrawlerName)
	if err != nil {
		return nil, err
	}
	var list []map[string]any
	for i := len(c.history) - 1; i >= 0; i-- { // newest first
		h := c.history[i]
		ok := true
		for _, f := range in.Filters {
			if !h.matches(f.FieldName, f.FilterOperator, deref(f.FieldValue)) {
				ok = false
				break
			}
		}
		if ok {
			list = append(list, h.output(c))
		}
	}
	start, end, next, err := pageBounds(len(list), deref(in.NextToken), derefInt(in.MaxResults), 20, 100, "InvalidInputException")
	if err != nil {
		return nil, err
	}
	out := map[string]any{"Crawls": nonNil(list[start:end])}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

type glueDatabaseInput struct {
	Name      *string `json:"Name"`
	CatalogID *string `json:"CatalogId"`
}

func glueGetDatabase(s *Sandbox, r *request) (any, error) {
	var in glueDatabaseInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := glueRequired("name", in.Name); err != nil {
		return nil, err
	}
	d, err := s.visibleDatabase(r.caller, *in.Name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Database": d.output(s)}, nil
}

// visibleDatabase returns a database the caller may see (s.mu held). A database Lake Formation
// hides answers AccessDeniedException; a missing one EntityNotFoundException to those who may
// learn it is missing and AccessDeniedException to others (see mayLearnMissing).
func (s *Sandbox) visibleDatabase(caller, name string) (*glueDatabase, error) {
	d, ok := s.glue.databases[name]
	switch {
	case !ok && s.mayLearnMissing(caller, ""):
		return nil, errorf(400, "EntityNotFoundException", "Database %s not found.", name)
	case !ok || !s.databaseVisible(caller, d):
		return nil, glueDatabaseDenied(name)
	}
	return d, nil
}

func glueGetDatabases(s *Sandbox, r *request) (any, error) {
	var in struct {
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	// Lake Formation leaves out the databases the caller may not see (developer guide, "Metadata
	// permissions").
	names := make([]string, 0, len(s.glue.databases))
	for n, d := range s.glue.databases {
		if s.databaseVisible(r.caller, d) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	start, end, next, err := pageBounds(len(names), deref(in.NextToken), derefInt(in.MaxResults), 100, 100, "InvalidInputException")
	if err != nil {
		return nil, err
	}
	list := []map[string]any{}
	for _, n := range names[start:end] {
		list = append(list, s.glue.databases[n].output(s))
	}
	out := map[string]any{"DatabaseList": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

type glueGetTablesInput struct {
	DatabaseName *string `json:"DatabaseName"`
	Expression   *string `json:"Expression"`
	MaxResults   *int    `json:"MaxResults"`
	NextToken    *string `json:"NextToken"`
}

func glueGetTables(s *Sandbox, r *request) (any, error) {
	var in glueGetTablesInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := glueRequired("databaseName", in.DatabaseName); err != nil {
		return nil, err
	}
	if _, err := s.visibleDatabase(r.caller, *in.DatabaseName); err != nil {
		return nil, err
	}
	var re *regexp.Regexp
	if e := deref(in.Expression); e != "" {
		var err error
		if re, err = glueExpression(e); err != nil {
			return nil, errorf(400, "InvalidInputException", "Expression %q is not a valid regular expression: %v", e, err)
		}
	}
	// Lake Formation leaves out the tables the caller may not see: an empty list may mean "no
	// permission" (developer guide, "Metadata permissions").
	var list []map[string]any
	for _, t := range s.glueTables(*in.DatabaseName) {
		if (re == nil || re.MatchString(t.Name)) && s.tableVisible(r.caller, t, time.Time{}) {
			list = append(list, t.output(s))
		}
	}
	start, end, next, err := pageBounds(len(list), deref(in.NextToken), derefInt(in.MaxResults), 100, 100, "InvalidInputException")
	if err != nil {
		return nil, err
	}
	out := map[string]any{"TableList": nonNil(list[start:end])}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func glueGetTable(s *Sandbox, r *request) (any, error) {
	var in struct {
		DatabaseName *string `json:"DatabaseName"`
		Name         *string `json:"Name"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := glueRequired("databaseName", in.DatabaseName); err != nil {
		return nil, err
	}
	if err := glueRequired("name", in.Name); err != nil {
		return nil, err
	}
	db, name := *in.DatabaseName, *in.Name
	t, ok := s.glueTable(db, name)
	switch {
	case !s.glueDatabaseExists(db) && s.mayLearnMissing(r.caller, ""):
		return nil, errorf(400, "EntityNotFoundException", "Database %s not found.", db)
	case !ok && s.glueDatabaseExists(db) && s.mayLearnMissing(r.caller, db):
		return nil, errorf(400, "EntityNotFoundException", "Table %s not found.", name)
	case !ok || !s.tableVisible(r.caller, t, time.Time{}):
		return nil, glueTableDenied(name)
	}
	return map[string]any{"Table": t.output(s)}, nil
}

// glueExpression compiles a GetTables Expression: a regular expression matched against the whole
// table name, case-insensitively, where a bare `*` (not after `.`) means any characters, as in
// the console's "orders*".
func glueExpression(e string) (*regexp.Regexp, error) {
	var b strings.Builder
	for i := 0; i < len(e); i++ {
		if e[i] == '*' && (i == 0 || e[i-1] != '.') {
			b.WriteString(".*")
			continue
		}
		b.WriteByte(e[i])
	}
	return regexp.Compile("(?i)^(?:" + b.String() + ")$")
}

// output is the Glue Database shape.
func (d *glueDatabase) output(s *Sandbox) map[string]any {
	out := map[string]any{
		"Name":                          d.Name,
		"CatalogId":                     s.world.Account,
		"CreateTime":                    epoch(d.CreateTime),
		"CreateTableDefaultPermissions": []any{},
	}
	if d.IAMAllowed {
		out["CreateTableDefaultPermissions"] = []any{map[string]any{
			"Principal":   map[string]any{"DataLakePrincipalIdentifier": iamAllowedPrincipals},
			"Permissions": []string{"ALL"},
		}}
	}
	if d.LocationURI != "" {
		out["LocationUri"] = d.LocationURI
	}
	return out
}

// output is the Glue Table shape.
func (t *glueTable) output(s *Sandbox) map[string]any {
	out := map[string]any{
		"Name":         t.Name,
		"DatabaseName": t.Database,
		"CatalogId":    s.world.Account,
		"CreateTime":   epoch(t.CreateTime),
		"UpdateTime":   epoch(t.UpdateTime),
		"VersionId":    strconv.Itoa(t.VersionID),
	}
	if t.isLink() {
		out["TargetTable"] = map[string]any{"CatalogId": s.world.Account, "DatabaseName": t.TargetDatabase, "Name": t.TargetTable}
		return out
	}
	cols := make([]map[string]any, 0, len(t.Columns))
	for _, c := range t.Columns {
		cols = append(cols, map[string]any{"Name": c.Name, "Type": c.Type})
	}
	_, registered := s.lfRegistrationFor(t.Location)
	out["TableType"] = "EXTERNAL_TABLE"
	out["CreatedBy"] = "arn:aws:sts::" + s.world.Account + ":assumed-role/AWSGlueServiceRole/AWS-Crawler"
	out["IsRegisteredWithLakeFormation"] = registered
	out["PartitionKeys"] = []any{}
	out["Retention"] = 0
	out["Parameters"] = map[string]string{
		"classification": "csv", "delimiter": ",", "skip.header.line.count": "1",
		"areColumnsQuoted": "false", "typeOfData": "file", "compressionType": "none",
	}
	out["StorageDescriptor"] = map[string]any{
		"Columns":      cols,
		"Location":     t.Location,
		"InputFormat":  "org.apache.hadoop.mapred.TextInputFormat",
		"OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
		"Compressed":   false,
		"SerdeInfo": map[string]any{
			"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
			"Parameters":           map[string]string{"field.delim": ","},
		},
		"StoredAsSubDirectories": false,
	}
	return out
}

// nonNil returns an empty (not null) JSON list for a nil slice.
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
