package workflow

import "time"

// InlineTables is how many tables (per project) the execution output spells out; the full
// report, every table, is the S3 object at ReportURI. It keeps the output far below Step
// Functions' 256 KiB at any number of tables.
const InlineTables = 10

// Output is the onboarding report. The full report (every table) is an S3 object; the execution
// output is the same document with only the first InlineTables tables of each list.
type Output struct {
	Status               string `json:"status"`
	DomainID             string `json:"domainId"`
	ProjectID            string `json:"projectId"`
	EnvironmentID        string `json:"environmentId"`
	GlueDatabase         string `json:"glueDatabase"`
	S3Location           string `json:"s3Location"`
	DataSourceID         string `json:"dataSourceId"`
	DataSourceRunID      string `json:"dataSourceRunId"`
	SubscriptionDatabase string `json:"subscriptionDatabase"`
	Workgroup            string `json:"workgroup"`
	// TableCount is how many tables were onboarded; Tables lists them all in the full report and
	// the first InlineTables in the execution output.
	TableCount int              `json:"tableCount"`
	Tables     []TableReport    `json:"tables"`
	Consumers  []ConsumerReport `json:"consumers,omitempty"`
	Queries    []Query          `json:"queries,omitempty"`
	// MadeManagedCount is how many tables the workflow made Lake Formation-managed; MadeManaged
	// names them (the first InlineTables in the execution output).
	MadeManagedCount int      `json:"madeManagedCount,omitempty"`
	MadeManaged      []string `json:"madeManaged,omitempty"`
	// ReportURI is the s3:// URI of the full report.
	ReportURI string  `json:"reportUri,omitempty"`
	Timings   Timings `json:"timings"`
}

// Inline is the output with at most InlineTables entries in each list of tables: the execution
// output of the full report o.
func (o Output) Inline() Output {
	o.Tables = o.Tables[:min(len(o.Tables), InlineTables)]
	o.MadeManaged = o.MadeManaged[:min(len(o.MadeManaged), InlineTables)]
	consumers := make([]ConsumerReport, len(o.Consumers))
	for i, c := range o.Consumers {
		c.Tables = c.Tables[:min(len(c.Tables), InlineTables)]
		consumers[i] = c
	}
	if o.Consumers != nil {
		o.Consumers = consumers
	}
	return o
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
