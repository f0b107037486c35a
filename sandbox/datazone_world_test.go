package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

// The DataZone test world: domain dzd_t3stdomain01 with projects Sales (owner Admin, contributor
// Workflow, viewer Viewer) and Marketing (owners Admin and Analyst). Glue database shop_db under the
// registered s3://shop-data/ holds:
//   - orders:    managed; the manage-access role holds DESCRIBE/SELECT with grant option
//   - customers: managed; the manage-access role holds DESCRIBE/SELECT without grant option
//   - legacy:    still grants IAMAllowedPrincipals (importable, not managed)
//   - secrets:   managed; the manage-access role holds nothing (SKIPPED_NO_ACCESS)
//
// Marketing's subscription database already has a plain table named orders.
const dzTestWorld = `{
  "account": "111122223333",
  "region": "us-east-1",
  "defaultIdentity": "arn:aws:iam::111122223333:role/Admin",
  "identities": [
    {"accessKeyId": "AKIAWORKFLOW", "arn": "arn:aws:iam::111122223333:role/Workflow"},
    {"accessKeyId": "AKIAVIEWER", "arn": "arn:aws:iam::111122223333:role/Viewer"},
    {"accessKeyId": "AKIAOUTSIDER", "arn": "arn:aws:iam::111122223333:role/Outsider"},
    {"accessKeyId": "AKIAANALYST", "arn": "arn:aws:iam::111122223333:role/Analyst"}
  ],
  "roles": [
    {"arn": "arn:aws:iam::111122223333:role/Admin"},
    {"arn": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01"},
    {"arn": "arn:aws:iam::111122223333:role/datazone_usr_role_sales"},
    {"arn": "arn:aws:iam::111122223333:role/datazone_usr_role_mktg"},
    {"arn": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01"}
  ],
  "buckets": [],
  "glue": {
    "databases": [
      {"name": "shop_db", "locationUri": "s3://shop-data/", "tables": [
        {"name": "orders", "location": "s3://shop-data/orders/", "columns": [
          {"name": "order_id", "type": "bigint"}, {"name": "customer", "type": "string"}]},
        {"name": "orders_archive", "location": "s3://shop-data/orders_archive/", "columns": [
          {"name": "order_id", "type": "bigint"}]},
        {"name": "customers", "location": "s3://shop-data/customers/", "columns": [
          {"name": "customer", "type": "string"}]},
        {"name": "legacy", "location": "s3://shop-data/legacy/", "iamAllowedPrincipals": true, "columns": [
          {"name": "id", "type": "bigint"}]},
        {"name": "secrets", "location": "s3://shop-data/secrets/", "columns": [
          {"name": "token", "type": "string"}]}
      ]},
      {"name": "mktg_env_sub_db", "tables": [
        {"name": "orders", "location": "s3://other/orders/", "columns": [{"name": "x", "type": "string"}]}
      ]}
    ],
    "crawlers": []
  },
  "lakeFormation": {
    "admins": ["arn:aws:iam::111122223333:role/Admin"],
    "registered": [{"resourceArn": "arn:aws:s3:::shop-data", "useServiceLinkedRole": true}],
    "permissions": [
      {"principal": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01",
       "database": "shop_db", "permissions": ["DESCRIBE"], "grantablePermissions": ["DESCRIBE"]},
      {"principal": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01",
       "database": "shop_db", "table": "orders", "permissions": ["DESCRIBE", "SELECT"],
       "grantablePermissions": ["DESCRIBE", "SELECT"]},
      {"principal": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01",
       "database": "shop_db", "table": "customers", "permissions": ["DESCRIBE", "SELECT"]},
      {"principal": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01",
       "database": "shop_db", "table": "orders_archive", "permissions": ["DESCRIBE"]}
    ]
  },
  "dataZone": {
    "domain": {"id": "dzd_t3stdomain01", "name": "Test", "version": "V1", "status": "AVAILABLE"},
    "blueprint": {
      "id": "bp0defaultlake",
      "name": "DefaultDataLake",
      "manageAccessRoleArn": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01",
      "provisioningRoleArn": "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneProvisioning-111122223333",
      "permissionsBoundary": "arn:aws:iam::aws:policy/AmazonDataZoneEnvironmentRolePermissionsBoundary"
    },
    "projects": [
      {"id": "salesproject01", "name": "Sales",
       "members": [
         {"arn": "arn:aws:iam::111122223333:role/Admin", "designation": "PROJECT_OWNER"},
         {"arn": "arn:aws:iam::111122223333:role/Workflow", "designation": "PROJECT_CONTRIBUTOR"},
         {"arn": "arn:aws:iam::111122223333:role/Viewer", "designation": "PROJECT_CATALOG_VIEWER"}
       ],
       "environments": [
         {"id": "salesenv000001", "name": "sales_env", "status": "ACTIVE",
          "userRoleArn": "arn:aws:iam::111122223333:role/datazone_usr_role_sales",
          "subscriptionDatabase": "sales_env_sub_db", "publishingDatabase": "sales_env_pub_db",
          "workgroup": "sales_env_wg", "producerOutputUri": "s3://dz-bucket/dzd_t3stdomain01/salesproject01/dev/"}
       ]},
      {"id": "mktgproject001", "name": "Marketing",
       "members": [
         {"arn": "arn:aws:iam::111122223333:role/Admin", "designation": "PROJECT_OWNER"},
         {"arn": "arn:aws:iam::111122223333:role/Analyst", "designation": "PROJECT_OWNER"}
       ],
       "environments": [
         {"id": "mktgenv0000001", "name": "mktg_env", "status": "ACTIVE",
          "userRoleArn": "arn:aws:iam::111122223333:role/datazone_usr_role_mktg",
          "subscriptionDatabase": "mktg_env_sub_db", "publishingDatabase": "mktg_env_pub_db",
          "workgroup": "mktg_env_wg", "workgroupKey": "athenaWorkGroupName"}
       ]}
    ]
  },
  "durations": {}
}`

