package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// Input is the execution input: the same document is accepted by the console, a schedule and
// the CLI. Unknown fields are rejected.
type Input struct {
	// DomainID is the DataZone domain (dzd_...).
	DomainID string `json:"domainId"`
	// ProjectID is the producer project that owns the data source and its assets.
	ProjectID string `json:"projectId"`
	// EnvironmentID is the producer's DefaultDataLake environment.
	EnvironmentID string `json:"environmentId"`
	// CrawlerName is the existing Glue crawler over the data set.
	CrawlerName string `json:"crawlerName"`
	// S3Location (s3://bucket/prefix/) defaults to the crawler's single S3 target.
	S3Location string `json:"s3Location,omitempty"`
	// GlueDatabase defaults to the crawler's database.
	GlueDatabase string `json:"glueDatabase,omitempty"`
	// Tables are DataZone filter expressions (INCLUDE, * wildcards); default ["*"].
	Tables []string `json:"tables,omitempty"`
	// DataSourceName defaults to a name derived from the Glue database.
	DataSourceName string `json:"dataSourceName,omitempty"`
	// SkipCrawl uses the catalog as it is instead of running the crawler.
	SkipCrawl bool `json:"skipCrawl,omitempty"`
	// MakeManaged lets the workflow revoke IAMAllowedPrincipals from the onboarded tables.
	MakeManaged bool `json:"makeManaged,omitempty"`
	// Consumers are further projects to subscribe (each with its DefaultDataLake environment).
	Consumers []Consumer `json:"consumers,omitempty"`
	// Verify tunes the Athena proof.
	Verify *Verify `json:"verify,omitempty"`
}

// Consumer is a project to subscribe to the onboarded listings, and its environment.
type Consumer struct {
	ProjectID     string `json:"projectId"`
	EnvironmentID string `json:"environmentId"`
}

// Verify tunes the Athena queries of the last stage.
type Verify struct {
	// MinRows is the least row count every table must have (default 1).
	MinRows *int64 `json:"minRows,omitempty"`
	// SampleRows is how many rows the sample query reads (default 5).
	SampleRows *int `json:"sampleRows,omitempty"`
	// Queries are extra read-only queries run in the producer's subscription database.
	Queries []string `json:"queries,omitempty"`
}

// Limits of the input.
const (
	DefaultMinRows    = 1
	DefaultSampleRows = 5
	MaxSampleRows     = 100
	MaxQueries        = 10
	MaxQueryLength    = 262144 // Athena's limit, in bytes
	MaxTableFilters   = 100
	MaxConsumers      = 20
)

var (
	domainIDPattern  = regexp.MustCompile(`^dzd[-_][a-zA-Z0-9_-]{1,36}$`)
	idPattern        = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,36}$`)
	databasePattern  = regexp.MustCompile(`^[a-z0-9_-]{1,255}$`)
	s3LocationRegexp = regexp.MustCompile(`^s3://([^/]+)/(.*)$`)
	bucketPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	readOnlyQuery    = regexp.MustCompile(`(?is)^\s*(select|with)\b`)
)

// ParseInput decodes and validates an execution input, reporting every problem at once in an
// *InvalidInputError. It applies no defaults that need the account (see Preflight).
func ParseInput(data []byte) (Input, error) {
	var in Input
	var ps []Problem
	decodeStrict(bytes.TrimSpace(data), "", &in, &ps)
	undecodable := map[string]bool{}
	for _, p := range ps {
		undecodable[p.Field] = true
	}
	if !undecodable["input"] {
		for _, p := range in.Validate() {
			if !undecodable[p.Field] { // a field of the wrong type is reported once
				ps = append(ps, p)
			}
		}
	}
	if len(ps) > 0 {
		return in, &InvalidInputError{Problems: ps}
	}
	return in, nil
}

