package sandbox_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
)

// createGrant grants a listing (revision 1) into an environment with c, as a caller would.
func (h *dzHarness) createGrant(c *datazone.Client, env, listing, token string) (*datazone.CreateSubscriptionGrantOutput, error) {
	in := &datazone.CreateSubscriptionGrantInput{DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(env),
		GrantedEntity: &dztypes.GrantedEntityInputMemberListing{Value: dztypes.ListingRevisionInput{
			Identifier: aws.String(listing), Revision: aws.String("1")}}}
	if token != "" {
		in.ClientToken = aws.String(token)
	}
	return c.CreateSubscriptionGrant(h.ctx, in)
}

// linksTo counts the resource links in a Glue database that point at shop_db.<table>.
func (h *dzHarness) linksTo(db, table string) int {
	h.t.Helper()
	out, err := glue.NewFromConfig(h.cfg).GetTables(h.ctx, &glue.GetTablesInput{DatabaseName: aws.String(db)})
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, tb := range out.TableList {
		if tb.TargetTable != nil && aws.ToString(tb.TargetTable.DatabaseName) == "shop_db" && aws.ToString(tb.TargetTable.Name) == table {
			n++
		}
	}
	return n
}

// backgroundGrants counts the grants DataZone's own fulfilment journalled.
func backgroundGrants(s *sandbox.Sandbox) int {
	n := 0
	for _, e := range s.JournalAll() {
		if e.Background && e.Op == "CreateSubscriptionGrant" {
			n++
		}
	}
	return n
}

// DataZone fulfils an accepted subscription in the background; a caller's CreateSubscriptionGrant
// for the same listing and target, before or after the fulfilment, never leaves two live grants
// or two resource links.
func TestDataZoneFulfilmentAndCallerGrant(t *testing.T) {
	tests := []struct {
		name string
		// wait is when the caller's CreateSubscriptionGrant comes: 0 right after accepting, 1 just
		// after DataZone's fulfilment, 2 once the fulfilment's grant completed.
		wait           int
		wantKind       string
		wantBackground int // grants DataZone's fulfilment made
		wantCallerMade bool
	}{
		{name: "caller grants while the fulfilment is pending", wait: 0, wantBackground: 0, wantCallerMade: true},
		{name: "caller grants after the fulfilment", wait: 1, wantKind: "conflict", wantBackground: 1},
		{name: "caller grants after DataZone's grant completed", wait: 2, wantKind: "conflict", wantBackground: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startDZ(t)
			listings := h.catalog()
			h.accept(h.subscribe(h.workflow, dzSales, listings["orders"]))
			switch tt.wait {
			case 1:
				h.advance(dzFulfil)
			case 2:
				h.advance(dzFulfil + dzGrant)
			}
			out, err := h.createGrant(h.workflow, dzSalesEnv, listings["orders"], "caller-grant")
			wantErrorKind(t, err, tt.wantKind, "already granted")
			h.advance(dzFulfil + dzGrant)

			grants := h.grants(dzSalesEnv, listings["orders"])
			if len(grants) != 1 || grants[0].Status != dztypes.SubscriptionGrantOverallStatusCompleted {
				t.Fatalf("grants = %+v, want exactly one COMPLETED", grants)
			}
			if tt.wantCallerMade && aws.ToString(grants[0].Id) != aws.ToString(out.Id) {
				t.Errorf("the standing grant is %s, want the caller's %s", aws.ToString(grants[0].Id), aws.ToString(out.Id))
			}
			if got := backgroundGrants(h.s); got != tt.wantBackground {
				t.Errorf("DataZone's fulfilment made %d grants, want %d", got, tt.wantBackground)
			}
			if n := h.linksTo("sales_env_sub_db", "orders"); n != 1 {
				t.Errorf("%d resource links to shop_db.orders in sales_env_sub_db, want 1", n)
			}
		})
	}
}

