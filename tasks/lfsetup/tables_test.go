package lfsetup_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfsetup"
	"github.com/dzonboard/dzonboard/workflow"
)

func TestTables(t *testing.T) {
	cases := []struct {
		name        string
		world       string
		crawl       bool
		makeManaged bool
		filters     []string
		existing    []workflow.Table
		faults      []sandbox.FaultRule
		wrap        func(e tasktest.Env) awsapi.TablesLakeFormation
		ctx         func() (context.Context, context.CancelFunc)
		wantErr     error
		wantTables  []workflow.Table
		wantOps     []string
		again       bool // a second call changes nothing
		wantWait    int  // the invocation is not done and asks for this wait
	}{
		{
			name: "iam-allowed tables made managed with makeManaged", world: "iam-allowed", crawl: true, makeManaged: true,
			wantTables: []workflow.Table{{Name: "orders", MadeManaged: true}},
			wantOps:    []string{"BatchRevokePermissions"}, again: true,
		},
		{
			name: "iam-allowed tables without makeManaged", world: "iam-allowed", crawl: true,
			wantErr: &workflow.TablesNotManagedError{Database: "acme_sales", Tables: []string{"orders"}},
		},
		{
			name: "managed tables: nothing to do, recorded entries kept, vanished ones dropped", world: "registered", crawl: true,
			existing:   []workflow.Table{{Name: "gone"}, {Name: "orders", AssetID: "asset-1"}},
			wantTables: []workflow.Table{{Name: "orders", AssetID: "asset-1"}}, again: true,
		},
		{
			name: "no table yet", world: "default",
			wantErr: &workflow.NoTablesError{Database: "acme_sales", Filters: []string{"*"}},
		},
		{
			name: "no table matches the filters", world: "registered", crawl: true, filters: []string{"customers*", "returns"},
			wantErr: &workflow.NoTablesError{Database: "acme_sales", Filters: []string{"customers*", "returns"}},
		},
		{
			name: "revoked already by an earlier attempt", world: "iam-allowed", crawl: true, makeManaged: true,
			wrap: func(e tasktest.Env) awsapi.TablesLakeFormation {
				return &revokeFirst{TablesLakeFormation: e.C.LakeFormation}
			},
			wantTables: []workflow.Table{{Name: "orders", MadeManaged: true}},
			wantOps:    []string{"BatchRevokePermissions", "BatchRevokePermissions"}, // the second's entry fails: nothing to revoke
		},
		{
			name: "throttled revoke: transient", world: "iam-allowed", crawl: true, makeManaged: true,
			faults:  []sandbox.FaultRule{{Service: "lakeformation", Op: "BatchRevokePermissions", Kind: "throttle", Rate: 1}},
			wantErr: &workflow.TransientError{},
		},
		{
			name: "near the Lambda deadline: stops before revoking, back in a second", world: "iam-allowed", crawl: true, makeManaged: true,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 10*time.Second)
			},
			wantTables: []workflow.Table{{Name: "orders"}}, wantOps: []string{}, wantWait: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := preflightWork(t, true)
			w.Plan.MakeManaged = tc.makeManaged
			if tc.filters != nil {
				w.Plan.TableFilters = tc.filters
			}
			w.Tables = tc.existing
			e := tasktest.Start(t, tc.world, nil, sandbox.Options{Faults: tc.faults})
			if tc.crawl {
				tasktest.Crawl(t, e.SB, e.C)
			}
			var lf awsapi.TablesLakeFormation = e.C.LakeFormation
			if tc.wrap != nil {
				lf = tc.wrap(e)
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			before := len(e.SB.Journal())
			got, err := lfsetup.NewTables(e.C.Glue, lf, tasktest.Clock(e.SB)).Handle(ctx, w)

			if tc.wantErr != nil {
				tasktest.WantError(t, err, tc.wantErr)
				if _, transient := tc.wantErr.(*workflow.TransientError); !transient && !reflect.DeepEqual(err, tc.wantErr) {
					t.Errorf("error = %#v, want %#v", err, tc.wantErr)
				}
				if tc.wantOps != nil {
					tasktest.WantOps(t, e.SB, before, tc.wantOps...)
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			tasktest.WantOps(t, e.SB, before, tc.wantOps...)
			if tc.wantWait > 0 {
				if got.Poll.Done || got.Poll.WaitSeconds != tc.wantWait || !reflect.DeepEqual(got.Tables, tc.wantTables) {
					t.Errorf("poll %+v tables %+v, want not done, a %d s wait, nothing made managed yet", got.Poll, got.Tables, tc.wantWait)
				}
				return
			}
			if !got.Poll.Done {
				t.Errorf("poll %+v, want done", got.Poll)
			}
			if !reflect.DeepEqual(got.Tables, tc.wantTables) {
				t.Errorf("tables = %+v, want %+v", got.Tables, tc.wantTables)
			}
			wantUpdated := tableTime(t, e, "orders")
			if !got.TablesUpdatedAt.Equal(wantUpdated) {
				t.Errorf("TablesUpdatedAt = %v, want the table's update time %v", got.TablesUpdatedAt, wantUpdated)
			}
			if iap := iamAllowed(t, e); len(iap) != 0 {
				t.Errorf("IAMAllowedPrincipals still on %v", iap)
			}
			if tm := got.Timings[len(got.Timings)-1]; tm.Stage != workflow.TaskTables || tm.EndedAt.IsZero() {
				t.Errorf("timings = %+v, want the tables stage ended", got.Timings)
			}
			if tc.again {
				again := tasktest.Idempotent(t, e.SB, lfsetup.NewTables(e.C.Glue, e.C.LakeFormation, tasktest.Clock(e.SB)).Handle, w)
				for _, tb := range again.Tables {
					if tb.MadeManaged {
						t.Errorf("second execution made %s managed, want nothing", tb.Name)
					}
				}
			}
		})
	}
}

