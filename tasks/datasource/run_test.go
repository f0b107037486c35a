package datasource_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/datazone"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/datasource"
	"github.com/dzonboard/dzonboard/workflow"
)

// ensured returns execution exec's Work after EnsureDataSource is done.
func ensured(t *testing.T, a *tasktest.Account, w workflow.Work) workflow.Work {
	t.Helper()
	w, _, err := a.Drive(t, datasource.NewEnsure(a.C.DataZone, tasktest.Clock(a.SB)).Handle, w)
	if err != nil {
		t.Fatalf("ensure data source: %v", err)
	}
	return w
}

// hiddenRuns hides active runs from the first hide ListDataSourceRuns calls that filter on a
// status (-1: from all), as a list that has not caught up with a run started a moment ago would.
type hiddenRuns struct {
	awsapi.RunAPI
	hide int
}

func (h *hiddenRuns) ListDataSourceRuns(ctx context.Context, in *datazone.ListDataSourceRunsInput, opts ...func(*datazone.Options)) (*datazone.ListDataSourceRunsOutput, error) {
	if in.Status != "" && h.hide != 0 {
		h.hide--
		return &datazone.ListDataSourceRunsOutput{}, nil
	}
	return h.RunAPI.ListDataSourceRuns(ctx, in, opts...)
}

