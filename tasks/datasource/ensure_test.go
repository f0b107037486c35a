package datasource_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/datasource"
	"github.com/dzonboard/dzonboard/workflow"
)

// createDataSource creates the plan's data source as someone else would (another client token),
// with the given filters, and lets it become READY and finish its first run.
func createDataSource(t *testing.T, a *account, filters ...string) string {
	t.Helper()
	var exprs []dztypes.FilterExpression
	for _, f := range filters {
		exprs = append(exprs, dztypes.FilterExpression{Type: dztypes.FilterExpressionTypeInclude, Expression: aws.String(f)})
	}
	out, err := a.admin.DataZone.CreateDataSource(context.Background(), &datazone.CreateDataSourceInput{
		DomainIdentifier:      aws.String(domainID),
		ProjectIdentifier:     aws.String(projectID),
		EnvironmentIdentifier: aws.String(envID),
		Name:                  aws.String(dsName),
		Type:                  aws.String("GLUE"),
		Configuration: &dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: dztypes.GlueRunConfigurationInput{
			RelationalFilterConfigurations: []dztypes.RelationalFilterConfiguration{{DatabaseName: aws.String(database), FilterExpressions: exprs}},
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
		setup setup
		// prepare changes the account before the task runs, and may wrap the client.
		prepare func(t *testing.T, a *account) awsapi.DataSourceAPI
		// wantCalls is the number of invocations until done.
		wantCalls   int
		wantCreated bool
		// wantAdopted is the data source prepare created, when the task must adopt it.
		wantAdopted bool
		wantOps     []string // mutating calls the task made
		wantErr     error
		wantText    []string
		check       func(t *testing.T, a *account, w workflow.Work)
	}{
		{
			name:        "creates the data source and waits until it is ready",
			wantCalls:   2,
			wantCreated: true,
			wantOps:     []string{"CreateDataSource"},
			check: func(t *testing.T, a *account, w workflow.Work) {
				ds := getDataSource(t, a, w.DataSource.ID)
				if aws.ToBool(ds.PublishOnImport) || ds.EnableSetting != dztypes.EnableSettingEnabled || aws.ToString(ds.EnvironmentId) != envID {
					t.Errorf("data source publishOnImport=%v enable=%s env=%s, want false ENABLED %s",
						aws.ToBool(ds.PublishOnImport), ds.EnableSetting, aws.ToString(ds.EnvironmentId), envID)
				}
				if got := filtersOf(ds); !slices.Equal(got, []string{database + ":INCLUDE:orders*"}) {
					t.Errorf("filters %v, want acme_sales INCLUDE orders*", got)
				}
				j := a.sb.Journal()
				last := j[len(j)-1]
				if want := workflow.ClientToken("exec-1", workflow.TaskEnsureDataSource, dsName); last.Keys["clientToken"] != want {
					t.Errorf("client token %q, want %q (execution and name)", last.Keys["clientToken"], want)
				}
			},
		},
		{
			name: "adopts the data source that has the name",
			prepare: func(t *testing.T, a *account) awsapi.DataSourceAPI {
				createDataSource(t, a, "orders*")
				a.sb.Advance(2 * time.Minute)
				return a.c.DataZone
			},
			wantCalls:   1,
			wantAdopted: true,
		},
		{
			name: "adopts a data source another call created first under another token",
			prepare: func(t *testing.T, a *account) awsapi.DataSourceAPI {
				createDataSource(t, a, "orders*")
				a.sb.Advance(2 * time.Minute)
				return &staleList{DataSourceAPI: a.c.DataZone}
			},
			wantCalls:   1,
			wantAdopted: true,
			wantOps:     []string{"CreateDataSource"}, // refused: the name is taken
			check: func(t *testing.T, a *account, w workflow.Work) {
				j := a.sb.Journal()
				if last := j[len(j)-1]; last.Error != "ValidationException" {
					t.Errorf("create ended %q, want the duplicate-name ValidationException", last.Error)
				}
			},
		},
		{
			name: "updates an adopted data source whose filters differ, once its run has ended",
			prepare: func(t *testing.T, a *account) awsapi.DataSourceAPI {
				createDataSource(t, a, "customers")
				a.sb.Advance(15 * time.Second) // READY and running its first run, with the old filters
				return a.c.DataZone
			},
			wantCalls:   4, // waits 10+15+23 s for the run to end (40 s from READY), then updates
			wantAdopted: true,
			wantOps:     []string{"UpdateDataSource"},
			check: func(t *testing.T, a *account, w workflow.Work) {
				if got := filtersOf(getDataSource(t, a, w.DataSource.ID)); !slices.Equal(got, []string{database + ":INCLUDE:orders*"}) {
					t.Errorf("filters after update %v, want acme_sales INCLUDE orders*", got)
				}
			},
		},
		{
			name: "a data source that failed to be created is a DataSourceFailedError",
			prepare: func(t *testing.T, a *account) awsapi.DataSourceAPI {
				return failedStatus{DataSourceAPI: a.c.DataZone, status: dztypes.DataSourceStatusFailedCreation}
			},
			wantOps:  []string{"CreateDataSource"},
			wantErr:  &workflow.DataSourceFailedError{},
			wantText: []string{"FAILED_CREATION", "ACCESS_DENIED_EXCEPTION: role cannot read the catalog", "Fix:"},
		},
		{
			name: "a data source being deleted is a DataSourceFailedError that says to wait",
			prepare: func(t *testing.T, a *account) awsapi.DataSourceAPI {
				return failedStatus{DataSourceAPI: a.c.DataZone, status: dztypes.DataSourceStatusDeleting}
			},
			wantOps:  []string{"CreateDataSource"},
			wantErr:  &workflow.DataSourceFailedError{},
			wantText: []string{"DELETING", "wait until it is gone"},
		},
		{
			name:     "throttled create is a TransientError",
			setup:    setup{faults: []sandbox.FaultRule{{Service: "datazone", Op: "CreateDataSource", Kind: "throttle", Rate: 1}}},
			wantOps:  []string{"CreateDataSource", "CreateDataSource", "CreateDataSource"}, // the SDK's 3 attempts
			wantErr:  &workflow.TransientError{},
			wantText: []string{"create data source " + dsName, "ThrottlingException"},
		},
		{
			name:     "a workflow role outside the project is an AccessDeniedError naming the fix",
			setup:    setup{world: "not-member"},
			wantErr:  &workflow.AccessDeniedError{},
			wantText: []string{"list data sources", "project membership"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAccount(t, tt.setup)
			var api awsapi.DataSourceAPI = a.c.DataZone
			before := len(a.sb.Journal())
			if tt.prepare != nil {
				api = tt.prepare(t, a)
			}
			var adopted string
			if js := a.mutations(before); tt.wantAdopted && len(js) > 0 {
				adopted = js[0].Keys["dataSourceId"]
			}
			before = len(a.sb.Journal())
			w, calls, err := a.drive(t, datasource.NewEnsure(api, a.sb.Now).Handle, a.work(t, "exec-1"))
			if got := ops(a.mutations(before)); !slices.Equal(got, append([]string{}, tt.wantOps...)) {
				t.Errorf("mutating calls %v, want %v", got, tt.wantOps)
			}
			if tt.wantErr != nil {
				assertError(t, err, tt.wantErr, tt.wantText)
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
			if !stageEnded(w, "dataSource") {
				t.Errorf("timings %+v, want dataSource ended", w.Timings)
			}
			if tt.check != nil {
				tt.check(t, a, w)
			}
		})
	}
}

// TestEnsureWaitsWhileCreating checks the first wait and that a retried first invocation (the
// same Work) creates nothing twice.
func TestEnsureWaitsWhileCreating(t *testing.T) {
	a := newAccount(t, setup{})
	h := datasource.NewEnsure(a.c.DataZone, a.sb.Now)
	in := a.work(t, "exec-1")
	before := len(a.sb.Journal())
	first, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Poll.Done || first.Poll.WaitSeconds != 10 || first.DataSource.Status != "CREATING" {
		t.Errorf("first call poll %+v status %s, want not done, 10 s, CREATING", first.Poll, first.DataSource.Status)
	}
	retried, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if retried.DataSource.ID != first.DataSource.ID {
		t.Errorf("retry found %s, want %s", retried.DataSource.ID, first.DataSource.ID)
	}
	if got := ops(a.mutations(before)); !slices.Equal(got, []string{"CreateDataSource"}) {
		t.Errorf("mutating calls %v, want one CreateDataSource", got)
	}
}

func getDataSource(t *testing.T, a *account, id string) *datazone.GetDataSourceOutput {
	t.Helper()
	out, err := a.admin.DataZone.GetDataSource(context.Background(), &datazone.GetDataSourceInput{
		DomainIdentifier: aws.String(domainID), Identifier: aws.String(id),
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

func stageEnded(w workflow.Work, stage string) bool {
	for _, s := range w.Timings {
		if s.Stage == stage {
			return !s.EndedAt.IsZero()
		}
	}
	return false
}

// assertError checks that err is, unwrapped, the named error of want's type (the Step Functions
// error name) and that its message holds every text.
func assertError(t *testing.T, err, want error, texts []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", workflow.ErrorName(want))
	}
	if got := workflow.ErrorName(err); got != workflow.ErrorName(want) {
		t.Fatalf("error %s (%v), want %s", got, err, workflow.ErrorName(want))
	}
	for _, s := range texts {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}
