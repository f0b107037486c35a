package sandbox

import (
	"sort"
)

// athenaOps are the Athena operations, by X-Amz-Target operation name.
var athenaOps = map[string]handler{
	"GetWorkGroup":        athenaGetWorkGroup,
	"ListWorkGroups":      athenaListWorkGroups,
	"StartQueryExecution": athenaStartQueryExecution,
	"GetQueryExecution":   athenaGetQueryExecution,
	"GetQueryResults":     athenaGetQueryResults,
	"StopQueryExecution":  athenaStopQueryExecution,
}

func athenaInvalid(format string, args ...any) *apiError {
	e := errorf(400, "InvalidRequestException", format, args...)
	e.fields = map[string]any{"AthenaErrorCode": "INVALID_INPUT"}
	return e
}

func athenaGetWorkGroup(s *Sandbox, r *request) (any, error) {
	var in struct {
		WorkGroup *string `json:"WorkGroup"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	wg, ok := s.athena.workgroups[deref(in.WorkGroup)]
	if !ok {
		return nil, athenaInvalid("WorkGroup %s is not found.", deref(in.WorkGroup))
	}
	out := map[string]any{
		"Name":         wg.name,
		"State":        "ENABLED",
		"CreationTime": epoch(wg.created),
		"Configuration": map[string]any{
			"ResultConfiguration":             map[string]any{"OutputLocation": wg.output},
			"EnforceWorkGroupConfiguration":   wg.enforce,
			"PublishCloudWatchMetricsEnabled": true,
			"RequesterPaysEnabled":            false,
			"EngineVersion": map[string]any{
				"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3",
			},
		},
	}
	if wg.description != "" {
		out["Description"] = wg.description
	}
	return map[string]any{"WorkGroup": out}, nil
}

func athenaListWorkGroups(s *Sandbox, r *request) (any, error) {
	var in struct {
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(s.athena.workgroups))
	for n := range s.athena.workgroups {
		names = append(names, n)
	}
	sort.Strings(names)
	start, end, next, err := pageBounds(len(names), deref(in.NextToken), derefInt(in.MaxResults), 50, 50, "InvalidRequestException")
	if err != nil {
		return nil, err
	}
	list := []map[string]any{}
	for _, n := range names[start:end] {
		wg := s.athena.workgroups[n]
		list = append(list, map[string]any{"Name": wg.name, "State": "ENABLED", "CreationTime": epoch(wg.created),
			"Description": wg.description,
			"EngineVersion": map[string]any{
				"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3",
			}})
	}
	out := map[string]any{"WorkGroups": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

type athenaStartInput struct {
	QueryString           *string `json:"QueryString"`
	ClientRequestToken    *string `json:"ClientRequestToken"`
	WorkGroup             *string `json:"WorkGroup"`
	QueryExecutionContext *struct {
		Database *string `json:"Database"`
		Catalog  *string `json:"Catalog"`
	} `json:"QueryExecutionContext"`
	ResultConfiguration *struct {
		OutputLocation *string `json:"OutputLocation"`
	} `json:"ResultConfiguration"`
}

func athenaStartQueryExecution(s *Sandbox, r *request) (any, error) {
	var in athenaStartInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	q, err := s.startQuery(r, in)
	if err != nil {
		return nil, err
	}
	r.key("QueryExecutionId", q.id)
	return map[string]any{"QueryExecutionId": q.id}, nil
}

func athenaQueryByID(s *Sandbox, id *string) (*athenaQuery, error) {
	q, ok := s.athena.queries[deref(id)]
	if !ok {
		return nil, athenaInvalid("QueryExecution %s was not found", deref(id))
	}
	return q, nil
}

func athenaGetQueryExecution(s *Sandbox, r *request) (any, error) {
	var in struct {
		QueryExecutionID *string `json:"QueryExecutionId"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	q, err := athenaQueryByID(s, in.QueryExecutionID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"QueryExecution": q.output(s)}, nil
}

func athenaStopQueryExecution(s *Sandbox, r *request) (any, error) {
	var in struct {
		QueryExecutionID *string `json:"QueryExecutionId"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	r.key("QueryExecutionId", deref(in.QueryExecutionID))
	q, err := athenaQueryByID(s, in.QueryExecutionID)
	if err != nil {
		return nil, err
	}
	if q.state == "QUEUED" || q.state == "RUNNING" {
		q.state, q.completed, q.reason = "CANCELLED", s.now(), "Query was cancelled by user"
	}
	return nil, nil
}

func athenaGetQueryResults(s *Sandbox, r *request) (any, error) {
	var in struct {
		QueryExecutionID *string `json:"QueryExecutionId"`
		MaxResults       *int    `json:"MaxResults"`
		NextToken        *string `json:"NextToken"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	q, err := athenaQueryByID(s, in.QueryExecutionID)
	if err != nil {
		return nil, err
	}
	switch q.state {
	case "SUCCEEDED":
	case "FAILED", "CANCELLED":
		return nil, athenaInvalid("%s", q.reason)
	default:
		return nil, athenaInvalid("Query has not yet finished. Current state: %s", q.state)
	}
	if m := derefInt(in.MaxResults); m < 0 || m > 1000 {
		return nil, athenaInvalid("MaxResults must be between 1 and 1000")
	}
	rows := make([]map[string]any, 0, len(q.result.Rows)+1)
	header := make([]map[string]any, len(q.result.Columns))
	for i, c := range q.result.Columns {
		header[i] = map[string]any{"VarCharValue": c.Name}
	}
	rows = append(rows, map[string]any{"Data": header})
	for _, row := range q.result.Rows {
		data := make([]map[string]any, len(row))
		for i, v := range row {
			data[i] = map[string]any{}
			if v != nil {
				data[i]["VarCharValue"] = *v
			}
		}
		rows = append(rows, map[string]any{"Data": data})
	}
	start, end, next, err := pageBounds(len(rows), deref(in.NextToken), derefInt(in.MaxResults), 1000, 1000, "InvalidRequestException")
	if err != nil {
		return nil, err
	}
	cols := make([]map[string]any, len(q.result.Columns))
	for i, c := range q.result.Columns {
		precision, scale := athenaPrecision(c.Type)
		cols[i] = map[string]any{
			"CatalogName": "hive", "SchemaName": "", "TableName": "",
			"Name": c.Name, "Label": c.Name, "Type": c.Type,
			"Precision": precision, "Scale": scale, "Nullable": "UNKNOWN", "CaseSensitive": c.Type == "varchar",
		}
	}
	out := map[string]any{
		"UpdateCount": 0,
		"ResultSet": map[string]any{
			"Rows":              rows[start:end],
			"ResultSetMetadata": map[string]any{"ColumnInfo": cols},
		},
	}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// athenaPrecision is the Precision and Scale Athena reports for a column type.
func athenaPrecision(typ string) (int, int) {
	switch typ {
	case "bigint":
		return 19, 0
	case "integer":
		return 10, 0
	case "double":
		return 17, 0
	case "date":
		return 0, 0
	case "boolean":
		return 0, 0
	case "varchar":
		return 2147483647, 0
	}
	return 0, 0
}

// output is the QueryExecution shape.
func (q *athenaQuery) output(s *Sandbox) map[string]any {
	status := map[string]any{"State": q.state, "SubmissionDateTime": epoch(q.submitted)}
	if !q.completed.IsZero() {
		status["CompletionDateTime"] = epoch(q.completed)
	}
	if q.reason != "" {
		status["StateChangeReason"] = q.reason
	}
	if q.state == "FAILED" {
		c := athenaErrorOf(q.errKind)
		status["AthenaError"] = map[string]any{"ErrorCategory": c.category, "ErrorType": c.typ, "Retryable": false, "ErrorMessage": q.reason}
	}
	stats := map[string]any{"DataScannedInBytes": 0, "EngineExecutionTimeInMillis": 0, "TotalExecutionTimeInMillis": 0,
		"QueryQueueTimeInMillis": 0}
	if !q.started.IsZero() {
		stats["QueryQueueTimeInMillis"] = q.started.Sub(q.submitted).Milliseconds()
	}
	if !q.completed.IsZero() && !q.started.IsZero() {
		stats["EngineExecutionTimeInMillis"] = q.completed.Sub(q.started).Milliseconds()
		stats["TotalExecutionTimeInMillis"] = q.completed.Sub(q.submitted).Milliseconds()
	}
	if q.result != nil {
		stats["DataScannedInBytes"] = q.result.Scanned
	}
	ctx := map[string]any{"Catalog": q.catalog}
	if q.database != "" {
		ctx["Database"] = q.database
	}
	return map[string]any{
		"QueryExecutionId":      q.id,
		"Query":                 q.query,
		"StatementType":         "DML",
		"WorkGroup":             q.workgroup,
		"QueryExecutionContext": ctx,
		"ResultConfiguration":   map[string]any{"OutputLocation": q.outputLocation},
		"Status":                status,
		"Statistics":            stats,
		"EngineVersion": map[string]any{
			"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3",
		},
		"SubstatementType":    "SELECT",
		"ExecutionParameters": []string{},
		"ResultReuseConfiguration": map[string]any{
			"ResultReuseByAgeConfiguration": map[string]any{"Enabled": false, "MaxAgeInMinutes": 60},
		},
	}
}