// Validate checks the values of a decoded input; it returns every problem found.
func (in Input) Validate() []Problem {
	var ps []Problem
	add := func(field, problem, fix string) { ps = append(ps, Problem{Field: field, Problem: problem, Fix: fix}) }

	switch {
	case in.DomainID == "":
		add("domainId", "is required.", "set it to the DataZone domain ID (Domain details in the DataZone console), e.g. dzd_5xk2q8m1v3c9tb.")
	case !domainIDPattern.MatchString(in.DomainID):
		add("domainId", fmt.Sprintf("%q is not a DataZone domain ID.", in.DomainID), "use the ID that starts with dzd_ (not the domain name or ARN).")
	}
	checkID := func(field, v, what string) {
		switch {
		case v == "":
			add(field, "is required.", "set it to the "+what+" ID shown in the DataZone portal URL or project settings.")
		case !idPattern.MatchString(v):
			add(field, fmt.Sprintf("%q is not a DataZone ID (1-36 letters, digits, _ or -).", v), "use the "+what+" ID, not its name.")
		}
	}
	checkID("projectId", in.ProjectID, "producer project")
	checkID("environmentId", in.EnvironmentID, "producer DefaultDataLake environment")

	switch name := in.CrawlerName; {
	case strings.TrimSpace(name) == "":
		add("crawlerName", "is required.", "set it to the name of the existing Glue crawler over the data set.")
	case len(name) > 255 || strings.TrimSpace(name) != name:
		add("crawlerName", fmt.Sprintf("%q is not a Glue crawler name.", name), "use the crawler's name exactly as in the Glue console.")
	}
	if in.S3Location != "" {
		if _, _, err := ParseS3Location(in.S3Location); err != nil {
			add("s3Location", err.Error(), "write it as s3://bucket/prefix/ (or omit it to use the crawler's S3 target).")
		}
	}
	if in.GlueDatabase != "" && !databasePattern.MatchString(in.GlueDatabase) {
		add("glueDatabase", fmt.Sprintf("%q is not a Glue database name.", in.GlueDatabase), "use the lower-case name of the crawler's target database (or omit it).")
	}
	if len(in.Tables) > MaxTableFilters {
		add("tables", fmt.Sprintf("has %d expressions; at most %d are allowed.", len(in.Tables), MaxTableFilters), "use wildcards (orders*) instead of listing every table.")
	}
	for i, t := range in.Tables {
		if strings.TrimSpace(t) == "" || len(t) > 2048 {
			add(fmt.Sprintf("tables[%d]", i), "must be a table name or pattern of 1-2048 characters.", `use a name or a pattern with * wildcards, e.g. "orders*".`)
		}
	}
	if n := len(in.DataSourceName); in.DataSourceName != "" && (n > 256 || strings.TrimSpace(in.DataSourceName) == "") {
		add("dataSourceName", "must be 1-256 characters.", "shorten it, or omit it to use the derived name.")
	}
	if len(in.Consumers) > MaxConsumers {
		add("consumers", fmt.Sprintf("has %d entries; at most %d are allowed.", len(in.Consumers), MaxConsumers), "onboard in several runs.")
	}
	seen := map[string]int{}
	for i, c := range in.Consumers {
		f := fmt.Sprintf("consumers[%d]", i)
		checkID(f+".projectId", c.ProjectID, "consumer project")
		checkID(f+".environmentId", c.EnvironmentID, "consumer DefaultDataLake environment")
		if c.EnvironmentID != "" && c.EnvironmentID == in.EnvironmentID {
			add(f+".environmentId", "is the producer environment, which is always subscribed.", "remove this consumer.")
		}
		if j, dup := seen[c.EnvironmentID]; dup && c.EnvironmentID != "" {
			add(f+".environmentId", fmt.Sprintf("repeats consumers[%d].", j), "list each consumer environment once.")
		}
		seen[c.EnvironmentID] = i
	}
	if v := in.Verify; v != nil {
		if v.MinRows != nil && *v.MinRows < 0 {
			add("verify.minRows", fmt.Sprintf("is %d; it cannot be negative.", *v.MinRows), "use 0 to accept empty tables, or the least row count you expect.")
		}
		if v.SampleRows != nil && (*v.SampleRows < 1 || *v.SampleRows > MaxSampleRows) {
			add("verify.sampleRows", fmt.Sprintf("is %d; it must be 1-%d.", *v.SampleRows, MaxSampleRows), fmt.Sprintf("use a number from 1 to %d (default %d).", MaxSampleRows, DefaultSampleRows))
		}
		if len(v.Queries) > MaxQueries {
			add("verify.queries", fmt.Sprintf("has %d queries; at most %d are allowed.", len(v.Queries), MaxQueries), "keep the few queries that prove the data.")
		}
		for i, q := range v.Queries {
			if p := checkQuery(q); p != "" {
				add(fmt.Sprintf("verify.queries[%d]", i), p, "write one SELECT (or WITH ... SELECT) statement without a trailing semicolon.")
			}
		}
	}
	return ps
}

