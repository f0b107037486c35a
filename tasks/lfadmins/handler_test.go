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

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/sandboxtest"
	"github.com/dzonboard/dzonboard/workflow"
)

const (
	admin    = "arn:aws:iam::123456789012:role/Admin" // the default world's administrator
	other    = "arn:aws:iam::123456789012:role/DataPlatformAdmin"
	later    = "arn:aws:iam::123456789012:role/AddedByHandLater"
	lfRole   = "arn:aws:iam::123456789012:role/Dzonboard-LakeFormationRole-1A2B3C"
	lfRole2  = "arn:aws:iam::123456789012:role/Dzonboard-LakeFormationRole-9Z8Y7X"
	readOnly = "arn:aws:iam::123456789012:role/Auditor"
)

// step is one CloudFormation request; physicalID "" means the ID the previous step returned.
type step struct {
	req        cfn.RequestType
	admins     []string // the Admins property
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
		wantPuts   int
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
				ev := event(s.req, s.admins)
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
			after.DataLakeAdmins, want.DataLakeAdmins = nil, nil
			if !reflect.DeepEqual(after, want) {
				t.Errorf("settings other than DataLakeAdmins changed:\n got %+v\nwant %+v", after, want)
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

func TestHandleRetriesTransientFailures(t *testing.T) {
	invalidPrincipal := &lftypes.InvalidInputException{Message: aws.String("Invalid principal: " + lfRole)}
	tests := []struct {
		name      string
		putErrs   []error // returned by the first Puts, in order; then errAlways or success
		errAlways error
		deadline  time.Duration // of the context, 0 for none
		wantSlept []time.Duration
		wantErr   any // nil, or a pointer to the named error type wanted
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
			name:      "access denied fails at once with the fix",
			errAlways: &lftypes.AccessDeniedException{Message: aws.String("not authorized to perform: lakeformation:PutDataLakeSettings")},
			wantErr:   new(*workflow.AccessDeniedError),
		},
		{
			name:      "throttling that never ends stops at the retry window",
			errAlways: &lftypes.ThrottledException{Message: aws.String("Rate exceeded")},
			wantSlept: []time.Duration{2, 4, 8, 16, 16, 16, 16, 16, 16}, // seconds, 110 s of 120 s
			wantErr:   new(*workflow.TransientError),
		},
		{
			name:      "the Lambda deadline shortens the retry window",
			errAlways: invalidPrincipal,
			deadline:  30 * time.Second,
			wantSlept: []time.Duration{2, 4, 8}, // seconds: the next wait would end within 15 s of the deadline
			wantErr:   new(*workflow.TransientError),
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
	for _, role := range []string{other, later, lfRole, lfRole2, readOnly} {
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

func event(req cfn.RequestType, admins []string) cfn.Event {
	list := make([]interface{}, len(admins))
	for i, a := range admins {
		list[i] = a
	}
	return cfn.Event{
		RequestType:        req,
		RequestID:          "9f0c1e2d-request-id",
		ResourceType:       ResourceType,
		LogicalResourceID:  "DataLakeAdmins",
		StackID:            "arn:aws:cloudformation:us-east-1:123456789012:stack/Dzonboard/1",
		ResourceProperties: map[string]interface{}{"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:x", AdminsProperty: list},
	}
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
