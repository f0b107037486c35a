package verify

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/workflow"
)

// verifyAccess moves the two checks of one subscribed table in one environment on: start what is
// not started (while fewer than maxRunning queries run), and judge what has finished. Checks that
// failed only with the access denials of a grant not yet in effect are tried again (see retry).
func (tk *tick) verifyAccess(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (waitloop.Step, error) {
	where := fmt.Sprintf("%s for environment %s", tb.Name, tg.EnvironmentID)
	step := waitloop.Step{What: where, Status: statusChecked}
	if verified(*a) {
		return step, nil
	}
	for _, name := range []string{tg.SubscriptionDatabase, a.SubscribedTable} {
		if !identPattern.MatchString(name) {
			step.Status, step.Problem = statusFailed, &workflow.Problem{
				Field:   where,
				Problem: fmt.Sprintf("%q is not a name dzonboard puts into SQL (1-255 letters, digits, _ or -).", name),
				Fix:     "check the environment's subscription database and the subscription grant's target name in DataZone; rename the table or database if it was renamed by hand.",
			}
			return step, nil
		}
	}
	problems, lagging, err := tk.checks(ctx, tb, tg, a, where)
	if err != nil {
		return step, err
	}
	if lagging > 0 && lagging == len(problems) {
		if problems, step.NotBefore = tk.retry(ctx, where, a, problems); problems == nil {
			step.Status = statusRetry
			return step, nil
		}
	}
	switch {
	case len(problems) > 0:
		step.Status, step.Problem = statusFailed, merge(problems)
	case verified(*a):
	case len(a.QueryIDs) < len(kinds):
		step.Status = statusToStart
	default:
		step.Status = statusRunning
	}
	return step, nil
}

// checks starts and judges the two checks of one access (see verifyAccess); lagging counts the
// problems that are access denials a grant not yet in effect also gives.
func (tk *tick) checks(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access, where string) (problems []workflow.Problem, lagging int, err error) {
	db, table := tg.SubscriptionDatabase, a.SubscribedTable
	for k, kind := range kinds {
		if (kind == kindCount && a.RowCount != nil) || (kind == kindSample && a.Columns != nil) {
			continue
		}
		if k > len(a.QueryIDs) {
			break // the earlier check is not started yet
		}
		if k == len(a.QueryIDs) {
			if lagging > 0 {
				break // this attempt is over
			}
			id, err := tk.start(ctx, tg, checkSQL(kind, db, table, tk.w.Plan.Verify.SampleRows),
				tg.EnvironmentID, tb.Name, kind, attemptKey(a.QueryAttempts+1))
			if err != nil || id == "" {
				return problems, lagging, err
			}
			a.QueryIDs = append(a.QueryIDs, id)
			continue
		}
		res, err := tk.poll(ctx, tg, a.QueryIDs[k], kind == kindCount)
		if err != nil {
			return problems, lagging, err
		}
		switch {
		case res == nil:
		case res.failed != "":
			if res.propagating() {
				lagging++
			}
			problems = append(problems, tk.queryProblem(where, table, tg, a.QueryIDs[k], res))
		case kind == kindCount:
			n, perr := countOf(res)
			if perr != "" {
				problems = append(problems, workflow.Problem{Field: where, Problem: perr, Fix: "open query " + a.QueryIDs[k] + " in the Athena console to see what it returned."})
				continue
			}
			a.RowCount = &n
			if minRows := tk.w.Plan.Verify.MinRows; n < minRows {
				problems = append(problems, workflow.Problem{
					Field:   where,
					Problem: fmt.Sprintf("%s.%s has %d rows; at least %d were expected.", db, table, n, minRows),
					Fix:     fmt.Sprintf("check that %s holds the data and that the crawler read it, or lower verify.minRows.", tk.w.Plan.S3Location),
				})
			}
		default:
			a.Columns = res.columns
			want, err := tk.schema(ctx, tb)
			if err != nil {
				return problems, lagging, err
			}
			if !sameColumns(res.columns, want) {
				problems = append(problems, workflow.Problem{
					Field: where,
					Problem: fmt.Sprintf("the sample of %s.%s has columns [%s] but Glue table %s.%s has [%s].",
						db, table, strings.Join(res.columns, ", "), tk.w.Plan.GlueDatabase, tb.Name, strings.Join(want, ", ")),
					Fix: "run the crawler and the data source again so that the catalog, the DataZone asset and the subscription match the data, then start again.",
				})
			}
		}
	}
	return problems, lagging, nil
}

// countOf reads the row count from a COUNT(*) result.
func countOf(res *result) (int64, string) {
	if len(res.rows) == 0 || len(res.rows[0]) == 0 {
		return 0, "the row count query returned no row."
	}
	n, err := strconv.ParseInt(res.rows[0][0], 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("the row count query returned %q, not a number.", res.rows[0][0])
	}
	return n, ""
}

// schema returns the column names of the onboarded Glue table: its columns, then its partition
// keys.
func (tk *tick) schema(ctx context.Context, tb *workflow.Table) ([]string, error) {
	if cols, ok := tk.schemas[tb.Name]; ok {
		return cols, nil
	}
	out, err := tk.d.Glue.GetTable(ctx, &glue.GetTableInput{
		DatabaseName: aws.String(tk.w.Plan.GlueDatabase),
		Name:         aws.String(tb.Name),
	})
	if err != nil {
		return nil, awsapi.Classify(fmt.Sprintf("get glue table %s.%s", tk.w.Plan.GlueDatabase, tb.Name), err)
	}
	var cols []string
	if t := out.Table; t != nil {
		if t.StorageDescriptor != nil {
			for _, c := range t.StorageDescriptor.Columns {
				cols = append(cols, aws.ToString(c.Name))
			}
		}
		for _, c := range t.PartitionKeys {
			cols = append(cols, aws.ToString(c.Name))
		}
	}
	tk.schemas[tb.Name] = cols
	return cols, nil
}

// sameColumns compares column names in order, ignoring case.
func sameColumns(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.EqualFold(got[i], want[i]) {
			return false
		}
	}
	return true
}