func checkQuery(q string) string {
	switch {
	case len(q) > MaxQueryLength:
		return fmt.Sprintf("is %d bytes; Athena accepts at most %d.", len(q), MaxQueryLength)
	case !readOnlyQuery.MatchString(q):
		return "is not a read-only query (it must start with SELECT or WITH)."
	case strings.Contains(strings.TrimRight(strings.TrimSpace(q), ";"), ";"):
		return "holds more than one statement."
	}
	return ""
}

// ParseS3Location splits s3://bucket/prefix/ into bucket and prefix ("" or ending in "/").
func ParseS3Location(loc string) (bucket, prefix string, err error) {
	m := s3LocationRegexp.FindStringSubmatch(loc)
	switch {
	case m == nil:
		return "", "", fmt.Errorf("%q is not an s3:// location.", loc)
	case !bucketPattern.MatchString(m[1]):
		return "", "", fmt.Errorf("%q is not a valid S3 bucket name.", m[1])
	case m[2] != "" && !strings.HasSuffix(m[2], "/"):
		return "", "", fmt.Errorf("%q must end with / (it names a prefix, not an object).", loc)
	case strings.ContainsAny(m[2], "*?"):
		return "", "", fmt.Errorf("%q holds a wildcard.", loc)
	}
	return m[1], m[2], nil
}

// LocationARN is the Lake Formation resource ARN of an s3:// location in an ARN partition:
// arn:<partition>:s3:::bucket/prefix without a trailing slash.
func LocationARN(partition, loc string) string {
	return "arn:" + partition + ":s3:::" + strings.TrimSuffix(strings.TrimPrefix(loc, "s3://"), "/")
}

// decodeStrict decodes a JSON object into the struct dst points at, recording a Problem for
// every unknown field (with the nearest known name) and every value of the wrong type, and
// recursing into nested objects and arrays of objects so that all problems are reported at once.
func decodeStrict(raw json.RawMessage, path string, dst any, ps *[]Problem) {
	where := path
	if where == "" {
		where = "input"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		*ps = append(*ps, Problem{Field: where, Problem: "must be a JSON object.", Fix: "see examples/real-account.json for the shape."})
		return
	}
	v := reflect.ValueOf(dst).Elem()
	fields := map[string]reflect.Value{}
	var names []string
	for i := 0; i < v.NumField(); i++ {
		name := strings.Split(v.Type().Field(i).Tag.Get("json"), ",")[0]
		fields[name] = v.Field(i)
		names = append(names, name)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field := join(path, k)
		f, ok := fields[k]
		if !ok {
			fix := "remove it; the fields are " + strings.Join(names, ", ") + "."
			if near := nearest(k, names); near != "" {
				fix = fmt.Sprintf("did you mean %q?", near)
			}
			*ps = append(*ps, Problem{Field: field, Problem: "is not a known field.", Fix: fix})
			continue
		}
		decodeField(obj[k], field, f, ps)
	}
}

func decodeField(raw json.RawMessage, field string, f reflect.Value, ps *[]Problem) {
	t := f.Type()
	switch {
	case t.Kind() == reflect.Struct:
		decodeStrict(raw, field, f.Addr().Interface(), ps)
		return
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		if string(raw) == "null" {
			return
		}
		p := reflect.New(t.Elem())
		decodeStrict(raw, field, p.Interface(), ps)
		f.Set(p)
		return
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			*ps = append(*ps, Problem{Field: field, Problem: "must be an array of objects."})
			return
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			decodeStrict(item, fmt.Sprintf("%s[%d]", field, i), s.Index(i).Addr().Interface(), ps)
		}
		f.Set(s)
		return
	}
	if err := json.Unmarshal(raw, f.Addr().Interface()); err != nil {
		*ps = append(*ps, Problem{Field: field, Problem: "must be " + kindName(t) + ".", Fix: "see examples/real-account.json for the shape."})
	}
}

func kindName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Slice:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(kindName(t.Elem()), "a "), "an ") + "s"
	}
	return "a " + t.Kind().String()
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// nearest returns the known name closest to k (edit distance at most 3, case-insensitive).
func nearest(k string, names []string) string {
	best, bestD := "", 4
	for _, n := range names {
		if d := editDistance(strings.ToLower(k), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
