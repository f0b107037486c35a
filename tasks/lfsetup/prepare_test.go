package lfsetup_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfsetup"
	"github.com/dzonboard/dzonboard/workflow"
)

// The grants PrepareLakeFormation makes in the default world, as it records them.
var allGrants = []string{
	"ALTER, CREATE_TABLE on database acme_sales to " + crawlerRole,
	"DATA_LOCATION_ACCESS on location " + locationARN + " to " + crawlerRole,
	"DESCRIBE (with grant option: DESCRIBE) on database acme_sales to " + manageAccess,
	"DESCRIBE, SELECT (with grant option: DESCRIBE, SELECT) on all tables of database acme_sales to " + manageAccess,
}

func TestPrepare(t *testing.T) {
	grantOps := []string{"GrantPermissions", "GrantPermissions", "GrantPermissions", "GrantPermissions"}
	cases := []struct {
		name    string
		world   string
		faults  []sandbox.FaultRule
		setup   func(t *testing.T, e env)
		wrap    func(e env) awsapi.LocationAPI // the API the task uses; default the real client
		wantReg string
		wantGr  []string
		wantOps []string // the mutating calls Handle makes
		wantErr error    // a named error type, nil for success
		after   func(t *testing.T, e env)
	}{
		{
			name:    "default world: registers with the service-linked role and makes every grant",
			world:   "default",
			wantReg: "registered", wantGr: allGrants,
			wantOps: append([]string{"RegisterResource"}, grantOps...),
			after: func(t *testing.T, e env) {
				if !slices.Contains(e.sb.ServiceLinkedRolePaths(), locationARN) {
					t.Errorf("service-linked role paths = %v, want %s", e.sb.ServiceLinkedRolePaths(), locationARN)
				}
				e.crawl(t) // the crawler role's grants are enough for a Lake Formation-enforced database
			},
		},
		{
			name:    "registered world: everything found, nothing changed",
			world:   "registered",
			wantReg: "already registered",
		},
		{
			name:    "a registered parent path covers the location",
			world:   "default",
			setup:   func(t *testing.T, e env) { register(t, e, "arn:aws:s3:::acme-sales-data") },
			wantReg: "covered by arn:aws:s3:::acme-sales-data", wantGr: allGrants,
			wantOps: grantOps,
		},
		{
			name:  "a sibling prefix does not cover the location",
			world: "default",
			setup: func(t *testing.T, e env) {
				register(t, e, "arn:aws:s3:::acme-sales-data/sales-archive")
				register(t, e, "arn:aws:s3:::acme-sales-data/sal") // a string prefix, not a parent path
			},
			wantReg: "registered", wantGr: allGrants,
			wantOps: append([]string{"RegisterResource"}, grantOps...),
		},
		{
			name:  "registered by someone else between the describe and the register",
			world: "default",
			wrap: func(e env) awsapi.LocationAPI {
				return &racingAPI{LocationAPI: e.c.LakeFormation, beforeRegister: func() { registerNow(e, locationARN) }}
			},
			wantReg: "already registered", wantGr: allGrants,
			wantOps: append([]string{"RegisterResource", "RegisterResource!AlreadyExistsException"}, grantOps...),
		},
		{
			name:  "only the missing grant option is granted",
			world: "default",
			setup: func(t *testing.T, e env) {
				register(t, e, locationARN)
				grant(t, e, manageAccess, &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String("acme_sales")}},
					[]lftypes.Permission{lftypes.PermissionDescribe}, nil)
				grant(t, e, crawlerRole, &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String("acme_sales")}},
					[]lftypes.Permission{lftypes.PermissionAll}, nil)
			},
			wantReg: "already registered",
			wantGr:  []string{allGrants[1], allGrants[2], allGrants[3]},
			wantOps: []string{"GrantPermissions", "GrantPermissions", "GrantPermissions"},
		},
		{
			name:  `"Permissions modification is invalid" for a grant that is present`,
			world: "default",
			wrap: func(e env) awsapi.LocationAPI {
				return &racingAPI{LocationAPI: e.c.LakeFormation, grantThenInvalid: true}
			},
			wantReg: "registered", wantGr: nil,
			wantOps: append([]string{"RegisterResource"}, grantOps...),
		},
		{
			name:  `"Permissions modification is invalid" for a grant that is missing`,
			world: "default",
			wrap: func(e env) awsapi.LocationAPI {
				return &racingAPI{LocationAPI: e.c.LakeFormation, invalidOnly: true}
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
	base := preflightWork(t, "default", false)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, tc.world, tc.faults)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			var api awsapi.LocationAPI = e.c.LakeFormation
			if tc.wrap != nil {
				api = tc.wrap(e)
			}
			task := lfsetup.NewPrepare(api, e.sb.Now)
			before := len(e.sb.Journal())
			w, err := task.Handle(context.Background(), base)

			if tc.wantErr != nil {
				if err == nil || workflow.ErrorName(err) != workflow.ErrorName(tc.wantErr) {
					t.Fatalf("error = %v (%s), want a %s", err, workflow.ErrorName(err), workflow.ErrorName(tc.wantErr))
				}
				if tc.wantOps != nil {
					if got := ops(e.sb.Journal(), before); !reflect.DeepEqual(got, tc.wantOps) {
						t.Errorf("mutating calls = %v, want %v", got, tc.wantOps)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if got := ops(e.sb.Journal(), before); !slices.Equal(got, tc.wantOps) {
				t.Errorf("mutating calls = %v, want %v", got, tc.wantOps)
			}
			if w.LakeFormation == nil || w.LakeFormation.Registration != tc.wantReg || !slices.Equal(w.LakeFormation.Granted, tc.wantGr) {
				t.Errorf("lakeFormation = %+v, want registration %q and grants %q", w.LakeFormation, tc.wantReg, tc.wantGr)
			}
			if w.Timings[len(w.Timings)-1].Stage != "lakeFormation" || w.Timings[len(w.Timings)-1].EndedAt.IsZero() {
				t.Errorf("timings = %+v, want the lakeFormation stage ended", w.Timings)
			}

			// A second execution finds everything and changes nothing.
			mid := len(e.sb.Journal())
			again, err := lfsetup.NewPrepare(e.c.LakeFormation, e.sb.Now).Handle(context.Background(), base)
			if err != nil {
				t.Fatalf("second Handle: %v", err)
			}
			if got := ops(e.sb.Journal(), mid); len(got) != 0 {
				t.Errorf("second execution made mutating calls %v, want none", got)
			}
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
	e := start(t, "not-member", nil)
	_, err := lfsetup.NewPrepare(e.c.LakeFormation, e.sb.Now).Handle(context.Background(), preflightWork(t, "default", false))
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

// register registers a location as the administrator.
func register(t *testing.T, e env, arn string) {
	t.Helper()
	if err := registerNow(e, arn); err != nil {
		t.Fatalf("register %s: %v", arn, err)
	}
}

func registerNow(e env, arn string) error {
	_, err := e.c.LakeFormation.RegisterResource(context.Background(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String(arn), UseServiceLinkedRole: aws.Bool(true),
	})
	return err
}

// grant grants as the administrator.
func grant(t *testing.T, e env, principal string, res *lftypes.Resource, perms, grantable []lftypes.Permission) {
	t.Helper()
	_, err := e.c.LakeFormation.GrantPermissions(context.Background(), &lakeformation.GrantPermissionsInput{
		Principal:                  &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(principal)},
		Resource:                   res,
		Permissions:                perms,
		PermissionsWithGrantOption: grantable,
	})
	if err != nil {
		t.Fatalf("grant %v to %s: %v", perms, principal, err)
	}
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
