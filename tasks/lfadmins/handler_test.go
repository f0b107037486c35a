package lfadmins

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow"
)

const (
	admin    = "arn:aws:iam::123456789012:role/Admin" // the default world's administrator
	other    = "arn:aws:iam::123456789012:role/DataPlatformAdmin"
	later    = "arn:aws:iam::123456789012:role/AddedByHandLater"
	lfRole   = "arn:aws:iam::123456789012:role/Dzonboard-LakeFormationRole-1A2B3C"
	lfRole2  = "arn:aws:iam::123456789012:role/Dzonboard-LakeFormationRole-9Z8Y7X"
	readOnly = "arn:aws:iam::123456789012:role/Auditor"
	dzRole   = "arn:aws:iam::123456789012:role/Dzonboard-DataZoneRole-4D5E6F"
	// deleted is a role that was an administrator and no longer exists: the sandbox's IAM does not
	// know it, so Lake Formation refuses any settings that name it.
	deleted  = "arn:aws:iam::123456789012:role/DeletedLastYear"
	deleted2 = "arn:aws:iam::123456789012:role/service-role/AlsoGone"
)

// step is one CloudFormation request; physicalID "" means the ID the previous step returned.
type step struct {
	req        cfn.RequestType
	admins     []string // the Admins property
	readOnly   []string // the ReadOnlyAdmins property
	physicalID string
	wantID     string
	// direct, when set, is a change someone else makes to the admin list before the request.
	direct []string
}

