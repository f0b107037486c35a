package datasource_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/datasource"
	"github.com/dzonboard/dzonboard/workflow"
)

// createDataSource creates the plan's data source as someone else would (another client token),
// with the given filters, and lets it become READY and finish its first run.
func createDataSource(t *testing.T, a *tasktest.Account, filters ...string) string {
	t.Helper()
	var exprs []dztypes.FilterExpression
	for _, f := range filters {
		exprs = append(exprs, dztypes.FilterExpression{Type: dztypes.FilterExpressionTypeInclude, Expression: aws.String(f)})
	}
	out, err := a.Admin.DataZone.CreateDataSource(context.Background(), &datazone.CreateDataSourceInput{
		DomainIdentifier:      aws.String(tasktest.DomainID),
		ProjectIdentifier:     aws.String(tasktest.Producer.ProjectID),
		EnvironmentIdentifier: aws.String(tasktest.Producer.EnvironmentID),
		Name:                  aws.String(tasktest.DataSourceName),
		Type:                  aws.String("GLUE"),
		Configuration: &dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: dztypes.GlueRunConfigurationInput{
			RelationalFilterConfigurations: []dztypes.RelationalFilterConfiguration{{DatabaseName: aws.String(tasktest.Database), FilterExpressions: exprs}},
		}},
		ClientToken: aws.String("created-by-hand"),
	})
	if err != nil {
		t.Fatalf("create data source: %v", err)
	}
	return aws.ToString(out.Id)
}

// staleList hides every data source from the first ListDataSources call, as a list that has not
// caught up with a create made a moment earlier would.
type staleList struct {
	awsapi.DataSourceAPI
	calls int
}

func (s *staleList) ListDataSources(ctx context.Context, in *datazone.ListDataSourcesInput, opts ...func(*datazone.Options)) (*datazone.ListDataSourcesOutput, error) {
	s.calls++
	if s.calls == 1 {
		return &datazone.ListDataSourcesOutput{}, nil
	}
	return s.DataSourceAPI.ListDataSources(ctx, in, opts...)
}

// failedStatus reports a status the sandbox never reaches, over the real data source.
type failedStatus struct {
	awsapi.DataSourceAPI
	status dztypes.DataSourceStatus
}

func (f failedStatus) GetDataSource(ctx context.Context, in *datazone.GetDataSourceInput, opts ...func(*datazone.Options)) (*datazone.GetDataSourceOutput, error) {
	out, err := f.DataSourceAPI.GetDataSource(ctx, in, opts...)
	if err == nil {
		out.Status = f.status
		out.ErrorMessage = &dztypes.DataSourceErrorMessage{ErrorType: dztypes.DataSourceErrorTypeAccessDeniedException,
			ErrorDetail: aws.String("role cannot read the catalog")}
	}
	return out, err
}

