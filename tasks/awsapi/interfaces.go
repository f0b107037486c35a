package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The narrow interfaces of the tasks: each method has the SDK client's exact signature, so the
// real clients satisfy them unchanged (asserted below) and so do the SDK paginators' inputs.

// PreflightSTS: Preflight reads who it runs as.
type PreflightSTS interface {
	GetCallerIdentity(ctx context.Context, params *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// PreflightDataZone: Preflight reads the domain, the environments, the blueprint and the project's data sources (which also proves project membership).
type PreflightDataZone interface {
	GetDomain(ctx context.Context, params *datazone.GetDomainInput, optFns ...func(*datazone.Options)) (*datazone.GetDomainOutput, error)
	GetEnvironment(ctx context.Context, params *datazone.GetEnvironmentInput, optFns ...func(*datazone.Options)) (*datazone.GetEnvironmentOutput, error)
	ListEnvironmentBlueprints(ctx context.Context, params *datazone.ListEnvironmentBlueprintsInput, optFns ...func(*datazone.Options)) (*datazone.ListEnvironmentBlueprintsOutput, error)
	GetEnvironmentBlueprintConfiguration(ctx context.Context, params *datazone.GetEnvironmentBlueprintConfigurationInput, optFns ...func(*datazone.Options)) (*datazone.GetEnvironmentBlueprintConfigurationOutput, error)
	ListDataSources(ctx context.Context, params *datazone.ListDataSourcesInput, optFns ...func(*datazone.Options)) (*datazone.ListDataSourcesOutput, error)
}

// PreflightGlue: Preflight reads the crawler, its database and the tables already there.
type PreflightGlue interface {
	GetCrawler(ctx context.Context, params *glue.GetCrawlerInput, optFns ...func(*glue.Options)) (*glue.GetCrawlerOutput, error)
	GetDatabase(ctx context.Context, params *glue.GetDatabaseInput, optFns ...func(*glue.Options)) (*glue.GetDatabaseOutput, error)
	GetTables(ctx context.Context, params *glue.GetTablesInput, optFns ...func(*glue.Options)) (*glue.GetTablesOutput, error)
}

// PreflightLakeFormation: Preflight reads the data lake administrators and who may use the tables.
type PreflightLakeFormation interface {
	GetDataLakeSettings(ctx context.Context, params *lakeformation.GetDataLakeSettingsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.GetDataLakeSettingsOutput, error)
	ListPermissions(ctx context.Context, params *lakeformation.ListPermissionsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.ListPermissionsOutput, error)
}

// LocationAPI: LakeFormation registers the S3 location and makes the grants (finding each first).
type LocationAPI interface {
	DescribeResource(ctx context.Context, params *lakeformation.DescribeResourceInput, optFns ...func(*lakeformation.Options)) (*lakeformation.DescribeResourceOutput, error)
	ListResources(ctx context.Context, params *lakeformation.ListResourcesInput, optFns ...func(*lakeformation.Options)) (*lakeformation.ListResourcesOutput, error)
	RegisterResource(ctx context.Context, params *lakeformation.RegisterResourceInput, optFns ...func(*lakeformation.Options)) (*lakeformation.RegisterResourceOutput, error)
	ListPermissions(ctx context.Context, params *lakeformation.ListPermissionsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.ListPermissionsOutput, error)
	GrantPermissions(ctx context.Context, params *lakeformation.GrantPermissionsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.GrantPermissionsOutput, error)
}

// CrawlerAPI: Crawl runs the crawler and wait for it.
type CrawlerAPI interface {
	GetCrawler(ctx context.Context, params *glue.GetCrawlerInput, optFns ...func(*glue.Options)) (*glue.GetCrawlerOutput, error)
	StartCrawler(ctx context.Context, params *glue.StartCrawlerInput, optFns ...func(*glue.Options)) (*glue.StartCrawlerOutput, error)
	ListCrawls(ctx context.Context, params *glue.ListCrawlsInput, optFns ...func(*glue.Options)) (*glue.ListCrawlsOutput, error)
}

// TablesGlue: Tables lists the onboarded tables.
type TablesGlue interface {
	GetTables(ctx context.Context, params *glue.GetTablesInput, optFns ...func(*glue.Options)) (*glue.GetTablesOutput, error)
}

// TablesLakeFormation: Tables finds IAMAllowedPrincipals on the tables and (makeManaged) revokes it.
type TablesLakeFormation interface {
	ListPermissions(ctx context.Context, params *lakeformation.ListPermissionsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.ListPermissionsOutput, error)
	BatchRevokePermissions(ctx context.Context, params *lakeformation.BatchRevokePermissionsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.BatchRevokePermissionsOutput, error)
}

// DataSourceAPI: DataSource finds or creates the Glue data source and waits until it is READY.
type DataSourceAPI interface {
	ListDataSources(ctx context.Context, params *datazone.ListDataSourcesInput, optFns ...func(*datazone.Options)) (*datazone.ListDataSourcesOutput, error)
	CreateDataSource(ctx context.Context, params *datazone.CreateDataSourceInput, optFns ...func(*datazone.Options)) (*datazone.CreateDataSourceOutput, error)
	GetDataSource(ctx context.Context, params *datazone.GetDataSourceInput, optFns ...func(*datazone.Options)) (*datazone.GetDataSourceOutput, error)
	UpdateDataSource(ctx context.Context, params *datazone.UpdateDataSourceInput, optFns ...func(*datazone.Options)) (*datazone.UpdateDataSourceOutput, error)
}

// RunAPI: Run starts, adopts or reuses a run and reads every table's outcome.
type RunAPI interface {
	GetDataSource(ctx context.Context, params *datazone.GetDataSourceInput, optFns ...func(*datazone.Options)) (*datazone.GetDataSourceOutput, error)
	ListDataSourceRuns(ctx context.Context, params *datazone.ListDataSourceRunsInput, optFns ...func(*datazone.Options)) (*datazone.ListDataSourceRunsOutput, error)
	StartDataSourceRun(ctx context.Context, params *datazone.StartDataSourceRunInput, optFns ...func(*datazone.Options)) (*datazone.StartDataSourceRunOutput, error)
	GetDataSourceRun(ctx context.Context, params *datazone.GetDataSourceRunInput, optFns ...func(*datazone.Options)) (*datazone.GetDataSourceRunOutput, error)
	ListDataSourceRunActivities(ctx context.Context, params *datazone.ListDataSourceRunActivitiesInput, optFns ...func(*datazone.Options)) (*datazone.ListDataSourceRunActivitiesOutput, error)
}

// PublishAPI: Publish publishes assets and waits for their listings.
type PublishAPI interface {
	GetAsset(ctx context.Context, params *datazone.GetAssetInput, optFns ...func(*datazone.Options)) (*datazone.GetAssetOutput, error)
	CreateListingChangeSet(ctx context.Context, params *datazone.CreateListingChangeSetInput, optFns ...func(*datazone.Options)) (*datazone.CreateListingChangeSetOutput, error)
	GetListing(ctx context.Context, params *datazone.GetListingInput, optFns ...func(*datazone.Options)) (*datazone.GetListingOutput, error)
}

// SubscribeAPI: Subscribe subscribes projects to the listings and waits for the grants.
type SubscribeAPI interface {
	ListSubscriptions(ctx context.Context, params *datazone.ListSubscriptionsInput, optFns ...func(*datazone.Options)) (*datazone.ListSubscriptionsOutput, error)
	ListSubscriptionRequests(ctx context.Context, params *datazone.ListSubscriptionRequestsInput, optFns ...func(*datazone.Options)) (*datazone.ListSubscriptionRequestsOutput, error)
	CreateSubscriptionRequest(ctx context.Context, params *datazone.CreateSubscriptionRequestInput, optFns ...func(*datazone.Options)) (*datazone.CreateSubscriptionRequestOutput, error)
	GetSubscriptionRequestDetails(ctx context.Context, params *datazone.GetSubscriptionRequestDetailsInput, optFns ...func(*datazone.Options)) (*datazone.GetSubscriptionRequestDetailsOutput, error)
	AcceptSubscriptionRequest(ctx context.Context, params *datazone.AcceptSubscriptionRequestInput, optFns ...func(*datazone.Options)) (*datazone.AcceptSubscriptionRequestOutput, error)
	ListSubscriptionTargets(ctx context.Context, params *datazone.ListSubscriptionTargetsInput, optFns ...func(*datazone.Options)) (*datazone.ListSubscriptionTargetsOutput, error)
	ListSubscriptionGrants(ctx context.Context, params *datazone.ListSubscriptionGrantsInput, optFns ...func(*datazone.Options)) (*datazone.ListSubscriptionGrantsOutput, error)
	CreateSubscriptionGrant(ctx context.Context, params *datazone.CreateSubscriptionGrantInput, optFns ...func(*datazone.Options)) (*datazone.CreateSubscriptionGrantOutput, error)
}

// VerifyDataZone: Verify gets each environment's credentials.
type VerifyDataZone interface {
	GetEnvironmentCredentials(ctx context.Context, params *datazone.GetEnvironmentCredentialsInput, optFns ...func(*datazone.Options)) (*datazone.GetEnvironmentCredentialsOutput, error)
}

// VerifyGlue: Verify reads the Glue schema the sample must match.
type VerifyGlue interface {
	GetTable(ctx context.Context, params *glue.GetTableInput, optFns ...func(*glue.Options)) (*glue.GetTableOutput, error)
}

// VerifyAthena: Verify queries as the environment's user role (with its credentials, not the Lambda role's).
type VerifyAthena interface {
	StartQueryExecution(ctx context.Context, params *athena.StartQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, params *athena.GetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, params *athena.GetQueryResultsInput, optFns ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
}

// StateObjects: the tasks write and read the workflow's documents (the per-table lists, the full
// report) as S3 objects in the state bucket, through tasks/internal/tablestore; the stack grants
// each task's role reads of the table lists and writes under its own prefix.
type StateObjects interface {
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var (
	_ PreflightSTS           = (*sts.Client)(nil)
	_ PreflightDataZone      = (*datazone.Client)(nil)
	_ PreflightGlue          = (*glue.Client)(nil)
	_ PreflightLakeFormation = (*lakeformation.Client)(nil)
	_ LocationAPI            = (*lakeformation.Client)(nil)
	_ CrawlerAPI             = (*glue.Client)(nil)
	_ TablesGlue             = (*glue.Client)(nil)
	_ TablesLakeFormation    = (*lakeformation.Client)(nil)
	_ DataSourceAPI          = (*datazone.Client)(nil)
	_ RunAPI                 = (*datazone.Client)(nil)
	_ PublishAPI             = (*datazone.Client)(nil)
	_ SubscribeAPI           = (*datazone.Client)(nil)
	_ VerifyDataZone         = (*datazone.Client)(nil)
	_ VerifyGlue             = (*glue.Client)(nil)
	_ VerifyAthena           = (*athena.Client)(nil)
	_ StateObjects           = (*s3.Client)(nil)
)