func TestHandleKeepsOtherAdminsAndSettings(t *testing.T) {
	tests := []struct {
		name       string
		before     []string // the data lake administrators before the first step
		steps      []step
		wantAdmins []string
		// wantReadOnly is the read-only administrators at the end; nil means as seeded.
		wantReadOnly []string
		wantPuts     int
	}{
		{
			name:       "create adds the role after the existing admins",
			before:     []string{admin, other},
			steps:      []step{{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole}},
			wantAdmins: []string{admin, other, lfRole},
			wantPuts:   1,
		},
		{
			name:   "a principal that is already an admin is neither added nor removed",
			before: []string{admin, lfRole},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix},
				{req: cfn.RequestDelete, admins: []string{lfRole}, wantID: idPrefix},
			},
			wantAdmins: []string{admin, lfRole},
			wantPuts:   0,
		},
		{
			name:   "delete removes only what create added, even after others changed the list",
			before: []string{admin, other},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole, other}, wantID: idPrefix + ":" + lfRole},
				{req: cfn.RequestDelete, admins: []string{lfRole, other}, direct: []string{admin, other, lfRole, later}, wantID: idPrefix + ":" + lfRole},
			},
			wantAdmins: []string{admin, other, later},
			wantPuts:   2,
		},
		{
			name:   "a replaced role is swapped and the clean-up delete of the old ID keeps the new one",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
				{req: cfn.RequestUpdate, admins: []string{lfRole2}, wantID: idPrefix + ":" + lfRole2},
				{req: cfn.RequestDelete, admins: []string{lfRole}, physicalID: idPrefix + ":" + lfRole, wantID: idPrefix + ":" + lfRole},
			},
			wantAdmins: []string{admin, lfRole2},
			wantPuts:   1 + 1, // the update puts once; the clean-up finds nothing to remove
		},
		{
			name:   "an update that adds a principal keeps the ID so no clean-up removes the kept one",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
				{req: cfn.RequestUpdate, admins: []string{lfRole, lfRole2}, wantID: idPrefix + ":" + lfRole},
			},
			wantAdmins: []string{admin, lfRole, lfRole2},
			wantPuts:   2,
		},
		{
			name:   "an update that changes nothing writes nothing",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
				{req: cfn.RequestUpdate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
			},
			wantAdmins: []string{admin, lfRole},
			wantPuts:   1,
		},
		{
			name:   "an update re-adds a recorded role someone removed by hand",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
				{req: cfn.RequestUpdate, admins: []string{lfRole}, direct: []string{admin}, wantID: idPrefix + ":" + lfRole},
			},
			wantAdmins: []string{admin, lfRole},
			wantPuts:   2,
		},
		{
			name:   "an update re-adds a role that was an admin before and records it",
			before: []string{admin, lfRole},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix},
				{req: cfn.RequestUpdate, admins: []string{lfRole}, direct: []string{admin}, wantID: idPrefix + ":" + lfRole},
				{req: cfn.RequestDelete, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
			},
			wantAdmins: []string{admin},
			wantPuts:   2,
		},
		{
			name:   "create adds the read-only administrator and keeps the one there",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, readOnly: []string{dzRole}, wantID: idPrefix + ":" + lfRole + ";" + dzRole},
			},
			wantAdmins:   []string{admin, lfRole},
			wantReadOnly: []string{readOnly, dzRole},
			wantPuts:     1,
		},
		{
			name:   "delete removes only the read-only administrator it added",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, readOnly: []string{dzRole, readOnly}, wantID: idPrefix + ":" + lfRole + ";" + dzRole},
				{req: cfn.RequestDelete, admins: []string{lfRole}, readOnly: []string{dzRole, readOnly}, wantID: idPrefix + ":" + lfRole + ";" + dzRole},
			},
			wantAdmins:   []string{admin},
			wantReadOnly: []string{readOnly},
			wantPuts:     2,
		},
		{
			name:   "an update from a stack without ReadOnlyAdmins adds the read-only administrator",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
				// The record keeps lfRole, so the ID cannot change (a clean-up Delete of the old ID
				// would remove it): the read-only administrator outlives the resource, and says so.
				{req: cfn.RequestUpdate, admins: []string{lfRole}, readOnly: []string{dzRole}, wantID: idPrefix + ":" + lfRole},
			},
			wantAdmins:   []string{admin, lfRole},
			wantReadOnly: []string{readOnly, dzRole},
			wantPuts:     2,
		},
		{
			name:   "a read-only administrator alone is recorded after the boundary",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestCreate, readOnly: []string{dzRole}, wantID: idPrefix + ":;" + dzRole},
				{req: cfn.RequestDelete, readOnly: []string{dzRole}, wantID: idPrefix + ":;" + dzRole},
			},
			wantAdmins: []string{admin},
			wantPuts:   2,
		},
		{
			name:   "delete after a create that failed before answering does nothing",
			before: []string{admin},
			steps: []step{
				{req: cfn.RequestDelete, admins: []string{lfRole}, physicalID: "9f0c1e2d-request-id", wantID: "9f0c1e2d-request-id"},
			},
			wantAdmins: []string{admin},
			wantPuts:   0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			sb, lf := start(t)
			putAdmins(t, lf, tt.before)
			want := settings(t, lf)
			h := New(lf)
			id := ""
			for i, s := range tt.steps {
				if s.direct != nil {
					putAdmins(t, lf, s.direct)
				}
				ev := event(s.req, s.admins, s.readOnly...)
				ev.PhysicalResourceID = id
				if s.physicalID != "" {
					ev.PhysicalResourceID = s.physicalID
				}
				got, data, err := h.Handle(ctx, ev)
				if err != nil {
					t.Fatalf("step %d (%s): %v", i, s.req, err)
				}
				if got != s.wantID {
					t.Errorf("step %d (%s): physical ID %q, want %q", i, s.req, got, s.wantID)
				}
				if data != nil {
					t.Errorf("step %d (%s): data %v, want nil", i, s.req, data)
				}
				id = got
			}
			after := settings(t, lf)
			if got := identifiers(after.DataLakeAdmins); !slices.Equal(got, tt.wantAdmins) {
				t.Errorf("admins %v, want %v", got, tt.wantAdmins)
			}
			wantReadOnly := tt.wantReadOnly
			if wantReadOnly == nil {
				wantReadOnly = identifiers(want.ReadOnlyAdmins)
			}
			if got := identifiers(after.ReadOnlyAdmins); !slices.Equal(got, wantReadOnly) {
				t.Errorf("read-only admins %v, want %v", got, wantReadOnly)
			}
			after.DataLakeAdmins, want.DataLakeAdmins = nil, nil
			after.ReadOnlyAdmins, want.ReadOnlyAdmins = nil, nil
			if !reflect.DeepEqual(after, want) {
				t.Errorf("settings other than the administrator lists changed:\n got %+v\nwant %+v", after, want)
			}
			direct := 1 // putAdmins(before)
			for _, s := range tt.steps {
				if s.direct != nil {
					direct++
				}
			}
			if got := puts(sb) - direct; got != tt.wantPuts {
				t.Errorf("handler made %d PutDataLakeSettings calls, want %d", got, tt.wantPuts)
			}
		})
	}
}

