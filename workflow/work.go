package workflow

import "time"

// Work is the document the state machine carries as its state: Preflight creates it from the
// execution input, and every later task reads it and returns it updated (ResultPath "$"). It holds
// only what later steps need, and its size is bounded: the per-table records (Tables) live in an
// S3 object that TableSet points to, so the state stays a few KiB at any number of tables or
// polls. Choice states read Poll.Done; Wait states read Poll.WaitSeconds.
type Work struct {
	Plan          Plan                `json:"plan"`
	LakeFormation *LakeFormationState `json:"lakeFormation,omitempty"`
	Crawl         *CrawlState         `json:"crawl,omitempty"`
	DataSource    *DataSourceState    `json:"dataSource,omitempty"`
	// Tables are the onboarded tables, sorted by name, filled in stage by stage. They never enter
	// the state: each task reads them from the object TableSet names and writes a new one when it
	// changed them (tasks/internal/tablestore, wired in by tasks/registry).
	Tables []Table `json:"-"`
	// TableSet is where Tables are stored, and how many there are.
	TableSet *TableSet `json:"tableSet,omitempty"`
	// TablesUpdatedAt is the newest Glue UpdateTime of the onboarded tables.
	TablesUpdatedAt time.Time `json:"tablesUpdatedAt,omitempty"`
	// Queries are the user queries of Verify, run in the producer environment.
	Queries []Query `json:"queries,omitempty"`
	// Poll drives the current wait loop.
	Poll    Poll          `json:"poll"`
	Timings []StageTiming `json:"timings,omitempty"`
}