// userQuery moves one of the input's queries on, in the producer environment. While the checks
// of the producer's access to a table are being tried again (retry), it does not start, and an
// access denial that a grant not yet in effect also gives sends it back to wait for them: it runs
// again, once, after they pass.
func (tk *tick) userQuery(ctx context.Context, k int, q *workflow.Query) (waitloop.Step, error) {
	tg := tk.w.Plan.Producer
	step := waitloop.Step{What: fmt.Sprintf("query %d", k+1), Status: statusChecked}
	if queryDone(*q) {
		return step, nil
	}
	if q.QueryID == "" {
		step.Status = statusToStart
		if tk.producerLagging() {
			return step, nil
		}
		id, err := tk.start(ctx, tg, q.SQL, tg.EnvironmentID, "query", strconv.Itoa(k), q.SQL, attemptKey(tk.producerAttempts()+1))
		if err != nil || id == "" {
			return step, err
		}
		q.QueryID, step.Status = id, statusRunning
		return step, nil
	}
	res, err := tk.poll(ctx, tg, q.QueryID, true)
	if err != nil {
		return step, err
	}
	if res == nil {
		step.Status = statusRunning
		return step, nil
	}
	q.State = res.state
	if res.failed != "" {
		if res.propagating() && tk.producerLagging() {
			// The producer cannot read the tables yet either: run the query again once it can.
			q.QueryID, q.State = "", ""
			step.Status = statusToStart
			return step, nil
		}
		step.Status, step.Problem = statusFailed, &workflow.Problem{
			Field:   fmt.Sprintf("verify.queries[%d]", k),
			Problem: fmt.Sprintf("query %s ended %s: %s", q.QueryID, res.state, res.failed),
			Fix:     tk.fixFor(res, fmt.Sprintf("run it in the Athena console of workgroup %s (database %s, as the environment's role: Query data in the DataZone portal), correct it and start again.", tg.Workgroup, tg.SubscriptionDatabase)),
		}
		return step, nil
	}
	n := int64(len(res.rows))
	q.Rows = &n
	return step, nil
}