func TestHandleRejectsBadProperties(t *testing.T) {
	tests := []struct {
		name    string
		req     cfn.RequestType
		props   map[string]interface{}
		wantErr string
	}{
		{name: "no Admins", req: cfn.RequestCreate, props: map[string]interface{}{}, wantErr: "property Admins must be a non-empty list"},
		{name: "empty Admins", req: cfn.RequestCreate, props: map[string]interface{}{AdminsProperty: []interface{}{}}, wantErr: "non-empty list"},
		{name: "a string instead of a list", req: cfn.RequestUpdate, props: map[string]interface{}{AdminsProperty: lfRole}, wantErr: "non-empty list"},
		{name: "a blank entry", req: cfn.RequestCreate, props: map[string]interface{}{AdminsProperty: []interface{}{lfRole, " "}}, wantErr: "Admins[1]"},
		{name: "an entry with the ID separator", req: cfn.RequestCreate, props: map[string]interface{}{AdminsProperty: []interface{}{"a|b"}}, wantErr: "Admins[0]"},
		{name: "too many principals for a physical ID", req: cfn.RequestCreate, props: map[string]interface{}{AdminsProperty: manyRoles(20)}, wantErr: "over CloudFormation's 1024"},
		{name: "read-only admins that are not a list", req: cfn.RequestCreate, props: map[string]interface{}{AdminsProperty: []interface{}{lfRole}, ReadOnlyAdminsProperty: dzRole}, wantErr: "property ReadOnlyAdmins must be a non-empty list"},
		{name: "a read-only admin with the list boundary", req: cfn.RequestCreate, props: map[string]interface{}{ReadOnlyAdminsProperty: []interface{}{"a;b"}}, wantErr: "ReadOnlyAdmins[0]"},
		{name: "an unknown request type", req: "Replace", props: map[string]interface{}{AdminsProperty: []interface{}{lfRole}}, wantErr: `unknown request type "Replace"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lf := &flaky{}
			ev := cfn.Event{RequestType: tt.req, ResourceProperties: tt.props, PhysicalResourceID: idPrefix}
			_, _, err := New(lf).Handle(context.Background(), ev)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if lf.gets+lf.puts != 0 {
				t.Errorf("made %d calls to Lake Formation, want none", lf.gets+lf.puts)
			}
		})
	}
}

// TestHandleSkipsStalePrincipals runs the handler against settings that name roles IAM no longer
// knows. The sandbox's Lake Formation refuses any settings that name one ("Invalid principal,
// arn: ..."), as Lake Formation does; the handler must leave such entries out, keep every other
// entry, and report what it left out.
func TestHandleSkipsStalePrincipals(t *testing.T) {
	type staleEntries struct {
		worldAdmins   []string // in the world's DataLakeAdmins, so stored from the start
		readOnly      []string // stored in ReadOnlyAdmins once the step before the last has run
		tableDefaults []string // stored in CreateTableDefaultPermissions, likewise
	}
	tests := []struct {
		name         string
		stale        staleEntries
		steps        []step
		wantAdmins   []string
		wantReadOnly []string
		wantSkipped  string // the last step's SkippedPrincipals
	}{
		{
			name:  "create skips a deleted administrator and keeps the others",
			stale: staleEntries{worldAdmins: []string{deleted}},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, readOnly: []string{dzRole}, wantID: idPrefix + ":" + lfRole + ";" + dzRole},
			},
			wantAdmins:   []string{admin, lfRole},
			wantReadOnly: []string{dzRole},
			wantSkipped:  deleted,
		},
		{
			name:  "delete is not blocked by stale entries that appeared after the create",
			stale: staleEntries{readOnly: []string{deleted}, tableDefaults: []string{deleted2}},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, readOnly: []string{dzRole}, wantID: idPrefix + ":" + lfRole + ";" + dzRole},
				{req: cfn.RequestDelete, admins: []string{lfRole}, readOnly: []string{dzRole}, wantID: idPrefix + ":" + lfRole + ";" + dzRole},
			},
			wantAdmins:  []string{admin},
			wantSkipped: deleted + "," + deleted2,
		},
		{
			name:  "an update skips a stale entry in every list it is in",
			stale: staleEntries{worldAdmins: []string{deleted, deleted2}},
			steps: []step{
				{req: cfn.RequestCreate, admins: []string{lfRole}, wantID: idPrefix + ":" + lfRole},
				{req: cfn.RequestUpdate, admins: []string{lfRole2}, readOnly: []string{dzRole}, wantID: idPrefix + ":" + lfRole2 + ";" + dzRole},
			},
			wantAdmins:   []string{admin, lfRole2},
			wantReadOnly: []string{dzRole},
			// The create already dropped them: the update finds none left.
			wantSkipped: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			w := sandboxtest.World(t, "default")
			w.LakeFormation.Admins = append(w.LakeFormation.Admins, tt.stale.worldAdmins...)
			sb, cfg := sandboxtest.Start(t, w, sandbox.Options{})
			for _, role := range []string{lfRole, lfRole2, dzRole} {
				sb.AddRole(role)
			}
			lf := &staleStore{real: lakeformation.NewFromConfig(cfg)}
			before := settings(t, lf.real)
			h := New(lf)
			clk := &fakeClock{t: time.Now()}
			h.now, h.sleep = clk.now, clk.sleep
			id := ""
			var data map[string]interface{}
			for i, s := range tt.steps {
				if i == len(tt.steps)-1 {
					lf.readOnly, lf.tableDefaults = tt.stale.readOnly, tt.stale.tableDefaults
				}
				ev := event(s.req, s.admins, s.readOnly...)
				ev.PhysicalResourceID = id
				got, d, err := h.Handle(ctx, ev)
				if err != nil {
					t.Fatalf("step %d (%s): %v", i, s.req, err)
				}
				if got != s.wantID {
					t.Errorf("step %d (%s): physical ID %q, want %q", i, s.req, got, s.wantID)
				}
				id, data = got, d
			}
			if len(clk.slept) != 0 {
				t.Errorf("slept %v: a stale entry is dropped at once, not waited for", clk.slept)
			}
			if got, _ := data[SkippedPrincipalsKey].(string); got != tt.wantSkipped {
				t.Errorf("%s %q, want %q", SkippedPrincipalsKey, got, tt.wantSkipped)
			}
			if tt.wantSkipped == "" && data != nil {
				t.Errorf("data %v, want nil when nothing was skipped", data)
			}
			after := settings(t, lf.real)
			if got := identifiers(after.DataLakeAdmins); !slices.Equal(got, tt.wantAdmins) {
				t.Errorf("admins %v, want %v", got, tt.wantAdmins)
			}
			if got := identifiers(after.ReadOnlyAdmins); !slices.Equal(got, tt.wantReadOnly) {
				t.Errorf("read-only admins %v, want %v", got, tt.wantReadOnly)
			}
			for _, p := range after.CreateTableDefaultPermissions {
				if id := aws.ToString(p.Principal.DataLakePrincipalIdentifier); id == deleted || id == deleted2 {
					t.Errorf("the stale default permission of %s was written back", id)
				}
			}
			if !reflect.DeepEqual(after.Parameters, before.Parameters) || !reflect.DeepEqual(after.CreateDatabaseDefaultPermissions, before.CreateDatabaseDefaultPermissions) {
				t.Errorf("other settings changed:\n got %+v\nwant %+v", after, before)
			}
		})
	}
}

func TestHandleRetriesTransientFailures(t *testing.T) {
	invalidPrincipal := &lftypes.InvalidInputException{Message: aws.String("Invalid principal, arn: " + lfRole)}
	accessDenied := &lftypes.AccessDeniedException{Message: aws.String("User: arn:aws:sts::123456789012:assumed-role/DataLakeAdminsRole/fn is not authorized to perform: lakeformation:PutDataLakeSettings")}
	tests := []struct {
		name      string
		putErrs   []error // returned by the first Puts, in order; then errAlways or success
		errAlways error
		deadline  time.Duration // of the context, 0 for none
		wantSlept []time.Duration
		wantErr   any    // nil, or a pointer to the named error type wanted
		wantMsg   string // part of the error's message
		wantAdded bool
	}{
		{
			name:      "a role IAM has not propagated yet is retried until Lake Formation accepts it",
			putErrs:   []error{invalidPrincipal, invalidPrincipal},
			wantSlept: []time.Duration{2 * time.Second, 4 * time.Second},
			wantAdded: true,
		},
		{
			name:      "a concurrent modification is retried with a fresh read",
			putErrs:   []error{&lftypes.ConcurrentModificationException{Message: aws.String("try again")}},
			wantSlept: []time.Duration{2 * time.Second},
			wantAdded: true,
		},
		{
			name:      "access denied right after the role's policy was created is retried",
			putErrs:   []error{accessDenied, accessDenied},
			wantSlept: []time.Duration{2 * time.Second, 4 * time.Second},
			wantAdded: true,
		},
		{
			name:      "access denied that lasts fails after a minute with the fix",
			errAlways: accessDenied,
			wantSlept: []time.Duration{2, 4, 8, 16, 16}, // seconds: 46 s; one more wait would pass 60 s
			wantErr:   new(*workflow.AccessDeniedError),
			wantMsg:   "AWSLakeFormationDataAdmin",
		},
		{
			name:      "throttling that never ends stops at the retry window",
			errAlways: &lftypes.ThrottledException{Message: aws.String("Rate exceeded")},
			wantSlept: []time.Duration{2, 4, 8, 16, 16, 16, 16, 16, 16}, // seconds, 110 s of 120 s
			wantErr:   new(*workflow.TransientError),
		},
		{
			name:      "a role of the stack that never propagates fails with its own message and fix",
			errAlways: invalidPrincipal,
			wantSlept: []time.Duration{2, 4, 8, 16, 16, 16, 16, 16, 16},
			wantErr:   new(*InvalidPrincipalError),
			wantMsg:   "a principal this stack adds, as an invalid principal after 1m50s",
		},
		{
			name:      "the Lambda deadline shortens the retry window",
			errAlways: invalidPrincipal,
			deadline:  30 * time.Second,
			wantSlept: []time.Duration{2, 4, 8}, // seconds: the next wait would end within 15 s of the deadline
			wantErr:   new(*InvalidPrincipalError),
			wantMsg:   "aws iam get-role --role-name Dzonboard-LakeFormationRole-1A2B3C",
		},
		{
			name:      "an invalid principal the settings do not hold is retried, then points at the settings",
			errAlways: &lftypes.InvalidInputException{Message: aws.String("Invalid principal, arn: arn:aws:iam::123456789012:role/NotInTheSettings")},
			deadline:  30 * time.Second,
			wantSlept: []time.Duration{2, 4, 8},
			wantErr:   new(*InvalidPrincipalError),
			wantMsg:   "look for a deleted role in the settings",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, real := start(t)
			lf := &flaky{real: real, putErrs: tt.putErrs, always: tt.errAlways}
			clk := &fakeClock{t: time.Now()}
			h := New(lf)
			h.now, h.sleep = clk.now, clk.sleep
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, clk.t.Add(tt.deadline))
				defer cancel()
			}
			id, _, err := h.Handle(ctx, event(cfn.RequestCreate, []string{lfRole}))
			if tt.wantErr == nil && err != nil {
				t.Fatalf("error: %v", err)
			}
			if tt.wantErr != nil && !errors.As(err, tt.wantErr) {
				t.Fatalf("error %T %v, want %T", err, err, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q, want it to say %q", err, tt.wantMsg)
			}
			wantSlept := tt.wantSlept
			if len(wantSlept) > 0 && wantSlept[0] < time.Second {
				wantSlept = seconds(wantSlept)
			}
			if !slices.Equal(clk.slept, wantSlept) {
				t.Errorf("slept %v, want %v", clk.slept, wantSlept)
			}
			if lf.gets != len(clk.slept)+1 {
				t.Errorf("read the settings %d times for %d attempts: each attempt must read again", lf.gets, len(clk.slept)+1)
			}
			admins := identifiers(settings(t, real).DataLakeAdmins)
			if got := slices.Contains(admins, lfRole); got != tt.wantAdded {
				t.Errorf("role is admin: %v, want %v (admins %v)", got, tt.wantAdded, admins)
			}
			if tt.wantAdded && id != idPrefix+":"+lfRole {
				t.Errorf("physical ID %q, want it to record the role", id)
			}
			if !tt.wantAdded && id != "" {
				t.Errorf("physical ID %q after a failed create, want \"\" (the wrapper then reports the request ID)", id)
			}
		})
	}
}

// start serves the default world and returns its Lake Formation client, with settings that use
// every field, so that a test notices any field a Put drops.
func start(t *testing.T) (*sandbox.Sandbox, *lakeformation.Client) {
	t.Helper()
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{})
	for _, role := range []string{other, later, lfRole, lfRole2, readOnly, dzRole} {
		sb.AddRole(role) // Lake Formation accepts only principals that exist in IAM
	}
	lf := lakeformation.NewFromConfig(cfg)
	s := settings(t, lf)
	s.ReadOnlyAdmins = []lftypes.DataLakePrincipal{{DataLakePrincipalIdentifier: aws.String(readOnly)}}
	s.CreateDatabaseDefaultPermissions = []lftypes.PrincipalPermissions{} // LF-managed: must stay empty, not be dropped
	s.CreateTableDefaultPermissions = []lftypes.PrincipalPermissions{{
		Principal:   &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String("IAM_ALLOWED_PRINCIPALS")},
		Permissions: []lftypes.Permission{lftypes.PermissionAll},
	}}
	s.TrustedResourceOwners = []string{"111122223333"}
	s.AllowExternalDataFiltering = aws.Bool(true)
	s.AllowFullTableExternalDataAccess = aws.Bool(true)
	s.ExternalDataFilteringAllowList = []lftypes.DataLakePrincipal{{DataLakePrincipalIdentifier: aws.String("111122223333")}}
	s.AuthorizedSessionTagValueList = []string{"Amazon EMR"}
	s.Parameters = map[string]string{"CROSS_ACCOUNT_VERSION": "4", "SET_CONTEXT": "TRUE"}
	if _, err := lf.PutDataLakeSettings(context.Background(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: s}); err != nil {
		t.Fatalf("seed data lake settings: %v", err)
	}
	return sb, lf
}

func settings(t *testing.T, lf *lakeformation.Client) *lftypes.DataLakeSettings {
	t.Helper()
	out, err := lf.GetDataLakeSettings(context.Background(), &lakeformation.GetDataLakeSettingsInput{})
	if err != nil {
		t.Fatalf("get data lake settings: %v", err)
	}
	return out.DataLakeSettings
}

// putAdmins sets the admin list as someone other than the handler would.
func putAdmins(t *testing.T, lf *lakeformation.Client, admins []string) {
	t.Helper()
	s := settings(t, lf)
	s.DataLakeAdmins = nil
	for _, a := range admins {
		s.DataLakeAdmins = append(s.DataLakeAdmins, lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(a)})
	}
	if _, err := lf.PutDataLakeSettings(context.Background(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: s}); err != nil {
		t.Fatalf("put data lake admins %v: %v", admins, err)
	}
}

// puts counts the PutDataLakeSettings calls in the sandbox journal after the seeding one.
func puts(sb *sandbox.Sandbox) int {
	n := -1
	for _, e := range sb.Journal() {
		if e.Service == "lakeformation" && e.Op == "PutDataLakeSettings" && e.Error == "" {
			n++
		}
	}
	return n
}

// event is a request with the Admins property (always present, as the stack sends it) and, when
// readOnly is given, the ReadOnlyAdmins property.
func event(req cfn.RequestType, admins []string, readOnly ...string) cfn.Event {
	props := map[string]interface{}{"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:x", AdminsProperty: anyList(admins)}
	if len(readOnly) > 0 {
		props[ReadOnlyAdminsProperty] = anyList(readOnly)
	}
	return cfn.Event{
		RequestType:        req,
		RequestID:          "9f0c1e2d-request-id",
		ResourceType:       ResourceType,
		LogicalResourceID:  "DataLakeAdmins",
		StackID:            "arn:aws:cloudformation:us-east-1:123456789012:stack/Dzonboard/1",
		ResourceProperties: props,
	}
}

func anyList(ids []string) []interface{} {
	out := make([]interface{}, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func manyRoles(n int) []interface{} {
	out := make([]interface{}, n)
	for i := range out {
		out[i] = "arn:aws:iam::123456789012:role/a-role-with-a-rather-long-name-for-this-test-" + strings.Repeat("x", 10) + string(rune('a'+i))
	}
	return out
}

func seconds(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d * time.Second
	}
	return out
}

// flaky passes calls to real, failing the first Puts with putErrs and every later Put with
// always (when set); it counts the calls.
type flaky struct {
	real       *lakeformation.Client
	putErrs    []error
	always     error
	gets, puts int
}

func (f *flaky) GetDataLakeSettings(ctx context.Context, in *lakeformation.GetDataLakeSettingsInput, opts ...func(*lakeformation.Options)) (*lakeformation.GetDataLakeSettingsOutput, error) {
	f.gets++
	if f.real == nil {
		return nil, errors.New("unexpected call")
	}
	return f.real.GetDataLakeSettings(ctx, in, opts...)
}

func (f *flaky) PutDataLakeSettings(ctx context.Context, in *lakeformation.PutDataLakeSettingsInput, opts ...func(*lakeformation.Options)) (*lakeformation.PutDataLakeSettingsOutput, error) {
	f.puts++
	if f.puts <= len(f.putErrs) {
		return nil, f.putErrs[f.puts-1]
	}
	if f.always != nil {
		return nil, f.always
	}
	if f.real == nil {
		return nil, errors.New("unexpected call")
	}
	return f.real.PutDataLakeSettings(ctx, in, opts...)
}

type fakeClock struct {
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	return nil
}

// staleStore stands for settings that hold entries IAM no longer knows (roles deleted after they
// were put), which the sandbox cannot hold itself: it adds them to what the sandbox returns while
// they are stored, and passes every Put to the sandbox, whose Lake Formation refuses settings that
// name them. A Put the sandbox accepts held none of them, so they are no longer stored.
type staleStore struct {
	real                    *lakeformation.Client
	readOnly, tableDefaults []string
}

func (s *staleStore) GetDataLakeSettings(ctx context.Context, in *lakeformation.GetDataLakeSettingsInput, opts ...func(*lakeformation.Options)) (*lakeformation.GetDataLakeSettingsOutput, error) {
	out, err := s.real.GetDataLakeSettings(ctx, in, opts...)
	if err != nil {
		return nil, err
	}
	for _, p := range s.readOnly {
		out.DataLakeSettings.ReadOnlyAdmins = append(out.DataLakeSettings.ReadOnlyAdmins, lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(p)})
	}
	for _, p := range s.tableDefaults {
		out.DataLakeSettings.CreateTableDefaultPermissions = append(out.DataLakeSettings.CreateTableDefaultPermissions, lftypes.PrincipalPermissions{
			Principal:   &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(p)},
			Permissions: []lftypes.Permission{lftypes.PermissionAll},
		})
	}
	return out, nil
}

func (s *staleStore) PutDataLakeSettings(ctx context.Context, in *lakeformation.PutDataLakeSettingsInput, opts ...func(*lakeformation.Options)) (*lakeformation.PutDataLakeSettingsOutput, error) {
	out, err := s.real.PutDataLakeSettings(ctx, in, opts...)
	if err == nil {
		s.readOnly, s.tableDefaults = nil, nil
	}
	return out, err
}
