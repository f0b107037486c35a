package subscribe_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// The default world (examples/sandbox-world.json).
const (
	domainID     = "dzd_5xk2q8m1v3c9tb"
	glueDatabase = "acme_sales"
	crawlerName  = "acme-sales-orders"
	s3Location   = "s3://acme-sales-data/sales/"
	crawlerRole  = "arn:aws:iam::123456789012:role/service-role/AWSGlueServiceRole-acme"
	manageRole   = "arn:aws:iam::123456789012:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb"
)

var (
	producer = workflow.Target{
		ProjectID: "b3n7k2q9x1m4zd", EnvironmentID: "c8m2v7k4q1x9tn", EnvironmentName: "sales_env",
		SubscriptionDatabase: "sales_env_sub_db", Workgroup: "sales_env-wg",
		UserRoleARN: "arn:aws:iam::123456789012:role/datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn",
	}
	consumer = workflow.Target{
		ProjectID: "e4p8s2k7w1n5qa", EnvironmentID: "f2t6y9k3m8q1vb", EnvironmentName: "marketing_env",
		SubscriptionDatabase: "marketing_env_sub_db", Workgroup: "marketing_env-wg",
		UserRoleARN: "arn:aws:iam::123456789012:role/datazone_usr_role_e4p8s2k7w1n5qa_f2t6y9k3m8q1vb",
	}
)

