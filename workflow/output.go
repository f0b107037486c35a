package workflow

import "time"

// Output is the execution output: the onboarding report.
type Output struct {
	Status               string           `json:"status"`
	DomainID             string           `json:"domainId"`
	ProjectID            string           `json:"projectId"`
	EnvironmentID        string           `json:"environmentId"`
	GlueDatabase         string           `json:"glueDatabase"`
	S3Location           string           `json:"s3Location"`
	DataSourceID         string           `json:"dataSourceId"`
	DataSourceRunID      string           `json:"dataSourceRunId"`
	SubscriptionDatabase string           `json:"subscriptionDatabase"`
	Workgroup            string           `json:"workgroup"`
	Tables               []TableReport    `json:"tables"`
	Consumers            []ConsumerReport `json:"consumers,omitempty"`
	Queries              []Query          `json:"queries,omitempty"`
	MadeManaged          []string         `json:"madeManaged,omitempty"`
	Timings              Timings          `json:"timings"`
}

// TableReport is one table as one project sees it.
type TableReport struct {
	GlueTable       string   `json:"glueTable"`
	AssetID         string   `json:"assetId"`
	AssetRevision   string   `json:"assetRevision,omitempty"`
	ListingID       string   `json:"listingId"`
	ListingRevision string   `json:"listingRevision,omitempty"`
	SubscriptionID  string   `json:"subscriptionId,omitempty"`
	GrantID         string   `json:"grantId,omitempty"`
	SubscribedTable string   `json:"subscribedTable"`
	RowCount        int64    `json:"rowCount"`
	Columns         []string `json:"columns"`
	QueryIDs        []string `json:"queryIds"`
}

// ConsumerReport is the onboarded tables as a consumer project sees them.
type ConsumerReport struct {
	ProjectID            string        `json:"projectId"`
	EnvironmentID        string        `json:"environmentId"`
	SubscriptionDatabase string        `json:"subscriptionDatabase"`
	Workgroup            string        `json:"workgroup"`
	Tables               []TableReport `json:"tables"`
}

// Timings are when the execution started and ended and how long each stage took.
type Timings struct {
	StartedAt    time.Time         `json:"startedAt"`
	EndedAt      time.Time         `json:"endedAt"`
	TotalSeconds float64           `json:"totalSeconds"`
	Stages       []StageTimeReport `json:"stages"`
}

// StageTimeReport is one stage's duration.
type StageTimeReport struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
}
