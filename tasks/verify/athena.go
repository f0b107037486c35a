package verify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// catalog is the Glue Data Catalog as Athena names it.
const catalog = "AwsDataCatalog"

// result is a finished query: failed says why when it did not succeed; otherwise columns and the
// data rows (the header row removed) hold what it returned.
type result struct {
	state     string
	failed    string
	retryable bool
	// category and errType are the AthenaError's ErrorCategory (1 system, 2 user, 3 other) and
	// ErrorType of a failed query (0 when Athena gave none).
	category, errType int32
	columns           []string
	rows              [][]string
}

// start starts a query in the target's workgroup and subscription database, with a client
// request token derived from the execution and keys. It returns "" while maxRunning queries run.
func (tk *tick) start(ctx context.Context, tg workflow.Target, sql string, keys ...string) (string, error) {
	if tk.running >= maxRunning {
		return "", nil
	}
	c, err := tk.athena(ctx, tg)
	if err != nil {
		return "", err
	}
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		QueryExecutionContext: &types.QueryExecutionContext{Catalog: aws.String(catalog), Database: aws.String(tg.SubscriptionDatabase)},
		ClientRequestToken:    aws.String(workflow.ClientToken(tk.w.Plan.Execution, workflow.TaskVerify, keys...)),
	}
	if tg.Workgroup != "" {
		in.WorkGroup = aws.String(tg.Workgroup)
	}
	doing := fmt.Sprintf("start athena query in workgroup %s of environment %s", tg.Workgroup, tg.EnvironmentID)
	if err := tk.d.Starts.Wait(ctx); err != nil {
		return "", awsapi.Classify(doing, err)
	}
	out, err := c.StartQueryExecution(ctx, in)
	if err != nil {
		return "", awsapi.Classify(doing, err)
	}
	tk.running++
	return aws.ToString(out.QueryExecutionId), nil
}

// poll returns the outcome of a query, or nil while it is QUEUED or RUNNING. allRows reads every
// page of the result; otherwise only the first (enough for the columns of a sample).
func (tk *tick) poll(ctx context.Context, tg workflow.Target, id string, allRows bool) (*result, error) {
	c, err := tk.athena(ctx, tg)
	if err != nil {
		return nil, err
	}
	out, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		return nil, awsapi.Classify("get athena query "+id, err)
	}
	var st types.QueryExecutionStatus
	if out.QueryExecution != nil && out.QueryExecution.Status != nil {
		st = *out.QueryExecution.Status
	}
	switch st.State {
	case types.QueryExecutionStateSucceeded:
		return tk.results(ctx, c, id, allRows)
	case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
		res := &result{state: string(st.State), failed: aws.ToString(st.StateChangeReason)}
		if e := st.AthenaError; e != nil {
			res.retryable = e.Retryable
			res.category, res.errType = aws.ToInt32(e.ErrorCategory), aws.ToInt32(e.ErrorType)
			if res.failed == "" {
				res.failed = aws.ToString(e.ErrorMessage)
			}
		}
		if res.failed == "" {
			res.failed = "Athena gave no reason"
		}
		return res, nil
	case types.QueryExecutionStateQueued, types.QueryExecutionStateRunning:
		tk.running++
		return nil, nil
	}
	slog.InfoContext(ctx, "athena query in an unknown state", "queryId", id, "unconfirmed", string(st.State))
	tk.running++
	return nil, nil
}

// results reads a succeeded query's columns and data rows through the paginator.
func (tk *tick) results(ctx context.Context, c awsapi.VerifyAthena, id string, allRows bool) (*result, error) {
	res := &result{state: string(types.QueryExecutionStateSucceeded)}
	p := athena.NewGetQueryResultsPaginator(c, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	first := true
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Classify("get the results of athena query "+id, err)
		}
		if page.ResultSet == nil {
			break
		}
		rows := page.ResultSet.Rows
		if first {
			if md := page.ResultSet.ResultSetMetadata; md != nil {
				for _, ci := range md.ColumnInfo {
					res.columns = append(res.columns, aws.ToString(ci.Name))
				}
			}
			// Row 0 of the first page is the header row.
			if len(rows) > 0 && isHeader(rows[0], res.columns) {
				rows = rows[1:]
			}
			first = false
		}
		for _, r := range rows {
			vals := make([]string, len(r.Data))
			for i, d := range r.Data {
				vals[i] = aws.ToString(d.VarCharValue)
			}
			res.rows = append(res.rows, vals)
		}
		if !allRows {
			break
		}
	}
	if res.columns == nil {
		res.columns = []string{}
	}
	return res, nil
}

// isHeader reports whether a row holds the column names.
func isHeader(r types.Row, columns []string) bool {
	if len(r.Data) != len(columns) {
		return false
	}
	for i, d := range r.Data {
		if aws.ToString(d.VarCharValue) != columns[i] {
			return false
		}
	}
	return true
}

// queryProblem explains a failed check with the fix its reason calls for.
func (tk *tick) queryProblem(where, table string, tg workflow.Target, id string, res *result) workflow.Problem {
	generic := fmt.Sprintf("open query %s in the Athena console (workgroup %s) for the full error, correct the cause and start again.", id, tg.Workgroup)
	if res.retryable {
		generic = "Athena marks the failure as retryable: start again. If it persists, " + generic
	}
	return workflow.Problem{
		Field:   where,
		Problem: fmt.Sprintf("Athena query %s on %s.%s ended %s: %s", id, tg.SubscriptionDatabase, table, res.state, strings.TrimSpace(res.failed)),
		Fix:     tk.fixFor(res, generic),
	}
}

// Athena's error classes of a denied query (Athena user guide, "Athena error catalog"):
// ErrorCategory 2 is a user error; ErrorType 1500 is "Permission error" (Lake Formation refused
// the caller), 1501 "Amazon S3 permission error".
const (
	categoryUser       = 2
	typePermission     = 1500
	typeS3Permission   = 1501
	defaultDatabaseRef = "on default"
)

// fixFor is the fix for a failed query: the failures a wrong Lake Formation set-up causes, told
// apart by Athena's error class (or, when Athena gave none, by the reason's words), or generic.
func (tk *tick) fixFor(res *result, generic string) string {
	p := tk.w.Plan
	s3, lf := res.errType == typeS3Permission, res.errType == typePermission
	if res.category == 0 {
		s3 = strings.Contains(res.failed, "s3:ListBucket")
		lf = strings.Contains(res.failed, "Insufficient Lake Formation permission")
	}
	switch {
	case s3:
		return fmt.Sprintf("the S3 location %s is not registered with Lake Formation, so the environment role's DataZone permissions boundary stops it reading the data directly: register the location with Lake Formation (the workflow's LakeFormation stage does so when its role is a data lake administrator) and start again. Never edit or remove the permissions boundary.", p.S3Location)
	case lf && strings.Contains(res.failed, defaultDatabaseRef):
		return "Athena needs DESCRIBE on the catalog's default database for the environment role: the workflow's LakeFormation stage grants it; check that nobody revoked it and start again."
	case lf:
		return "the environment role has no Lake Formation grant on the table: the subscription grant is missing or was revoked. Check the subscription and its grant in the DataZone portal (revoke it and let the workflow subscribe again) and start again."
	}
	return generic
}