// publish brings the sandbox to the start of the Subscribe stage the way the earlier stages do,
// acting as the admin through the SDK: (register and) grant in Lake Formation, crawl, import the
// orders table with a DataZone data source and publish it. It returns the Work that Publish
// would hand on.
func publish(t *testing.T, sb *sandbox.Sandbox, c *awsapi.Clients, register bool) workflow.Work {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setup: %s: %v", what, err)
		}
	}
	principal := func(arn string) *lftypes.DataLakePrincipal {
		return &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(arn)}
	}
	grant := func(arn string, res *lftypes.Resource, perms []lftypes.Permission, grantable []lftypes.Permission) {
		t.Helper()
		_, err := c.LakeFormation.GrantPermissions(ctx, &lakeformation.GrantPermissionsInput{
			Principal: principal(arn), Resource: res, Permissions: perms, PermissionsWithGrantOption: grantable,
		})
		must("grant", err)
	}
	db := &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String(glueDatabase)}}
	tables := &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(glueDatabase), TableWildcard: &lftypes.TableWildcard{}}}
	describe, sel := lftypes.PermissionDescribe, lftypes.PermissionSelect
	if register {
		_, err := c.LakeFormation.RegisterResource(ctx, &lakeformation.RegisterResourceInput{
			ResourceArn: aws.String(workflow.LocationARN(s3Location)), UseServiceLinkedRole: aws.Bool(true),
		})
		must("register", err)
		grant(crawlerRole, &lftypes.Resource{DataLocation: &lftypes.DataLocationResource{ResourceArn: aws.String(workflow.LocationARN(s3Location))}},
			[]lftypes.Permission{lftypes.PermissionDataLocationAccess}, nil)
	}
	grant(crawlerRole, db, []lftypes.Permission{lftypes.PermissionCreateTable, lftypes.PermissionAlter, describe}, nil)
	grant(manageRole, db, []lftypes.Permission{describe}, []lftypes.Permission{describe})
	grant(manageRole, tables, []lftypes.Permission{describe, sel}, []lftypes.Permission{describe, sel})

	_, err := c.Glue.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String(crawlerName)})
	must("start crawler", err)
	sb.Advance(3 * time.Minute)
	if _, err := c.Glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(glueDatabase), Name: aws.String("orders")}); err != nil {
		t.Fatalf("setup: the crawl made no orders table: %v", err)
	}

	ds, err := c.DataZone.CreateDataSource(ctx, &datazone.CreateDataSourceInput{
		DomainIdentifier: aws.String(domainID), ProjectIdentifier: aws.String(producer.ProjectID),
		EnvironmentIdentifier: aws.String(producer.EnvironmentID), Name: aws.String("dzonboard-" + glueDatabase),
		Type: aws.String("GLUE"), EnableSetting: dztypes.EnableSettingEnabled, PublishOnImport: aws.Bool(false),
		Configuration: &dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: dztypes.GlueRunConfigurationInput{
			RelationalFilterConfigurations: []dztypes.RelationalFilterConfiguration{{
				DatabaseName:      aws.String(glueDatabase),
				FilterExpressions: []dztypes.FilterExpression{{Type: dztypes.FilterExpressionTypeInclude, Expression: aws.String("orders*")}},
			}},
		}},
	})
	must("create data source", err)
	sb.Advance(time.Minute)
	run, err := c.DataZone.StartDataSourceRun(ctx, &datazone.StartDataSourceRunInput{
		DomainIdentifier: aws.String(domainID), DataSourceIdentifier: ds.Id,
	})
	must("start data source run", err)
	sb.Advance(2 * time.Minute)
	acts, err := c.DataZone.ListDataSourceRunActivities(ctx, &datazone.ListDataSourceRunActivitiesInput{
		DomainIdentifier: aws.String(domainID), Identifier: run.Id,
	})
	must("list run activities", err)
	var assetID string
	for _, a := range acts.Items {
		if aws.ToString(a.TechnicalName) == "orders" {
			assetID = aws.ToString(a.DataAssetId)
		}
	}
	if assetID == "" {
		t.Fatalf("setup: the data source run made no asset for orders: %+v", acts.Items)
	}
	asset, err := c.DataZone.GetAsset(ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(domainID), Identifier: aws.String(assetID)})
	must("get asset", err)
	cs, err := c.DataZone.CreateListingChangeSet(ctx, &datazone.CreateListingChangeSetInput{
		DomainIdentifier: aws.String(domainID), EntityIdentifier: aws.String(assetID),
		EntityType: dztypes.EntityTypeAsset, Action: dztypes.ChangeActionPublish, EntityRevision: asset.Revision,
	})
	must("publish", err)
	sb.Advance(time.Minute)
	l, err := c.DataZone.GetListing(ctx, &datazone.GetListingInput{DomainIdentifier: aws.String(domainID), Identifier: cs.ListingId})
	must("get listing", err)
	if l.Status != dztypes.ListingStatusActive {
		t.Fatalf("setup: listing %s is %s, want ACTIVE", aws.ToString(cs.ListingId), l.Status)
	}

	start := sb.Now()
	return workflow.Work{
		Plan: workflow.Plan{
			Execution: "exec-1", StartedAt: start, AccountID: "123456789012", Region: "us-east-1", DomainID: domainID,
			CrawlerName: crawlerName, CrawlerRoleARN: crawlerRole, GlueDatabase: glueDatabase,
			S3Location: s3Location, LocationARN: workflow.LocationARN(s3Location), TableFilters: []string{"orders*"},
			DataSourceName: "dzonboard-" + glueDatabase, ManageAccessRoleARN: manageRole,
			Producer: producer, Verify: workflow.VerifySpec{MinRows: 1, SampleRows: 5},
		},
		DataSource: &workflow.DataSourceState{ID: aws.ToString(ds.Id), Status: "READY", RunID: aws.ToString(run.Id), RunOrigin: "started", RunStatus: "SUCCESS"},
		Tables: []workflow.Table{{
			Name: "orders", AssetID: assetID, AssetRevision: aws.ToString(asset.Revision),
			ListingID: aws.ToString(cs.ListingId), ListingRevision: aws.ToString(l.ListingRevision), ListingStatus: "ACTIVE",
		}},
		Poll:    workflow.Poll{Done: true, Attempt: 2, Since: start.Add(-time.Minute)},
		Timings: []workflow.StageTiming{{Stage: "publish", StartedAt: start.Add(-time.Minute), EndedAt: start}},
	}
}