func TestRun(t *testing.T) {
	tests := []struct {
		name  string
		setup tasktest.AccountSetup
		// before returns the Work RunDataSource receives, and the client it uses.
		before     func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI)
		wantOrigin string
		wantOps    []string // mutating calls RunDataSource made, as tasktest.Ops spells them
		wantErr    error
		wantText   []string
		check      func(t *testing.T, a *tasktest.Account, w workflow.Work)
	}{
		{
			name: "adopts the first run a new data source starts by itself",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				return ensured(t, a, a.Work(t, "exec-1")), a.C.DataZone
			},
			wantOrigin: "adopted",
		},
		{
			name: "starts a run when none is active and the data source is new",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				w := ensured(t, a, a.Work(t, "exec-1"))
				a.SB.Advance(time.Minute) // the first run has ended
				return w, a.C.DataZone
			},
			wantOrigin: "started",
			wantOps:    []string{"StartDataSourceRun"},
			check: func(t *testing.T, a *tasktest.Account, w workflow.Work) {
				j := a.SB.Journal()
				want := workflow.ClientToken("exec-1", workflow.TaskRun, w.DataSource.ID)
				for _, e := range j {
					if e.Op == "StartDataSourceRun" && e.Keys["clientToken"] != want {
						t.Errorf("client token %q, want %q (execution and data source)", e.Keys["clientToken"], want)
					}
				}
			},
		},
		{
			name: "reuses the newest run on a second execution and changes nothing",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				a.Onboarded(t, "exec-1")
				a.SB.Advance(time.Hour)
				return ensured(t, a, a.Work(t, "exec-2")), a.C.DataZone
			},
			wantOrigin: "reused",
		},
		{
			name: "starts a new run on a second execution after a table changed",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				a.Onboarded(t, "exec-1")
				a.WriteTable(t, "orders", "order_id,region,quantity,unit_price\nO-1,eu,3,2.5\n")
				a.Crawl(t)
				return ensured(t, a, a.Work(t, "exec-2")), a.C.DataZone
			},
			wantOrigin: "started",
			wantOps:    []string{"StartDataSourceRun"},
		},
		{
			name: "starts a new run when EnsureDataSource has just updated the data source's filters",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				createDataSource(t, a, "orders*", "customers")
				a.SB.Advance(time.Minute) // its first run imported every table, with the old filters
				return ensured(t, a, a.Work(t, "exec-1")), a.C.DataZone
			},
			wantOrigin: "started",
			wantOps:    []string{"StartDataSourceRun"},
		},
		{
			name: "a start that conflicts with a run it could not see adopts that run",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				return ensured(t, a, a.Work(t, "exec-1")), &hiddenRuns{RunAPI: a.C.DataZone, hide: 2}
			},
			wantOrigin: "adopted",
			wantOps:    []string{"StartDataSourceRun!ConflictException"}, // refused
			check: func(t *testing.T, a *tasktest.Account, w workflow.Work) {
				for _, e := range a.SB.Journal() {
					if e.Op == "StartDataSourceRun" && e.Error != "ConflictException" {
						t.Errorf("start ended %q, want ConflictException", e.Error)
					}
				}
			},
		},
		{
			name: "a conflicting start with no active run to adopt is a TransientError",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				return ensured(t, a, a.Work(t, "exec-1")), &hiddenRuns{RunAPI: a.C.DataZone, hide: -1}
			},
			wantOps:  []string{"StartDataSourceRun!ConflictException"},
			wantErr:  &workflow.TransientError{},
			wantText: []string{"start a run of data source", "ConflictException"},
		},
		{
			name:  "tables the manage-access role cannot read are one TableImportError naming the role and each table",
			setup: tasktest.AccountSetup{NoGrants: true},
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				return ensured(t, a, a.Work(t, "exec-1")), a.C.DataZone
			},
			wantErr: &workflow.TableImportError{},
			wantText: []string{"2 problems", "acme_sales.orders:", "acme_sales.orders_archive:", "SKIPPED_NO_ACCESS",
				"grant DataZone's manage-access role " + tasktest.ManageAccessRole + " DESCRIBE and SELECT with grant option on acme_sales.orders in Lake Formation"},
		},
		{
			name: "a table outside the data source's filters is left out with its problem; the others go on",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				w := ensured(t, a, a.Work(t, "exec-1"))
				w.Tables = append([]workflow.Table{{Name: "customers"}}, w.Tables...) // sorted by name
				return w, a.C.DataZone
			},
			wantOrigin: "adopted",
			check: func(t *testing.T, a *tasktest.Account, w workflow.Work) {
				tb := w.Table("customers")
				if tb.Onboarding() || tb.Failed.Stage != workflow.TaskRun || tb.Failed.Problem.Field != "acme_sales.customers" ||
					!strings.Contains(tb.Failed.Problem.Fix, "outside the data source's filters") {
					t.Errorf("customers = %+v, want left out by Run with the missing-activity problem", tb)
				}
				if w.Table("orders").AssetID == "" || !w.Table("orders").Onboarding() {
					t.Errorf("orders = %+v, want its asset", w.Table("orders"))
				}
			},
		},
		{
			name: "a run that fails is a DataSourceFailedError with DataZone's message",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				w := a.Work(t, "exec-1")
				w.Plan.GlueDatabase, w.Plan.DataSourceName = "acme_gone", "dzonboard-acme_gone"
				return ensured(t, a, w), a.C.DataZone
			},
			wantErr:  &workflow.DataSourceFailedError{},
			wantText: []string{"FAILED", "RESOURCE_NOT_FOUND_EXCEPTION", "acme_gone does not exist", "Fix:"},
		},
		{
			name: "a Work without a data source is a ServiceError",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.RunAPI) {
				return a.Work(t, "exec-1"), a.C.DataZone
			},
			wantErr:  &workflow.ServiceError{},
			wantText: []string{"DataSource must run before Run"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tasktest.NewAccount(t, tt.setup)
			in, api := tt.before(t, a)
			before := len(a.SB.Journal())
			w, _, err := a.Drive(t, datasource.NewRun(api, tasktest.Clock(a.SB)).Handle, in)
			tasktest.WantOps(t, a.SB, before, tt.wantOps...)
			if tt.wantErr != nil {
				tasktest.WantError(t, err, tt.wantErr, tt.wantText...)
				return
			}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			ds := w.DataSource
			if ds.RunOrigin != tt.wantOrigin || ds.RunID == "" || ds.RunStatus != "SUCCESS" {
				t.Errorf("run %q origin %q status %q, want a %s run that ended SUCCESS", ds.RunID, ds.RunOrigin, ds.RunStatus, tt.wantOrigin)
			}
			for _, tb := range w.Tables {
				if tb.AssetID == "" && tb.Onboarding() {
					t.Errorf("table %s has no asset", tb.Name)
				}
			}
			if !tasktest.StageEnded(w, workflow.TaskRun) {
				t.Errorf("timings %+v, want Run ended", w.Timings)
			}
			if tt.check != nil {
				tt.check(t, a, w)
			}
		})
	}
}

// TestRunKeepsAssets checks that a second execution with nothing changed makes no mutating call
// (EnsureDataSource and RunDataSource) and records the same data source, run and assets.
func TestRunKeepsAssets(t *testing.T) {
	a := tasktest.NewAccount(t, tasktest.AccountSetup{})
	first := a.Onboarded(t, "exec-1")
	a.SB.Advance(time.Hour)
	before := len(a.SB.Journal())
	second := a.Onboarded(t, "exec-2")
	tasktest.WantOps(t, a.SB, before) // the second execution changes nothing
	for i, tb := range second.Tables {
		if tb.AssetID != first.Tables[i].AssetID {
			t.Errorf("table %s: asset %s, first execution %s", tb.Name, tb.AssetID, first.Tables[i].AssetID)
		}
	}
	if second.DataSource.ID != first.DataSource.ID || second.DataSource.RunID != first.DataSource.RunID {
		t.Errorf("second execution data source %s run %s, want the first's %s %s",
			second.DataSource.ID, second.DataSource.RunID, first.DataSource.ID, first.DataSource.RunID)
	}
}
