package tasktest

import "github.com/dzonboard/dzonboard/workflow"

// The names of the default world (examples/sandbox-world.json); most other worlds share them.
const (
	AccountID        = "123456789012"
	DomainID         = "dzd_5xk2q8m1v3c9tb"
	Database         = "acme_sales" // the crawler's Glue database
	CrawlerName      = "acme-sales-orders"
	CrawlerRole      = "arn:aws:iam::123456789012:role/service-role/AWSGlueServiceRole-acme"
	ManageAccessRole = "arn:aws:iam::123456789012:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb"
	S3Location       = "s3://acme-sales-data/sales/" // the crawler's only S3 target
	LocationARN      = "arn:aws:s3:::acme-sales-data/sales"
	DataSourceName   = "dzonboard-" + Database // the data source name Preflight plans by default
)

// Producer and Consumer are the default world's two projects' environments (sales and marketing)
// as Preflight records them in the plan.
var (
	Producer = workflow.Target{
		ProjectID: "b3n7k2q9x1m4zd", EnvironmentID: "c8m2v7k4q1x9tn", EnvironmentName: "sales_env",
		SubscriptionDatabase: "sales_env_sub_db", Workgroup: "sales_env-wg",
		UserRoleARN: "arn:aws:iam::123456789012:role/datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn",
	}
	Consumer = workflow.Target{
		ProjectID: "e4p8s2k7w1n5qa", EnvironmentID: "f2t6y9k3m8q1vb", EnvironmentName: "marketing_env",
		SubscriptionDatabase: "marketing_env_sub_db", Workgroup: "marketing_env-wg",
		UserRoleARN: "arn:aws:iam::123456789012:role/datazone_usr_role_e4p8s2k7w1n5qa_f2t6y9k3m8q1vb",
	}
)

// Input is the smallest valid input for the default world: the producer's project and
// environment, and the crawler.
func Input() workflow.Input {
	return workflow.Input{DomainID: DomainID, ProjectID: Producer.ProjectID, EnvironmentID: Producer.EnvironmentID, CrawlerName: CrawlerName}
}