// Names from the test world.
const (
	dzDomain      = "dzd_t3stdomain01"
	dzSales       = "salesproject01"
	dzMarketing   = "mktgproject001"
	dzSalesEnv    = "salesenv000001"
	dzMktgEnv     = "mktgenv0000001"
	dzBlueprint   = "bp0defaultlake"
	dzManageRole  = "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_t3stdomain01"
	dzSalesUser   = "arn:aws:iam::111122223333:role/datazone_usr_role_sales"
	dzAdminARN    = "arn:aws:iam::111122223333:role/Admin"
	dzOutsiderARN = "arn:aws:iam::111122223333:role/Outsider"
)

// Simulated durations of the test world (the defaults).
var (
	dzCreate = sandbox.DefaultDurations.DataSourceCreate.Duration
	dzUpdate = sandbox.DefaultDurations.DataSourceUpdate.Duration
	dzRun    = sandbox.DefaultDurations.DataSourceRun.Duration
	dzList   = sandbox.DefaultDurations.Listing.Duration
	dzFulfil = sandbox.DefaultDurations.Fulfilment.Duration
	dzGrant  = sandbox.DefaultDurations.Grant.Duration
	dzAuto   = sandbox.DefaultDurations.AutoApprove.Duration
)

// dzHarness is a sandbox with the test world and one DataZone client per identity.
type dzHarness struct {
	t   *testing.T
	ctx context.Context
	s   *sandbox.Sandbox
	cfg aws.Config

	admin, workflow, viewer, outsider, analyst *datazone.Client
}

// startDZ starts a sandbox on the test world, after applying the mutations.
func startDZ(t *testing.T, mutate ...func(*sandbox.World)) *dzHarness {
	t.Helper()
	return startDZWith(t, sandbox.Options{}, mutate...)
}

// startDZWith is startDZ with sandbox options (faults, seed).
func startDZWith(t *testing.T, opt sandbox.Options, mutate ...func(*sandbox.World)) *dzHarness {
	t.Helper()
	w, err := sandbox.ParseWorld([]byte(dzTestWorld))
	if err != nil {
		t.Fatalf("parse test world: %v", err)
	}
	for _, m := range mutate {
		m(w)
	}
	s, cfg := sandboxtest.Start(t, w, opt)
	h := &dzHarness{t: t, ctx: context.Background(), s: s, cfg: cfg}
	h.admin = h.client("AKIAADMIN")
	h.workflow = h.client("AKIAWORKFLOW")
	h.viewer = h.client("AKIAVIEWER")
	h.outsider = h.client("AKIAOUTSIDER")
	h.analyst = h.client("AKIAANALYST")
	return h
}

// client is a DataZone client signing with the access key.
func (h *dzHarness) client(akid string) *datazone.Client {
	cfg := h.cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(akid, "secret", "")
	return datazone.NewFromConfig(cfg)
}

// glueConfig is a GLUE data source configuration over shop_db (or db) with the filters.
func glueConfig(db string, filters ...dztypes.FilterExpression) dztypes.DataSourceConfigurationInput {
	return &dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: dztypes.GlueRunConfigurationInput{
		RelationalFilterConfigurations: []dztypes.RelationalFilterConfiguration{{
			DatabaseName: aws.String(db), FilterExpressions: filters,
		}},
	}}
}

func include(expr string) dztypes.FilterExpression {
	return dztypes.FilterExpression{Type: dztypes.FilterExpressionTypeInclude, Expression: aws.String(expr)}
}

func exclude(expr string) dztypes.FilterExpression {
	return dztypes.FilterExpression{Type: dztypes.FilterExpressionTypeExclude, Expression: aws.String(expr)}
}

