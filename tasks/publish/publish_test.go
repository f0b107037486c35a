package publish_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/publish"
	"github.com/dzonboard/dzonboard/workflow"
)

// published returns execution exec's Work after PublishAssets is done.
func published(t *testing.T, a *tasktest.Account, exec string) workflow.Work {
	t.Helper()
	w, _, err := a.Drive(t, publish.New(a.C.DataZone, tasktest.Clock(a.SB)).Handle, a.Onboarded(t, exec))
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return w
}

// refusedPublish hides the listing from the first GetAsset and refuses the publish that follows,
// as DataZone may when the revision was published a moment earlier (the semantics are
// unconfirmed); every other call reaches the sandbox.
type refusedPublish struct {
	awsapi.PublishAPI
	reads int
}

func (r *refusedPublish) GetAsset(ctx context.Context, in *datazone.GetAssetInput, opts ...func(*datazone.Options)) (*datazone.GetAssetOutput, error) {
	out, err := r.PublishAPI.GetAsset(ctx, in, opts...)
	r.reads++
	if err == nil && r.reads == 1 {
		out.Listing = nil
	}
	return out, err
}

func (r *refusedPublish) CreateListingChangeSet(context.Context, *datazone.CreateListingChangeSetInput, ...func(*datazone.Options)) (*datazone.CreateListingChangeSetOutput, error) {
	return nil, &dztypes.ConflictException{Message: aws.String("The asset revision is already published")}
}

