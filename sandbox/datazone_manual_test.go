package sandbox_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

// manualSales makes the Sales environment's subscription target MANUAL.
func manualSales(w *sandbox.World) {
	w.DataZone.Projects[0].Environments[0].SubscriptionGrantCreationMode = "MANUAL"
}

func TestDataZoneManualSubscriptionTarget(t *testing.T) {
	h := startDZ(t, manualSales)
	listings := h.catalog()
	tests := []struct {
		name      string
		c         *datazone.Client
		project   string
		env       string
		mode      dztypes.SubscriptionGrantCreationMode
		autoGrant bool   // accepting grants the listing into the environment
		target    string // the table name the (automatic or manual) grant makes
	}{
		{"MANUAL target: the subscription only", h.workflow, dzSales, dzSalesEnv,
			dztypes.SubscriptionGrantCreationModeManual, false, "orders"},
		{"AUTOMATIC target (the default) in the same world", h.analyst, dzMarketing, dzMktgEnv,
			dztypes.SubscriptionGrantCreationModeAutomatic, true, "orders_1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			targets, err := tt.c.ListSubscriptionTargets(h.ctx, &datazone.ListSubscriptionTargetsInput{
				DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(tt.env)})
			if err != nil {
				t.Fatal(err)
			}
			if len(targets.Items) != 1 || targets.Items[0].SubscriptionGrantCreationMode != tt.mode {
				t.Fatalf("target modes = %v, want one %s", targetModes(targets.Items), tt.mode)
			}
			h.accept(h.subscribe(tt.c, tt.project, listings["orders"]))
			subs, err := tt.c.ListSubscriptions(h.ctx, &datazone.ListSubscriptionsInput{DomainIdentifier: aws.String(dzDomain),
				OwningProjectId: aws.String(tt.project), SubscribedListingId: aws.String(listings["orders"])})
			if err != nil || len(subs.Items) != 1 || subs.Items[0].Status != dztypes.SubscriptionStatusApproved {
				t.Fatalf("subscriptions = %+v (%v), want one APPROVED", subs, err)
			}
			h.advance(dzFulfil + dzGrant)
			grants := h.grants(tt.env, listings["orders"])
			if got := len(grants) == 1; got != tt.autoGrant || len(grants) > 1 {
				t.Fatalf("grants after accepting = %+v, want automatic grant %v", grants, tt.autoGrant)
			}
			in := &datazone.CreateSubscriptionGrantInput{DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(tt.env),
				SubscriptionTargetIdentifier: targets.Items[0].Id,
				GrantedEntity: &dztypes.GrantedEntityInputMemberListing{Value: dztypes.ListingRevisionInput{
					Identifier: aws.String(listings["orders"]), Revision: aws.String("1")}}}
			out, err := tt.c.CreateSubscriptionGrant(h.ctx, in)
			if tt.autoGrant {
				// DataZone's own grant stands: a second one is refused.
				wantErrorKind(t, err, "conflict", "already granted")
				return
			}
			if err != nil {
				t.Fatalf("create grant into the MANUAL target: %v", err)
			}
			if out.Status != dztypes.SubscriptionGrantOverallStatusPending || aws.ToString(out.SubscriptionId) != aws.ToString(subs.Items[0].Id) {
				t.Errorf("grant = %s of subscription %s, want PENDING of %s", out.Status, aws.ToString(out.SubscriptionId), aws.ToString(subs.Items[0].Id))
			}
			h.advance(dzGrant)
			grants = h.grants(tt.env, listings["orders"])
			if len(grants) != 1 || grants[0].Status != dztypes.SubscriptionGrantOverallStatusCompleted ||
				aws.ToString(grants[0].Assets[0].TargetName) != tt.target {
				t.Errorf("grants = %+v, want one COMPLETED naming %s", grants, tt.target)
			}
		})
	}
}

func TestDataZoneGrantCreationModeOfTheWorld(t *testing.T) {
	tests := []struct {
		name, field string // field is the environment's JSON member, "" for none
		want        dztypes.SubscriptionGrantCreationMode
		wantErr     string
	}{
		{"absent: AUTOMATIC", "", dztypes.SubscriptionGrantCreationModeAutomatic, ""},
		{"AUTOMATIC", `"subscriptionGrantCreationMode": "AUTOMATIC",`, dztypes.SubscriptionGrantCreationModeAutomatic, ""},
		{"MANUAL", `"subscriptionGrantCreationMode": "MANUAL",`, dztypes.SubscriptionGrantCreationModeManual, ""},
		{"lower case is not a mode", `"subscriptionGrantCreationMode": "manual",`, "",
			`datazone environment "salesenv000001": subscriptionGrantCreationMode "manual" is not AUTOMATIC or MANUAL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(dzTestWorld, `{"id": "salesenv000001",`, `{"id": "salesenv000001", `+tt.field, 1)
			w, err := sandbox.ParseWorld([]byte(doc))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if tt.wantErr != "" {
				if _, err := sandbox.New(w, sandbox.Options{}); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("New = %v, want error %q", err, tt.wantErr)
				}
				return
			}
			_, cfg := sandboxtest.Start(t, w, sandbox.Options{})
			out, err := datazone.NewFromConfig(cfg).ListSubscriptionTargets(t.Context(), &datazone.ListSubscriptionTargetsInput{
				DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(dzSalesEnv)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Items) != 1 || out.Items[0].SubscriptionGrantCreationMode != tt.want {
				t.Errorf("target modes = %v, want one %s", targetModes(out.Items), tt.want)
			}
		})
	}
}

// targetModes lists the grant creation modes of subscription targets.
func targetModes(items []dztypes.SubscriptionTargetSummary) []dztypes.SubscriptionGrantCreationMode {
	var out []dztypes.SubscriptionGrantCreationMode
	for _, it := range items {
		out = append(out, it.SubscriptionGrantCreationMode)
	}
	return out
}
