package report

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/tasks/internal/problems"

	"github.com/dzonboard/dzonboard/workflow"
)

// The Status of a report: SUCCEEDED when every table was onboarded, FAILED when a stage left
// some out (the execution then fails too).
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
)

// Reports keeps full reports (a *tablestore.Store): SaveReport sets out.ReportURI and writes out.
type Reports interface {
	SaveReport(ctx context.Context, execution string, out *workflow.Output) error
}

// Task is the Report task.
type Task struct {
	now     func() time.Time
	reports Reports
}

// New returns the Report task; now is the time the execution ends.
func New(now func() time.Time, reports Reports) *Task { return &Task{now: now, reports: reports} }

// Handle builds the report from the final Work, writes it whole (every table) to the state
// bucket, and returns it with the first workflow.InlineTables tables of each list as the
// execution output. When a stage left tables (or user queries) out, the execution fails instead,
// with the named error of the earliest such stage listing the tables and queries left out, each
// with its fix, and a last line on the tables that were onboarded and where the report is.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Output, error) {
	out := t.output(w)
	stage, ps := w.Failures()
	if stage != "" {
		out.Status = StatusFailed
	}
	if err := t.reports.SaveReport(ctx, w.Plan.Execution, &out); err != nil {
		return workflow.Output{}, err
	}
	if stage == "" {
		return out.Inline(), nil
	}
	if b, err := json.Marshal(out.Inline()); err == nil {
		slog.InfoContext(ctx, "onboarding report (the execution fails: some tables were left out)", "report", string(b))
	}
	ps = problems.Compact(ctx, ps)
	if done := onboarded(w.Tables); len(done) > 0 {
		ps = append(ps, workflow.Problem{
			Problem: fmt.Sprintf("%d other table(s) were onboarded: %s.", len(done), summary(done)),
			Fix:     "they need nothing; the full report is " + out.ReportURI + ".",
		})
	}
	run := ""
	if w.DataSource != nil {
		run = w.DataSource.RunID
	}
	return workflow.Output{}, workflow.StageError(stage, run, ps)
}

// output is the execution output of a Work.
func (t *Task) output(w workflow.Work) workflow.Output {
	p := w.Plan
	out := workflow.Output{
		Status:               StatusSucceeded,
		DomainID:             p.DomainID,
		ProjectID:            p.Producer.ProjectID,
		EnvironmentID:        p.Producer.EnvironmentID,
		GlueDatabase:         p.GlueDatabase,
		S3Location:           p.S3Location,
		SubscriptionDatabase: p.Producer.SubscriptionDatabase,
		Workgroup:            p.Producer.Workgroup,
		Tables:               tables(w.Tables, 0),
		Queries:              w.Queries,
		MadeManaged:          madeManaged(w.Tables),
		Timings:              timings(w, t.now()),
	}
	out.TableCount = len(out.Tables)
	out.MadeManagedCount = len(out.MadeManaged)
	if ds := w.DataSource; ds != nil {
		out.DataSourceID, out.DataSourceRunID = ds.ID, ds.RunID
	}
	for i, c := range p.Consumers {
		out.Consumers = append(out.Consumers, workflow.ConsumerReport{
			ProjectID:            c.ProjectID,
			EnvironmentID:        c.EnvironmentID,
			SubscriptionDatabase: c.SubscriptionDatabase,
			Workgroup:            c.Workgroup,
			Tables:               tables(w.Tables, i+1),
		})
	}
	return out
}

// madeManaged are the names of the tables the workflow made Lake Formation-managed.
func madeManaged(ts []workflow.Table) []string {
	var out []string
	for _, t := range ts {
		if t.MadeManaged {
			out = append(out, t.Name)
		}
	}
	return out
}

// onboarded are the names of the tables no stage left out.
func onboarded(ts []workflow.Table) []string {
	var out []string
	for _, t := range ts {
		if t.Onboarding() {
			out = append(out, t.Name)
		}
	}
	return out
}

// summary names the first few of names.
func summary(names []string) string {
	const show = 10
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:show], ", ") + fmt.Sprintf(" and %d more", len(names)-show)
}

// tables is every table still onboarding as the target at index j of Plan.Targets() sees it. Lists are never
// null in the JSON, so that every field of the report is present.
func tables(ts []workflow.Table, j int) []workflow.TableReport {
	out := make([]workflow.TableReport, 0, len(ts))
	for _, tb := range ts {
		if !tb.Onboarding() {
			continue
		}
		r := workflow.TableReport{
			GlueTable:       tb.Name,
			AssetID:         tb.AssetID,
			AssetRevision:   tb.AssetRevision,
			ListingID:       tb.ListingID,
			ListingRevision: tb.ListingRevision,
			Columns:         []string{},
			QueryIDs:        []string{},
		}
		if j < len(tb.Access) {
			a := tb.Access[j]
			r.SubscriptionID, r.GrantID, r.SubscribedTable = a.SubscriptionID, a.GrantID, a.SubscribedTable
			if a.RowCount != nil {
				r.RowCount = *a.RowCount
			}
			r.Columns = append(r.Columns, a.Columns...)
			r.QueryIDs = append(r.QueryIDs, a.QueryIDs...)
		}
		out = append(out, r)
	}
	return out
}

// timings is when the execution started (the plan) and ended (now), and each stage's seconds in
// the order the stages ran; a stage that did not end counts until now.
func timings(w workflow.Work, now time.Time) workflow.Timings {
	t := workflow.Timings{
		StartedAt:    w.Plan.StartedAt,
		EndedAt:      now,
		TotalSeconds: seconds(now.Sub(w.Plan.StartedAt)),
		Stages:       make([]workflow.StageTimeReport, 0, len(w.Timings)),
	}
	for _, s := range w.Timings {
		end := s.EndedAt
		if end.IsZero() {
			end = now
		}
		t.Stages = append(t.Stages, workflow.StageTimeReport{Stage: s.Stage, Seconds: seconds(end.Sub(s.StartedAt))})
	}
	return t
}

// seconds is d in seconds, to the millisecond, never negative.
func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d.Round(time.Millisecond).Milliseconds()) / 1000
}
