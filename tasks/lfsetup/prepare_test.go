package lfsetup_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfsetup"
	"github.com/dzonboard/dzonboard/workflow"
)

// The grants PrepareLakeFormation makes in the default world, as it records them.
var allGrants = []string{
	"ALTER, CREATE_TABLE on database acme_sales to " + tasktest.CrawlerRole,
	"DATA_LOCATION_ACCESS on location " + tasktest.LocationARN + " to " + tasktest.CrawlerRole,
	"DESCRIBE (with grant option: DESCRIBE) on database acme_sales to " + tasktest.ManageAccessRole,
	"DESCRIBE, SELECT (with grant option: DESCRIBE, SELECT) on all tables of database acme_sales to " + tasktest.ManageAccessRole,
	"DESCRIBE on database default to " + tasktest.Producer.UserRoleARN,
}

func TestPrepare(t *testing.T) {
	grantOps := []string{"GrantPermissions", "GrantPermissions", "GrantPermissions", "GrantPermissions", "GrantPermissions"}
	cases := []struct {
		name    string
		world   string
		faults  []sandbox.FaultRule
		setup   func(t *testing.T, e tasktest.Env)
		wrap    func(e tasktest.Env) awsapi.LocationAPI // the API the task uses; default the real client
		wantReg string
		wantGr  []string
		wantOps []string // the mutating calls Handle makes
		wantErr error    // a named error type, nil for success
		after   func(t *testing.T, e tasktest.Env)
	}{
		{
			name:    "default world: registers with the service-linked role and makes every grant",
			world:   "default",
			wantReg: "registered", wantGr: allGrants,
			wantOps: append([]string{"RegisterResource"}, grantOps...),
			after: func(t *testing.T, e tasktest.Env) {
				if !slices.Contains(e.SB.ServiceLinkedRolePaths(), tasktest.LocationARN) {
					t.Errorf("service-linked role paths = %v, want %s", e.SB.ServiceLinkedRolePaths(), tasktest.LocationARN)
				}
				tasktest.Crawl(t, e.SB, e.C) // the crawler role's grants are enough for a Lake Formation-enforced database
			},
		},
		{
			name:    "registered world: everything found, nothing changed",
			world:   "registered",
			wantReg: "already registered",
			setup: func(t *testing.T, e tasktest.Env) { // as an earlier onboarding left it
				tasktest.Grant(t, e.C.LakeFormation, tasktest.Producer.UserRoleARN, &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String("default")}},
					[]lftypes.Permission{lftypes.PermissionDescribe}, nil)
			},
		},
		{
			name:  "a registered parent path covers the location",
			world: "default",
			setup: func(t *testing.T, e tasktest.Env) {
				tasktest.Register(t, e.C.LakeFormation, "arn:aws:s3:::acme-sales-data")
			},
			wantReg: "covered by arn:aws:s3:::acme-sales-data", wantGr: allGrants,
			wantOps: grantOps,
		},
		{
			name:  "a sibling prefix does not cover the location",
			world: "default",
			setup: func(t *testing.T, e tasktest.Env) {
				tasktest.Register(t, e.C.LakeFormation, "arn:aws:s3:::acme-sales-data/sales-archive")
				tasktest.Register(t, e.C.LakeFormation, "arn:aws:s3:::acme-sales-data/sal") // a string prefix, not a parent path
			},
			wantReg: "registered", wantGr: allGrants,
			wantOps: append([]string{"RegisterResource"}, grantOps...),
		},
		{
			name:  "registered by someone else between the describe and the register",
			world: "default",
			wrap: func(e tasktest.Env) awsapi.LocationAPI {
				return &racingAPI{LocationAPI: e.C.LakeFormation, beforeRegister: func() { registerNow(e, tasktest.LocationARN) }}
			},
			wantReg: "already registered", wantGr: allGrants,
			wantOps: append([]string{"RegisterResource", "RegisterResource!AlreadyExistsException"}, grantOps...),
		},
		{
			name:  "only the missing grant option is granted",
			world: "default",
			setup: func(t *testing.T, e tasktest.Env) {
				tasktest.Register(t, e.C.LakeFormation, tasktest.LocationARN)
				tasktest.Grant(t, e.C.LakeFormation, tasktest.ManageAccessRole, &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String("acme_sales")}},
					[]lftypes.Permission{lftypes.PermissionDescribe}, nil)
				tasktest.Grant(t, e.C.LakeFormation, tasktest.CrawlerRole, &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String("acme_sales")}},
					[]lftypes.Permission{lftypes.PermissionAll}, nil)
			},
			wantReg: "already registered",
			wantGr:  []string{allGrants[1], allGrants[2], allGrants[3], allGrants[4]},
			wantOps: []string{"GrantPermissions", "GrantPermissions", "GrantPermissions", "GrantPermissions"},
		},
		{
			name:  `"Permissions modification is invalid" for a grant that is present`,
			world: "default",
			wrap: func(e tasktest.Env) awsapi.LocationAPI {
				return &racingAPI{LocationAPI: e.C.LakeFormation, grantThenInvalid: true}
			},
			wantReg: "registered", wantGr: nil,
			wantOps: append([]string{"RegisterResource"}, grantOps...),
		},
		{
			name:  `"Permissions modification is invalid" for a grant that is missing`,
			world: "default",
			wrap: func(e tasktest.Env) awsapi.LocationAPI {
				return &racingAPI{LocationAPI: e.C.LakeFormation, invalidOnly: true}
			},
			wantOps: []string{"RegisterResource"},
			wantErr: &workflow.ServiceError{},
		},
		{
			name:    "throttled grants: transient",
			world:   "default",
			faults:  []sandbox.FaultRule{{Service: "lakeformation", Op: "GrantPermissions", Kind: "throttle", Rate: 1}},
			wantErr: &workflow.TransientError{},
		},
		{
			name:    "not a data lake administrator: access denied with the fix",
			world:   "not-member",
			wantErr: &workflow.AccessDeniedError{},
		},
	}
	base := preflightWork(t, false)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := tasktest.Start(t, tc.world, nil, sandbox.Options{Faults: tc.faults})
			if tc.setup != nil {
				tc.setup(t, e)
			}
			var api awsapi.LocationAPI = e.C.LakeFormation
			if tc.wrap != nil {
				api = tc.wrap(e)
			}
			task := lfsetup.NewPrepare(api, e.SB.Now)
			before := len(e.SB.Journal())
			w, err := task.Handle(context.Background(), base)

			if tc.wantErr != nil {
				tasktest.WantError(t, err, tc.wantErr)
				if tc.wantOps != nil {
					tasktest.WantOps(t, e.SB, before, tc.wantOps...)
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			tasktest.WantOps(t, e.SB, before, tc.wantOps...)
			if w.LakeFormation == nil || w.LakeFormation.Registration != tc.wantReg || !slices.Equal(w.LakeFormation.Granted, tc.wantGr) {
				t.Errorf("lakeFormation = %+v, want registration %q and grants %q", w.LakeFormation, tc.wantReg, tc.wantGr)
			}
			if w.Timings[len(w.Timings)-1].Stage != workflow.TaskLakeFormation || w.Timings[len(w.Timings)-1].EndedAt.IsZero() {
				t.Errorf("timings = %+v, want the lakeFormation stage ended", w.Timings)
			}

			// A second execution finds everything and changes nothing.
			again := tasktest.Idempotent(t, e.SB, lfsetup.NewPrepare(e.C.LakeFormation, e.SB.Now).Handle, base)
			if len(again.LakeFormation.Granted) != 0 || again.LakeFormation.Registration != stillRegistered(tc.wantReg) {
				t.Errorf("second execution = %+v, want nothing granted and %q", again.LakeFormation, stillRegistered(tc.wantReg))
			}
			if tc.after != nil {
				tc.after(t, e)
			}
		})
	}
}