func TestEnsure(t *testing.T) {
	tests := []struct {
		name  string
		setup tasktest.AccountSetup
		// prepare changes the account before the task runs, and may wrap the client.
		prepare func(t *testing.T, a *tasktest.Account) awsapi.DataSourceAPI
		// wantCalls is the number of invocations until done.
		wantCalls   int
		wantCreated bool
		// wantAdopted is the data source prepare created, when the task must adopt it.
		wantAdopted bool
		wantOps     []string // mutating calls the task made, as tasktest.Ops spells them
		wantErr     error
		wantText    []string
		check       func(t *testing.T, a *tasktest.Account, w workflow.Work)
	}{
		{
			name:        "creates the data source and waits until it is ready, in one invocation",
			wantCalls:   1,
			wantCreated: true,
			wantOps:     []string{"CreateDataSource"},
			check: func(t *testing.T, a *tasktest.Account, w workflow.Work) {
				ds := getDataSource(t, a, w.DataSource.ID)
				if aws.ToBool(ds.PublishOnImport) || ds.EnableSetting != dztypes.EnableSettingEnabled || aws.ToString(ds.EnvironmentId) != tasktest.Producer.EnvironmentID {
					t.Errorf("data source publishOnImport=%v enable=%s env=%s, want false ENABLED %s",
						aws.ToBool(ds.PublishOnImport), ds.EnableSetting, aws.ToString(ds.EnvironmentId), tasktest.Producer.EnvironmentID)
				}
				if got := filtersOf(ds); !slices.Equal(got, []string{tasktest.Database + ":INCLUDE:orders*"}) {
					t.Errorf("filters %v, want acme_sales INCLUDE orders*", got)
				}
				j := a.SB.Journal()
				last := j[len(j)-1]
				if want := workflow.ClientToken("exec-1", workflow.TaskDataSource, tasktest.DataSourceName); last.Keys["clientToken"] != want {
					t.Errorf("client token %q, want %q (execution and name)", last.Keys["clientToken"], want)
				}
			},
		},
		{
			name: "adopts the data source that has the name",
			prepare: func(t *testing.T, a *tasktest.Account) awsapi.DataSourceAPI {
				createDataSource(t, a, "orders*")
				a.SB.Advance(2 * time.Minute)
				return a.C.DataZone
			},
			wantCalls:   1,
			wantAdopted: true,
		},
		{
			name: "adopts a data source another call created first under another token",
			prepare: func(t *testing.T, a *tasktest.Account) awsapi.DataSourceAPI {
				createDataSource(t, a, "orders*")
				a.SB.Advance(2 * time.Minute)
				return &staleList{DataSourceAPI: a.C.DataZone}
			},
			wantCalls:   1,
			wantAdopted: true,
			wantOps:     []string{"CreateDataSource!ValidationException"}, // refused: the name is taken
			check: func(t *testing.T, a *tasktest.Account, w workflow.Work) {
				j := a.SB.Journal()
				if last := j[len(j)-1]; last.Error != "ValidationException" {
					t.Errorf("create ended %q, want the duplicate-name ValidationException", last.Error)
				}
			},
		},
		{
			name: "updates an adopted data source whose filters differ, once its run has ended",
			prepare: func(t *testing.T, a *tasktest.Account) awsapi.DataSourceAPI {
				createDataSource(t, a, "customers")
				a.SB.Advance(15 * time.Second) // READY and running its first run, with the old filters
				return a.C.DataZone
			},
			wantCalls:   1, // waits 25 s inside the invocation for the run to end (40 s from READY), then updates
			wantAdopted: true,
			wantOps:     []string{"UpdateDataSource"},
			check: func(t *testing.T, a *tasktest.Account, w workflow.Work) {
				if got := filtersOf(getDataSource(t, a, w.DataSource.ID)); !slices.Equal(got, []string{tasktest.Database + ":INCLUDE:orders*"}) {
					t.Errorf("filters after update %v, want acme_sales INCLUDE orders*", got)
				}
			},
		},
		{
			name: "a data source that failed to be created is a DataSourceFailedError",
			prepare: func(t *testing.T, a *tasktest.Account) awsapi.DataSourceAPI {
				return failedStatus{DataSourceAPI: a.C.DataZone, status: dztypes.DataSourceStatusFailedCreation}
			},
			wantOps:  []string{"CreateDataSource"},
			wantErr:  &workflow.DataSourceFailedError{},
			wantText: []string{"FAILED_CREATION", "ACCESS_DENIED_EXCEPTION: role cannot read the catalog", "Fix:"},
		},
		{
			name: "a data source being deleted is a DataSourceFailedError that says to wait",
			prepare: func(t *testing.T, a *tasktest.Account) awsapi.DataSourceAPI {
				return failedStatus{DataSourceAPI: a.C.DataZone, status: dztypes.DataSourceStatusDeleting}
			},
			wantOps:  []string{"CreateDataSource"},
			wantErr:  &workflow.DataSourceFailedError{},
			wantText: []string{"DELETING", "wait until it is gone"},
		},
		{
			name:  "throttled create is a TransientError",
			setup: tasktest.AccountSetup{Faults: []sandbox.FaultRule{{Service: "datazone", Op: "CreateDataSource", Kind: "throttle", Rate: 1}}},
			wantOps: []string{ // the SDK's 3 attempts
				"CreateDataSource!ThrottlingException", "CreateDataSource!ThrottlingException", "CreateDataSource!ThrottlingException",
			},
			wantErr:  &workflow.TransientError{},
			wantText: []string{"create data source " + tasktest.DataSourceName, "ThrottlingException"},
		},
		{
			name:     "a workflow role outside the project is an AccessDeniedError naming the fix",
			setup:    tasktest.AccountSetup{World: "not-member"},
			wantErr:  &workflow.AccessDeniedError{},
			wantText: []string{"list data sources", "project membership"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tasktest.NewAccount(t, tt.setup)
			var api awsapi.DataSourceAPI = a.C.DataZone
			before := len(a.SB.Journal())
			if tt.prepare != nil {
				api = tt.prepare(t, a)
			}
			var adopted string
			if js := a.SB.Journal()[before:]; tt.wantAdopted && len(js) > 0 {
				adopted = js[0].Keys["dataSourceId"]
			}
			before = len(a.SB.Journal())
			w, calls, err := a.Drive(t, datasource.NewEnsure(api, tasktest.Clock(a.SB)).Handle, a.Work(t, "exec-1"))
			tasktest.WantOps(t, a.SB, before, tt.wantOps...)
			if tt.wantErr != nil {
				tasktest.WantError(t, err, tt.wantErr, tt.wantText...)
				return
			}
			if err != nil {
				t.Fatalf("ensure: %v", err)
			}
			if calls != tt.wantCalls {
				t.Errorf("done after %d calls, want %d", calls, tt.wantCalls)
			}
			if w.DataSource.Created != tt.wantCreated {
				t.Errorf("created %v, want %v", w.DataSource.Created, tt.wantCreated)
			}
			if tt.wantAdopted && w.DataSource.ID != adopted {
				t.Errorf("data source %s, want the existing %s", w.DataSource.ID, adopted)
			}
			if s := w.DataSource.Status; s != "READY" && s != "RUNNING" {
				t.Errorf("status %s, want READY or RUNNING", s)
			}
			if !tasktest.StageEnded(w, workflow.TaskDataSource) {
				t.Errorf("timings %+v, want DataSource ended", w.Timings)
			}
			if tt.check != nil {
				tt.check(t, a, w)
			}
		})
	}
}