// Plan is what Preflight resolved from the input and the account; later tasks never re-derive it.
type Plan struct {
	// Execution is the execution name: client tokens derive from it.
	Execution string    `json:"execution"`
	StartedAt time.Time `json:"startedAt"`
	// Partition is the ARN partition of the account (aws, aws-cn, aws-us-gov), from the caller's
	// identity: every ARN the tasks build uses it.
	Partition string `json:"partition"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	DomainID  string `json:"domainId"`

	CrawlerName    string   `json:"crawlerName"`
	CrawlerRoleARN string   `json:"crawlerRoleArn"`
	GlueDatabase   string   `json:"glueDatabase"`
	S3Location     string   `json:"s3Location"`
	LocationARN    string   `json:"locationArn"`
	TableFilters   []string `json:"tables"`
	DataSourceName string   `json:"dataSourceName"`
	SkipCrawl      bool     `json:"skipCrawl"`
	MakeManaged    bool     `json:"makeManaged"`

	// ManageAccessRoleARN is the DefaultDataLake blueprint's manage-access role.
	ManageAccessRoleARN string `json:"manageAccessRoleArn"`

	Producer  Target     `json:"producer"`
	Consumers []Target   `json:"consumers,omitempty"`
	Verify    VerifySpec `json:"verify"`
}

// Targets returns the producer followed by the consumers: the order of Table.Access.
func (p Plan) Targets() []Target {
	return append([]Target{p.Producer}, p.Consumers...)
}

// Target is a project and its DefaultDataLake environment, resolved.
type Target struct {
	ProjectID            string `json:"projectId"`
	EnvironmentID        string `json:"environmentId"`
	EnvironmentName      string `json:"environmentName"`
	SubscriptionDatabase string `json:"subscriptionDatabase"`
	UserRoleARN          string `json:"userRoleArn"`
	Workgroup            string `json:"workgroup"`
}

// VerifySpec is Verify with its defaults applied.
type VerifySpec struct {
	MinRows    int64    `json:"minRows"`
	SampleRows int      `json:"sampleRows"`
	Queries    []string `json:"queries,omitempty"`
}

// LakeFormationState is what PrepareLakeFormation found and did.
type LakeFormationState struct {
	// Registration is "registered" (by this run), "already registered" or "covered by <arn>".
	Registration string `json:"registration"`
	// Granted lists the grants this run made ("DESCRIBE on database acme_sales to <role>").
	Granted []string `json:"granted,omitempty"`
}

// CrawlState is the crawl this execution started or adopted.
type CrawlState struct {
	// Previous is the start of the crawler's LastCrawl before this execution started one (zero
	// when the crawler had never finished a crawl): the crawl is over when the crawler is READY
	// with a LastCrawl that began after it. Comparing the crawler's own times with each other,
	// never with this workflow's clock, keeps a stale LastCrawl from counting.
	Previous time.Time `json:"previous,omitempty"`
	// StartedAt is when this execution started the crawl, or when the adopted crawl began (from
	// ListCrawls); zero while an adopted crawl is not listed yet.
	StartedAt time.Time `json:"startedAt,omitempty"`
	// Adopted is true when a crawl was already running and this execution waited for it.
	Adopted bool   `json:"adopted,omitempty"`
	Status  string `json:"status,omitempty"`
	// Summary is the crawl's own account of what changed ("1 table created"), when Glue gives it.
	Summary string `json:"summary,omitempty"`
}

// DataSourceState is the DataZone data source and the run whose outcome counts.
type DataSourceState struct {
	ID      string `json:"id"`
	Created bool   `json:"created,omitempty"`
	// CreatedAt is when this execution created the data source (zero when it found one): reads
	// right after a create may not find it yet.
	CreatedAt time.Time `json:"createdAt,omitempty"`
	Status    string    `json:"status,omitempty"`
	RunID     string    `json:"runId,omitempty"`
	// RunOrigin says where the run came from: "started", "adopted" (already active) or "reused"
	// (the last successful run is newer than every table change).
	RunOrigin string `json:"runOrigin,omitempty"`
	RunStatus string `json:"runStatus,omitempty"`
	// RunStartedAt is when this execution started the run (zero for an adopted or reused one).
	RunStartedAt time.Time `json:"runStartedAt,omitempty"`
}

// Table is one onboarded Glue table and what DataZone made of it.
type Table struct {
	Name            string `json:"glueTable"`
	AssetID         string `json:"assetId,omitempty"`
	AssetRevision   string `json:"assetRevision,omitempty"`
	ListingID       string `json:"listingId,omitempty"`
	ListingRevision string `json:"listingRevision,omitempty"`
	ListingStatus   string `json:"listingStatus,omitempty"`
	// PublishedAt is when this execution published the asset's revision (zero when it found it
	// listed).
	PublishedAt time.Time `json:"publishedAt,omitempty"`
	// MadeManaged is true when this workflow revoked IAMAllowedPrincipals from the table.
	MadeManaged bool `json:"madeManaged,omitempty"`
	// Access has one entry per target of Plan.Targets(), in that order.
	Access []Access `json:"access,omitempty"`
	// Failed is why the table could not be onboarded, when a stage failed it alone: the stages
	// after leave it out, and Report fails the execution with Failed.Stage's named error listing
	// every such table, once the other tables are done.
	Failed *TableFailure `json:"failed,omitempty"`
}

// TableFailure is why one table of many could not be onboarded.
type TableFailure struct {
	// Stage is the stage that failed the table (TaskRun, TaskPublish, ...).
	Stage   string  `json:"stage"`
	Problem Problem `json:"problem"`
}

// Access is one project's subscription to one table, and the proof that it can query it.
type Access struct {
	EnvironmentID string `json:"environmentId"`
	RequestID     string `json:"requestId,omitempty"`
	// RequestedAt is when this execution created the request (zero when it found one).
	RequestedAt    time.Time `json:"requestedAt,omitempty"`
	SubscriptionID string    `json:"subscriptionId,omitempty"`
	GrantID        string    `json:"grantId,omitempty"`
	// ApprovedAt is when this execution first saw the subscription approved: DataZone grants an
	// AUTOMATIC target by itself, and the task grants it only when DataZone has not done so a while
	// after that.
	ApprovedAt time.Time `json:"approvedAt,omitempty"`
	// GrantedAt is when this execution created the grant itself (zero when DataZone made it).
	GrantedAt time.Time `json:"grantedAt,omitempty"`
	// Status is the furthest state reached: REQUESTED, APPROVED, GRANTED.
	Status string `json:"status,omitempty"`
	// SubscribedTable is the table (resource link) in the environment's subscription database,
	// as the grant named it.
	SubscribedTable string   `json:"subscribedTable,omitempty"`
	QueryIDs        []string `json:"queryIds,omitempty"`
	RowCount        *int64   `json:"rowCount,omitempty"`
	Columns         []string `json:"columns,omitempty"`
	// QueryAttempts counts the attempts at the checks (QueryIDs) that failed only because the
	// subscription's access had not reached Athena yet (Lake Formation or S3 access denied just
	// after the grant); QueryIDs are then the checks of attempt QueryAttempts+1.
	QueryAttempts int `json:"queryAttempts,omitempty"`
}

// Query is a user query of Verify and its outcome.
type Query struct {
	SQL     string `json:"sql"`
	QueryID string `json:"queryId,omitempty"`
	State   string `json:"state,omitempty"`
	Rows    *int64 `json:"rows,omitempty"`
	// Failed is why the query failed, when the tables' checks passed: Report then fails the
	// execution with a VerificationFailedError once the rest is done.
	Failed *Problem `json:"failed,omitempty"`
}

// StageTiming is when a stage (a task of Tasks) began and ended.
type StageTiming struct {
	Stage     string    `json:"stage"`
	StartedAt time.Time `json:"startedAt"`
	EndedAt   time.Time `json:"endedAt,omitempty"`
}

// BeginStage records the start of a stage once; later calls keep the first time.
func (w *Work) BeginStage(stage string, now time.Time) {
	for _, t := range w.Timings {
		if t.Stage == stage {
			return
		}
	}
	w.Timings = append(w.Timings, StageTiming{Stage: stage, StartedAt: now})
}

// EndStage records the end of a stage (starting it if it was not).
func (w *Work) EndStage(stage string, now time.Time) {
	w.BeginStage(stage, now)
	for i := range w.Timings {
		if w.Timings[i].Stage == stage {
			w.Timings[i].EndedAt = now
		}
	}
}