// TestPrepareAccessDeniedFix checks the fix an access denial carries.
func TestPrepareAccessDeniedFix(t *testing.T) {
	e := tasktest.Start(t, "not-member", nil, sandbox.Options{})
	_, err := lfsetup.NewPrepare(e.C.LakeFormation, e.SB.Now).Handle(context.Background(), preflightWork(t, false))
	var denied *workflow.AccessDeniedError
	if !errors.As(err, &denied) {
		t.Fatalf("error = %v, want *workflow.AccessDeniedError", err)
	}
	if denied.Fix != "allow lakeformation:GrantPermissions to the role that runs this task (the stack's policies derive from tasks/awsapi)." {
		t.Errorf("fix = %q", denied.Fix)
	}
}

// stillRegistered is the registration a second execution reports.
func stillRegistered(first string) string {
	if first == "registered" {
		return "already registered"
	}
	return first
}

// registerNow registers a location as the administrator, as another actor would while the task
// runs.
func registerNow(e tasktest.Env, arn string) error {
	_, err := e.C.LakeFormation.RegisterResource(context.Background(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String(arn), UseServiceLinkedRole: aws.Bool(true),
	})
	return err
}

// racingAPI is the real Lake Formation client with what another actor, or Lake Formation's
// undocumented answers, would add: a registration made just before ours, or GrantPermissions
// answering InvalidInputException "Permissions modification is invalid" (aws-reference.md §13),
// which the sandbox never does.
type racingAPI struct {
	awsapi.LocationAPI
	beforeRegister   func()
	grantThenInvalid bool // make the grant, then answer invalid
	invalidOnly      bool // answer invalid without granting
}

func (r *racingAPI) RegisterResource(ctx context.Context, in *lakeformation.RegisterResourceInput, opts ...func(*lakeformation.Options)) (*lakeformation.RegisterResourceOutput, error) {
	if r.beforeRegister != nil {
		r.beforeRegister()
	}
	return r.LocationAPI.RegisterResource(ctx, in, opts...)
}

func (r *racingAPI) GrantPermissions(ctx context.Context, in *lakeformation.GrantPermissionsInput, opts ...func(*lakeformation.Options)) (*lakeformation.GrantPermissionsOutput, error) {
	invalid := &lftypes.InvalidInputException{Message: aws.String("Permissions modification is invalid.")}
	switch {
	case r.invalidOnly:
		return nil, invalid
	case r.grantThenInvalid:
		if _, err := r.LocationAPI.GrantPermissions(ctx, in, opts...); err != nil {
			return nil, err
		}
		return nil, invalid
	}
	return r.LocationAPI.GrantPermissions(ctx, in, opts...)
}