// A first invocation that stops near its deadline leaves the data source CREATING with the
// policy's first wait, and a retry of it (the same Work) creates nothing twice.
func TestEnsureRetriedFirstInvocation(t *testing.T) {
	a := tasktest.NewAccount(t, tasktest.AccountSetup{})
	h := datasource.NewEnsure(a.C.DataZone, tasktest.Clock(a.SB))
	in := a.Work(t, "exec-1")
	before := len(a.SB.Journal())
	ctx, cancel := context.WithTimeout(context.Background(), 31*time.Second) // one look, then stop
	defer cancel()
	first, err := h.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Poll.Done || first.Poll.WaitSeconds != 5 || first.DataSource.Status != "CREATING" {
		t.Errorf("first call poll %+v status %s, want not done, 5 s, CREATING", first.Poll, first.DataSource.Status)
	}
	retried, _, err := a.Drive(t, h.Handle, in)
	if err != nil {
		t.Fatal(err)
	}
	if retried.DataSource.ID != first.DataSource.ID || !retried.Poll.Done {
		t.Errorf("retry found %s (done %v), want %s done", retried.DataSource.ID, retried.Poll.Done, first.DataSource.ID)
	}
	tasktest.WantOps(t, a.SB, before, "CreateDataSource")
}

func getDataSource(t *testing.T, a *tasktest.Account, id string) *datazone.GetDataSourceOutput {
	t.Helper()
	out, err := a.Admin.DataZone.GetDataSource(context.Background(), &datazone.GetDataSourceInput{
		DomainIdentifier: aws.String(tasktest.DomainID), Identifier: aws.String(id),
	})
	if err != nil {
		t.Fatalf("get data source: %v", err)
	}
	return out
}

// filtersOf lists a data source's filters as database:TYPE:expression.
func filtersOf(ds *datazone.GetDataSourceOutput) []string {
	var out []string
	g, ok := ds.Configuration.(*dztypes.DataSourceConfigurationOutputMemberGlueRunConfiguration)
	if !ok {
		return nil
	}
	for _, rf := range g.Value.RelationalFilterConfigurations {
		for _, f := range rf.FilterExpressions {
			out = append(out, aws.ToString(rf.DatabaseName)+":"+string(f.Type)+":"+aws.ToString(f.Expression))
		}
	}
	return out
}
