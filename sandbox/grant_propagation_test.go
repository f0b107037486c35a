package sandbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

// TestGrantPropagation subscribes Sales to shop_db.orders, lets the grant complete, and queries
// the subscribed table with the environment's credentials some time later: until
// Durations.GrantPropagation has passed, the query fails as if the grant were missing, although
// Lake Formation already lists the grant.
func TestGrantPropagation(t *testing.T) {
	dzQuery := sandbox.DefaultDurations.Query.Duration
	tests := []struct {
		name        string
		propagation time.Duration
		runsAfter   time.Duration // from the grant's completion to the query's execution (at least dzQuery)
		wantState   athenatypes.QueryExecutionState
		wantReason  string
	}{
		{name: "no lag: readable as the grant completes", runsAfter: dzQuery,
			wantState: athenatypes.QueryExecutionStateSucceeded},
		{name: "within the lag: as if the grant were missing", propagation: 40 * time.Second, runsAfter: dzQuery,
			wantState: athenatypes.QueryExecutionStateFailed, wantReason: "Insufficient Lake Formation permission(s) on orders"},
		{name: "a second before the lag ends", propagation: 40 * time.Second, runsAfter: 39 * time.Second,
			wantState: athenatypes.QueryExecutionStateFailed, wantReason: "Insufficient Lake Formation permission(s) on orders"},
		{name: "once the lag has passed", propagation: 40 * time.Second, runsAfter: 40 * time.Second,
			wantState: athenatypes.QueryExecutionStateSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startDZ(t, withShopData(t), func(w *sandbox.World) {
				w.Durations.GrantPropagation = sandbox.Duration{Duration: tt.propagation}
				// Athena over Lake Formation needs DESCRIBE on the default database (athena_access.go).
				w.LakeFormation.Permissions = append(w.LakeFormation.Permissions, sandbox.LFPermission{
					Principal: dzSalesUser, Database: "default", Permissions: []string{"DESCRIBE"}})
			})
			listings := h.catalog()
			h.accept(h.subscribe(h.workflow, dzSales, listings["orders"]))
			h.advance(dzFulfil + dzGrant)
			if g := h.grants(dzSalesEnv, listings["orders"]); len(g) != 1 || g[0].Status != dztypes.SubscriptionGrantOverallStatusCompleted {
				t.Fatalf("grants = %+v, want one COMPLETED", g)
			}
			if !h.userHoldsSelect() {
				t.Errorf("ListPermissions does not show the grant's SELECT on shop_db.orders for %s", dzSalesUser)
			}

			ath := h.envAthena()
			h.advance(tt.runsAfter - dzQuery)
			out, err := ath.StartQueryExecution(h.ctx, &athena.StartQueryExecutionInput{
				QueryString:           aws.String("SELECT COUNT(*) FROM orders"),
				WorkGroup:             aws.String("sales_env_wg"),
				QueryExecutionContext: &athenatypes.QueryExecutionContext{Catalog: aws.String("AwsDataCatalog"), Database: aws.String("sales_env_sub_db")},
			})
			if err != nil {
				t.Fatalf("start query: %v", err)
			}
			h.advance(dzQuery)
			qe, err := ath.GetQueryExecution(h.ctx, &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId})
			if err != nil {
				t.Fatalf("get query execution: %v", err)
			}
			st := qe.QueryExecution.Status
			reason := aws.ToString(st.StateChangeReason)
			if st.State != tt.wantState || !strings.Contains(reason, tt.wantReason) {
				t.Fatalf("query %s (%s), want %s %q", st.State, reason, tt.wantState, tt.wantReason)
			}
			if tt.wantState != athenatypes.QueryExecutionStateSucceeded {
				return
			}
			res, err := ath.GetQueryResults(h.ctx, &athena.GetQueryResultsInput{QueryExecutionId: out.QueryExecutionId})
			if err != nil {
				t.Fatalf("get query results: %v", err)
			}
			if rows := res.ResultSet.Rows; len(rows) != 2 || aws.ToString(rows[1].Data[0].VarCharValue) != "3" {
				t.Errorf("rows = %+v, want the header and 3", rows)
			}
		})
	}
}

// withShopData backs the test world's bucket shop-data with a folder holding three orders.
func withShopData(t *testing.T) func(*sandbox.World) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "orders"), 0o755); err != nil {
		t.Fatal(err)
	}
	csv := "order_id,customer\n1,alice\n2,bob\n3,carol\n"
	if err := os.WriteFile(filepath.Join(dir, "orders", "part-0.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return func(w *sandbox.World) { w.Buckets = append(w.Buckets, sandbox.Bucket{Name: "shop-data", Dir: dir}) }
}

// userHoldsSelect reports whether Lake Formation lists SELECT on shop_db.orders for the Sales
// environment's user role.
func (h *dzHarness) userHoldsSelect() bool {
	h.t.Helper()
	out, err := lakeformation.NewFromConfig(h.cfg).ListPermissions(h.ctx, &lakeformation.ListPermissionsInput{
		Principal: &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(dzSalesUser)},
		Resource:  &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String("shop_db"), Name: aws.String("orders")}},
	})
	if err != nil {
		h.t.Fatalf("list permissions: %v", err)
	}
	for _, p := range out.PrincipalResourcePermissions {
		for _, perm := range p.Permissions {
			if perm == lftypes.PermissionSelect {
				return true
			}
		}
	}
	return false
}

// envAthena returns an Athena client acting as the Sales environment's user role, with the
// credentials DataZone hands out for it.
func (h *dzHarness) envAthena() *athena.Client {
	h.t.Helper()
	cr, err := h.workflow.GetEnvironmentCredentials(h.ctx, &datazone.GetEnvironmentCredentialsInput{
		DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(dzSalesEnv)})
	if err != nil {
		h.t.Fatalf("get environment credentials: %v", err)
	}
	return athena.NewFromConfig(sandboxtest.As(h.cfg, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
}