func TestPublish(t *testing.T) {
	tests := []struct {
		name  string
		setup tasktest.AccountSetup
		// before returns the Work PublishAssets receives, the client it uses, and a reference
		// Work (an earlier execution's, or nil).
		before    func(t *testing.T, a *tasktest.Account) (in workflow.Work, api awsapi.PublishAPI, earlier *workflow.Work)
		wantOps   []string // mutating calls PublishAssets made, as tasktest.Ops spells them
		wantCalls int
		// wantRevisions are each table's asset and listing revisions, "orders=1/1".
		wantRevisions []string
		wantErr       error
		wantText      []string
		check         func(t *testing.T, a *tasktest.Account, w workflow.Work, earlier *workflow.Work)
	}{
		{
			name: "publishes every asset and waits until its listing is ACTIVE",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				return a.Onboarded(t, "exec-1"), a.C.DataZone, nil
			},
			wantOps:       []string{"CreateListingChangeSet", "CreateListingChangeSet"},
			wantCalls:     1, // CREATING for 20 s: looked at every 2 s inside the invocation
			wantRevisions: []string{"orders=1/1", "orders_archive=1/1"},
			check: func(t *testing.T, a *tasktest.Account, w workflow.Work, _ *workflow.Work) {
				var tokens []string
				for _, e := range a.SB.Journal() {
					if e.Op == "CreateListingChangeSet" {
						tokens = append(tokens, e.Keys["clientToken"])
					}
				}
				var want []string
				for _, tb := range w.Tables {
					want = append(want, workflow.ClientToken("exec-1", workflow.TaskPublish, tb.AssetID, "1"))
				}
				if !slices.Equal(tokens, want) {
					t.Errorf("client tokens %v, want %v (execution, asset, revision)", tokens, want)
				}
			},
		},
		{
			name: "a second execution finds every listing ACTIVE and publishes nothing",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				first := published(t, a, "exec-1")
				a.SB.Advance(time.Hour)
				return a.Onboarded(t, "exec-2"), a.C.DataZone, &first
			},
			wantCalls:     1,
			wantRevisions: []string{"orders=1/1", "orders_archive=1/1"},
			check:         sameListings,
		},
		{
			name: "a table whose schema changed is published again as a new listing revision",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				first := published(t, a, "exec-1")
				a.WriteTable(t, "orders", "order_id,region,quantity,unit_price\nO-1,eu,3,2.5\n")
				a.Crawl(t)
				return a.Onboarded(t, "exec-2"), a.C.DataZone, &first
			},
			wantOps:       []string{"CreateListingChangeSet"},
			wantCalls:     1,
			wantRevisions: []string{"orders=2/2", "orders_archive=1/1"},
			check:         sameListings,
		},
		{
			name: "a refused publish of a revision that turns out to be listed carries on",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				first := published(t, a, "exec-1")
				return a.Onboarded(t, "exec-2"), &refusedPublish{PublishAPI: a.C.DataZone}, &first
			},
			wantCalls:     1,
			wantRevisions: []string{"orders=1/1", "orders_archive=1/1"},
			check:         sameListings,
		},
		{
			name: "a refused publish with no listing of the revision is a ServiceError",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				return a.Onboarded(t, "exec-1"), &refusedPublish{PublishAPI: a.C.DataZone}, nil
			},
			wantErr:  &workflow.ServiceError{},
			wantText: []string{"publish revision 1 of asset", "(table orders)", "ConflictException"},
		},
		{
			name: "an unpublished listing is a PublishFailedError that names the table",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				first := published(t, a, "exec-1")
				_, err := a.Admin.DataZone.CreateListingChangeSet(context.Background(), &datazone.CreateListingChangeSetInput{
					DomainIdentifier: aws.String(tasktest.DomainID), EntityIdentifier: aws.String(first.Tables[0].AssetID),
					EntityType: dztypes.EntityTypeAsset, Action: dztypes.ChangeActionUnpublish,
				})
				if err != nil {
					t.Fatalf("unpublish: %v", err)
				}
				return a.Onboarded(t, "exec-2"), a.C.DataZone, &first
			},
			wantCalls:     1,
			wantRevisions: []string{"orders=1/1", "orders_archive=1/1"},
			check: func(t *testing.T, _ *tasktest.Account, w workflow.Work, _ *workflow.Work) {
				failed(t, w, "orders", "acme_sales.orders", "is INACTIVE", "publish the asset again")
			},
		},
		{
			name: "every listing unpublished is a PublishFailedError that names each table",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				first := published(t, a, "exec-1")
				for _, tb := range first.Tables {
					_, err := a.Admin.DataZone.CreateListingChangeSet(context.Background(), &datazone.CreateListingChangeSetInput{
						DomainIdentifier: aws.String(tasktest.DomainID), EntityIdentifier: aws.String(tb.AssetID),
						EntityType: dztypes.EntityTypeAsset, Action: dztypes.ChangeActionUnpublish,
					})
					if err != nil {
						t.Fatalf("unpublish: %v", err)
					}
				}
				return a.Onboarded(t, "exec-2"), a.C.DataZone, &first
			},
			wantErr:  &workflow.PublishFailedError{},
			wantText: []string{"2 problems", "acme_sales.orders:", "acme_sales.orders_archive:", "is INACTIVE"},
		},
		{
			name: "a table without an asset is a PublishFailedError",
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				w := a.Onboarded(t, "exec-1")
				w.Tables[1].AssetID = ""
				return w, a.C.DataZone, nil
			},
			wantOps:       []string{"CreateListingChangeSet"}, // orders is published all the same
			wantCalls:     1,
			wantRevisions: []string{"orders=1/1", "orders_archive=/"},
			check: func(t *testing.T, _ *tasktest.Account, w workflow.Work, _ *workflow.Work) {
				failed(t, w, "orders_archive", "acme_sales.orders_archive", "the table has no DataZone asset")
			},
		},
		{
			name:  "a throttled publish is a TransientError",
			setup: tasktest.AccountSetup{Faults: []sandbox.FaultRule{{Service: "datazone", Op: "CreateListingChangeSet", Kind: "throttle", Rate: 1}}},
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				return a.Onboarded(t, "exec-1"), a.C.DataZone, nil
			},
			wantOps: []string{ // the SDK's 3 attempts
				"CreateListingChangeSet!ThrottlingException", "CreateListingChangeSet!ThrottlingException", "CreateListingChangeSet!ThrottlingException",
			},
			wantErr:  &workflow.TransientError{},
			wantText: []string{"publish revision 1 of asset", "ThrottlingException"},
		},
		{
			name:  "a throttled read is a TransientError",
			setup: tasktest.AccountSetup{Faults: []sandbox.FaultRule{{Service: "datazone", Op: "GetAsset", Kind: "throttle", Rate: 1}}},
			before: func(t *testing.T, a *tasktest.Account) (workflow.Work, awsapi.PublishAPI, *workflow.Work) {
				return a.Onboarded(t, "exec-1"), a.C.DataZone, nil
			},
			wantErr:  &workflow.TransientError{},
			wantText: []string{"get asset", "of table orders", "ThrottlingException"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tasktest.NewAccount(t, tt.setup)
			in, api, earlier := tt.before(t, a)
			before := len(a.SB.Journal())
			w, calls, err := a.Drive(t, publish.New(api, tasktest.Clock(a.SB)).Handle, in)
			if err == nil && tt.wantErr != nil {
				err = tasktest.Failure(w) // the stage left the tables out; the execution ends with this
			}
			tasktest.WantOps(t, a.SB, before, tt.wantOps...)
			if tt.wantErr != nil {
				tasktest.WantError(t, err, tt.wantErr, tt.wantText...)
				return
			}
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			if calls != tt.wantCalls {
				t.Errorf("done after %d calls, want %d", calls, tt.wantCalls)
			}
			var revs []string
			for _, tb := range w.Tables {
				revs = append(revs, tb.Name+"="+tb.AssetRevision+"/"+tb.ListingRevision)
				if tb.Onboarding() && (tb.ListingID == "" || tb.ListingStatus != "ACTIVE") {
					t.Errorf("table %s: listing %q %s, want an ACTIVE listing", tb.Name, tb.ListingID, tb.ListingStatus)
				}
			}
			if !slices.Equal(revs, tt.wantRevisions) {
				t.Errorf("asset/listing revisions %v, want %v", revs, tt.wantRevisions)
			}
			if !tasktest.StageEnded(w, workflow.TaskPublish) {
				t.Errorf("timings %+v, want Publish ended", w.Timings)
			}
			if tt.check != nil {
				tt.check(t, a, w, earlier)
			}
		})
	}
}

