package tasktest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/workflow"
)

// Published brings e's sandbox (the default world's data, acting as e.C, an administrator) to the
// start of Subscribe the way the earlier stages do, through the SDK: it registers the S3
// location (when register) and grants in Lake Formation (DESCRIBE on the default database to both
// environments' roles too), crawls, imports the orders table with a
// DataZone data source and publishes it. It returns the Work Publish would hand on in
// execution exec-1.
func Published(t testing.TB, e Env, register bool) workflow.Work {
	t.Helper()
	ctx := context.Background()
	sb, c := e.SB, e.C
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setup: %s: %v", what, err)
		}
	}
	describe, sel := lftypes.PermissionDescribe, lftypes.PermissionSelect
	if register {
		Register(t, c.LakeFormation, LocationARN)
		Grant(t, c.LakeFormation, CrawlerRole, &lftypes.Resource{DataLocation: &lftypes.DataLocationResource{ResourceArn: aws.String(LocationARN)}},
			[]lftypes.Permission{lftypes.PermissionDataLocationAccess}, nil)
	}
	Grant(t, c.LakeFormation, CrawlerRole, OnDatabase(), []lftypes.Permission{lftypes.PermissionCreateTable, lftypes.PermissionAlter, describe}, nil)
	Grant(t, c.LakeFormation, ManageAccessRole, OnDatabase(), []lftypes.Permission{describe}, []lftypes.Permission{describe})
	Grant(t, c.LakeFormation, ManageAccessRole, OnAllTables(), []lftypes.Permission{describe, sel}, []lftypes.Permission{describe, sel})
	for _, role := range []string{Producer.UserRoleARN, Consumer.UserRoleARN} { // Athena reads the default database
		Grant(t, c.LakeFormation, role, &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String("default")}}, []lftypes.Permission{describe}, nil)
	}

	Crawl(t, sb, c)
	if _, err := c.Glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(Database), Name: aws.String("orders")}); err != nil {
		t.Fatalf("setup: the crawl made no orders table: %v", err)
	}

	ds, err := c.DataZone.CreateDataSource(ctx, &datazone.CreateDataSourceInput{
		DomainIdentifier: aws.String(DomainID), ProjectIdentifier: aws.String(Producer.ProjectID),
		EnvironmentIdentifier: aws.String(Producer.EnvironmentID), Name: aws.String(DataSourceName),
		Type: aws.String("GLUE"), EnableSetting: dztypes.EnableSettingEnabled, PublishOnImport: aws.Bool(false),
		Configuration: &dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: dztypes.GlueRunConfigurationInput{
			RelationalFilterConfigurations: []dztypes.RelationalFilterConfiguration{{
				DatabaseName:      aws.String(Database),
				FilterExpressions: []dztypes.FilterExpression{{Type: dztypes.FilterExpressionTypeInclude, Expression: aws.String("orders*")}},
			}},
		}},
	})
	must("create data source", err)
	sb.Advance(time.Minute)
	run, err := c.DataZone.StartDataSourceRun(ctx, &datazone.StartDataSourceRunInput{
		DomainIdentifier: aws.String(DomainID), DataSourceIdentifier: ds.Id,
	})
	must("start data source run", err)
	sb.Advance(2 * time.Minute)
	acts, err := c.DataZone.ListDataSourceRunActivities(ctx, &datazone.ListDataSourceRunActivitiesInput{
		DomainIdentifier: aws.String(DomainID), Identifier: run.Id,
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
	asset, err := c.DataZone.GetAsset(ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(DomainID), Identifier: aws.String(assetID)})
	must("get asset", err)
	cs, err := c.DataZone.CreateListingChangeSet(ctx, &datazone.CreateListingChangeSetInput{
		DomainIdentifier: aws.String(DomainID), EntityIdentifier: aws.String(assetID),
		EntityType: dztypes.EntityTypeAsset, Action: dztypes.ChangeActionPublish, EntityRevision: asset.Revision,
	})
	must("publish", err)
	sb.Advance(time.Minute)
	l, err := c.DataZone.GetListing(ctx, &datazone.GetListingInput{DomainIdentifier: aws.String(DomainID), Identifier: cs.ListingId})
	must("get listing", err)
	if l.Status != dztypes.ListingStatusActive {
		t.Fatalf("setup: listing %s is %s, want ACTIVE", aws.ToString(cs.ListingId), l.Status)
	}

	start := sb.Now()
	return workflow.Work{
		Plan: workflow.Plan{
			Execution: "exec-1", StartedAt: start, Partition: "aws", AccountID: AccountID, Region: "us-east-1", DomainID: DomainID,
			CrawlerName: CrawlerName, CrawlerRoleARN: CrawlerRole, GlueDatabase: Database,
			S3Location: S3Location, LocationARN: LocationARN, TableFilters: []string{"orders*"},
			DataSourceName: DataSourceName, ManageAccessRoleARN: ManageAccessRole,
			Producer: Producer, Verify: workflow.VerifySpec{MinRows: 1, SampleRows: 5},
		},
		DataSource: &workflow.DataSourceState{ID: aws.ToString(ds.Id), Status: "READY", RunID: aws.ToString(run.Id), RunOrigin: "started", RunStatus: "SUCCESS"},
		Tables: []workflow.Table{{
			Name: "orders", AssetID: assetID, AssetRevision: aws.ToString(asset.Revision),
			ListingID: aws.ToString(cs.ListingId), ListingRevision: aws.ToString(l.ListingRevision), ListingStatus: "ACTIVE",
		}},
		Poll:    workflow.Poll{Done: true, Attempt: 2, Since: start.Add(-time.Minute)},
		Timings: []workflow.StageTiming{{Stage: workflow.TaskPublish, StartedAt: start.Add(-time.Minute), EndedAt: start}},
	}
}