// tableTime is a table's UpdateTime, or CreateTime.
func tableTime(t *testing.T, e tasktest.Env, name string) time.Time {
	t.Helper()
	out, err := e.C.Glue.GetTable(context.Background(), &glue.GetTableInput{DatabaseName: aws.String("acme_sales"), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("get table: %v", err)
	}
	if out.Table.UpdateTime != nil {
		return *out.Table.UpdateTime
	}
	return aws.ToTime(out.Table.CreateTime)
}

// iamAllowed lists the tables of acme_sales that still grant IAMAllowedPrincipals.
func iamAllowed(t *testing.T, e tasktest.Env) []string {
	t.Helper()
	out, err := e.C.LakeFormation.ListPermissions(context.Background(), &lakeformation.ListPermissionsInput{
		Principal:    &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String("IAM_ALLOWED_PRINCIPALS")},
		ResourceType: lftypes.DataLakeResourceTypeTable,
	})
	if err != nil {
		t.Fatalf("list permissions: %v", err)
	}
	var names []string
	for _, p := range out.PrincipalResourcePermissions {
		if p.Resource.Table != nil && aws.ToString(p.Resource.Table.DatabaseName) == "acme_sales" {
			names = append(names, aws.ToString(p.Resource.Table.Name))
		}
	}
	return names
}

// revokeFirst is the real client whose first BatchRevokePermissions is preceded by the same
// call: the grants are gone when the task's own revoke arrives, as after an earlier attempt whose
// answer was lost.
type revokeFirst struct {
	awsapi.TablesLakeFormation
	done bool
}

func (r *revokeFirst) BatchRevokePermissions(ctx context.Context, in *lakeformation.BatchRevokePermissionsInput, opts ...func(*lakeformation.Options)) (*lakeformation.BatchRevokePermissionsOutput, error) {
	if !r.done {
		r.done = true
		if _, err := r.TablesLakeFormation.BatchRevokePermissions(ctx, in, opts...); err != nil {
			return nil, err
		}
	}
	return r.TablesLakeFormation.BatchRevokePermissions(ctx, in, opts...)
}