// The manage-access role needs DESCRIBE with grant option on the database beside its table grants:
// without it a data source run skips the database's tables and a subscription grant fails.
func TestDataZoneManageRoleDatabaseGrant(t *testing.T) {
	const grantFailure = "The manage access role does not have necessary Lake Formation permissions to grant access to this asset"
	describe := []lftypes.Permission{lftypes.PermissionDescribe}
	tests := []struct {
		name string
		// regrant is what the manage-access role holds on shop_db (DESCRIBE and its grant option
		// taken away first) after the table was imported and published; nil changes nothing.
		regrant      func(lf *lakeformation.Client) error
		wantActivity dztypes.DataAssetActivityStatus
		wantDetail   string
		wantGrant    dztypes.SubscriptionGrantOverallStatus
		wantFailure  string
	}{
		{name: "DESCRIBE with grant option", wantActivity: dztypes.DataAssetActivityStatusUnchanged,
			wantGrant: dztypes.SubscriptionGrantOverallStatusCompleted},
		{name: "DESCRIBE without grant option",
			regrant: func(lf *lakeformation.Client) error {
				_, err := lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{
					Principal: principal(dzManageRole), Resource: dbResource("shop_db"), Permissions: describe})
				return err
			},
			wantActivity: dztypes.DataAssetActivityStatusSkippedNoAccess, wantDetail: "needs DESCRIBE with grant option on database shop_db",
			wantGrant: dztypes.SubscriptionGrantOverallStatusGrantFailed, wantFailure: grantFailure},
		{name: "no database permission", regrant: func(*lakeformation.Client) error { return nil },
			wantActivity: dztypes.DataAssetActivityStatusSkippedNoAccess, wantDetail: "needs DESCRIBE with grant option on database shop_db",
			wantGrant: dztypes.SubscriptionGrantOverallStatusGrantFailed, wantFailure: grantFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startDZ(t)
			_, runID := h.firstRun("first", false, glueConfig("shop_db", include("orders")))
			listing := h.publish(h.assets(runID)["orders"])
			if tt.regrant != nil {
				lf := lakeformation.NewFromConfig(h.cfg)
				_, err := lf.RevokePermissions(h.ctx, &lakeformation.RevokePermissionsInput{
					Principal: principal(dzManageRole), Resource: dbResource("shop_db"),
					Permissions: describe, PermissionsWithGrantOption: describe,
				})
				if err == nil {
					err = tt.regrant(lf)
				}
				if err != nil {
					t.Fatal(err)
				}
			}

			_, again := h.firstRun("again", false, glueConfig("shop_db", include("orders")))
			acts, err := h.admin.ListDataSourceRunActivities(h.ctx, &datazone.ListDataSourceRunActivitiesInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(again)})
			if err != nil {
				t.Fatal(err)
			}
			if len(acts.Items) != 1 || acts.Items[0].DataAssetStatus != tt.wantActivity ||
				(tt.wantDetail != "" && (acts.Items[0].ErrorMessage == nil || !strings.Contains(aws.ToString(acts.Items[0].ErrorMessage.ErrorDetail), tt.wantDetail))) {
				t.Fatalf("activities = %+v, want orders %s (%q)", acts.Items, tt.wantActivity, tt.wantDetail)
			}

			h.accept(h.subscribe(h.workflow, dzSales, listing))
			h.advance(dzFulfil + dzGrant)
			grants := h.grants(dzSalesEnv, listing)
			if len(grants) != 1 || grants[0].Status != tt.wantGrant {
				t.Fatalf("grants = %+v, want one %s", grants, tt.wantGrant)
			}
			if a := grants[0].Assets[0]; tt.wantFailure != "" && (a.FailureCause == nil || aws.ToString(a.FailureCause.Message) != tt.wantFailure) {
				t.Errorf("failure cause = %+v, want %q", a.FailureCause, tt.wantFailure)
			}
		})
	}
}