// failed checks that the table was left out by Publish with a problem of its own that says texts.
func failed(t *testing.T, w workflow.Work, name, field string, texts ...string) {
	t.Helper()
	tb := w.Table(name)
	if tb.Onboarding() || tb.Failed.Stage != workflow.TaskPublish || tb.Failed.Problem.Field != field {
		t.Fatalf("table %s = %+v, want left out by Publish", name, tb)
	}
	for _, text := range texts {
		if !strings.Contains(tb.Failed.Problem.String(), text) {
			t.Errorf("problem %q does not say %q", tb.Failed.Problem, text)
		}
	}
}

// sameListings checks that every table kept the listing of the earlier execution.
func sameListings(t *testing.T, _ *tasktest.Account, w workflow.Work, earlier *workflow.Work) {
	t.Helper()
	for i, tb := range w.Tables {
		if tb.ListingID != earlier.Tables[i].ListingID {
			t.Errorf("table %s: listing %s, earlier execution %s", tb.Name, tb.ListingID, earlier.Tables[i].ListingID)
		}
	}
}

// TestPublishRetried checks that a retried invocation (the same Work again) publishes nothing twice.
func TestPublishRetried(t *testing.T) {
	a := tasktest.NewAccount(t, tasktest.AccountSetup{})
	in := a.Onboarded(t, "exec-1")
	h := publish.New(a.C.DataZone, tasktest.Clock(a.SB))
	before := len(a.SB.Journal())
	ctx, cancel := context.WithTimeout(context.Background(), 31*time.Second) // one look, then stop
	defer cancel()
	first, err := h.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Poll.Done || first.Poll.WaitSeconds != 5 {
		t.Errorf("first call poll %+v, want not done with the policy's first wait (5 s)", first.Poll)
	}
	again, err := h.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	tasktest.WantOps(t, a.SB, before, "CreateListingChangeSet", "CreateListingChangeSet") // one publish per table
	for i, tb := range again.Tables {
		if tb.ListingID != first.Tables[i].ListingID || tb.ListingStatus != "CREATING" {
			t.Errorf("retry: table %s listing %s %s, want %s CREATING", tb.Name, tb.ListingID, tb.ListingStatus, first.Tables[i].ListingID)
		}
	}
}

// TestPublishNearDeadline checks that an invocation with less than 30 s left stops before calling
// anything and asks to be called again soon, and that the next invocation does the work.
func TestPublishNearDeadline(t *testing.T) {
	a := tasktest.NewAccount(t, tasktest.AccountSetup{})
	in := a.Onboarded(t, "exec-1")
	h := publish.New(a.C.DataZone, tasktest.Clock(a.SB))
	w := tasktest.NearDeadline(t, a.SB, h.Handle, in)
	w, _, err := a.Drive(t, h.Handle, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range w.Tables {
		if tb.ListingStatus != "ACTIVE" {
			t.Errorf("table %s: listing %s, want ACTIVE", tb.Name, tb.ListingStatus)
		}
	}
}