// createDataSource creates a Sales data source as Admin and returns its ID.
func (h *dzHarness) createDataSource(name string, publish bool, cfg dztypes.DataSourceConfigurationInput) string {
	h.t.Helper()
	out, err := h.admin.CreateDataSource(h.ctx, &datazone.CreateDataSourceInput{
		DomainIdentifier: aws.String(dzDomain), ProjectIdentifier: aws.String(dzSales),
		EnvironmentIdentifier: aws.String(dzSalesEnv), Name: aws.String(name), Type: aws.String("GLUE"),
		PublishOnImport: aws.Bool(publish), Configuration: cfg,
	})
	if err != nil {
		h.t.Fatalf("create data source %s: %v", name, err)
	}
	return aws.ToString(out.Id)
}

// firstRun creates a data source, lets its automatic first run finish and returns the data source
// and the run.
func (h *dzHarness) firstRun(name string, publish bool, cfg dztypes.DataSourceConfigurationInput) (string, string) {
	h.t.Helper()
	id := h.createDataSource(name, publish, cfg)
	h.s.Advance(dzCreate + dzRun)
	runs, err := h.admin.ListDataSourceRuns(h.ctx, &datazone.ListDataSourceRunsInput{
		DomainIdentifier: aws.String(dzDomain), DataSourceIdentifier: aws.String(id)})
	if err != nil || len(runs.Items) != 1 {
		h.t.Fatalf("list runs of %s: %v (%d runs)", id, err, len(runs.Items))
	}
	return id, aws.ToString(runs.Items[0].Id)
}

// assets returns table -> asset ID of a run's imported tables.
func (h *dzHarness) assets(runID string) map[string]string {
	h.t.Helper()
	out, err := h.admin.ListDataSourceRunActivities(h.ctx, &datazone.ListDataSourceRunActivitiesInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(runID)})
	if err != nil {
		h.t.Fatalf("list activities of %s: %v", runID, err)
	}
	m := map[string]string{}
	for _, a := range out.Items {
		if a.DataAssetId != nil {
			m[aws.ToString(a.TechnicalName)] = aws.ToString(a.DataAssetId)
		}
	}
	return m
}

// publish publishes an asset as Admin, waits for the listing to be ACTIVE and returns its ID.
func (h *dzHarness) publish(assetID string) string {
	h.t.Helper()
	out, err := h.admin.CreateListingChangeSet(h.ctx, &datazone.CreateListingChangeSetInput{
		DomainIdentifier: aws.String(dzDomain), EntityIdentifier: aws.String(assetID),
		EntityType: dztypes.EntityTypeAsset, Action: dztypes.ChangeActionPublish,
	})
	if err != nil {
		h.t.Fatalf("publish %s: %v", assetID, err)
	}
	h.s.Advance(dzList)
	return aws.ToString(out.ListingId)
}

// subscribe creates a request of project to the listing with c and returns its ID.
func (h *dzHarness) subscribe(c *datazone.Client, project string, listings ...string) string {
	h.t.Helper()
	in := &datazone.CreateSubscriptionRequestInput{
		DomainIdentifier: aws.String(dzDomain), RequestReason: aws.String("test"),
		SubscribedPrincipals: []dztypes.SubscribedPrincipalInput{&dztypes.SubscribedPrincipalInputMemberProject{
			Value: dztypes.SubscribedProjectInput{Identifier: aws.String(project)}}},
	}
	for _, l := range listings {
		in.SubscribedListings = append(in.SubscribedListings, dztypes.SubscribedListingInput{Identifier: aws.String(l)})
	}
	out, err := c.CreateSubscriptionRequest(h.ctx, in)
	if err != nil {
		h.t.Fatalf("subscribe %s to %v: %v", project, listings, err)
	}
	return aws.ToString(out.Id)
}

// accept accepts a request as Admin.
func (h *dzHarness) accept(id string) {
	h.t.Helper()
	if _, err := h.admin.AcceptSubscriptionRequest(h.ctx, &datazone.AcceptSubscriptionRequestInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id)}); err != nil {
		h.t.Fatalf("accept %s: %v", id, err)
	}
}

// wantAPIError checks that err is the DataZone exception T and its message contains msg.
func wantAPIError[T error](t *testing.T, err error, msg string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error = %v, want %T", err, target)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Fatalf("error = %q, want it to contain %q", err.Error(), msg)
	}
}

// wantErrorKind checks err against a kind: "" (no error), "validation", "notfound", "denied",
// "conflict".
func wantErrorKind(t *testing.T, err error, kind, msg string) {
	t.Helper()
	switch kind {
	case "":
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
	case "validation":
		wantAPIError[*dztypes.ValidationException](t, err, msg)
	case "notfound":
		wantAPIError[*dztypes.ResourceNotFoundException](t, err, msg)
	case "denied":
		wantAPIError[*dztypes.AccessDeniedException](t, err, msg)
	case "conflict":
		wantAPIError[*dztypes.ConflictException](t, err, msg)
	default:
		t.Fatalf("unknown error kind %q", kind)
	}
}

// advance is s.Advance with a name that reads well in tables.
func (h *dzHarness) advance(d time.Duration) { h.s.Advance(d) }
