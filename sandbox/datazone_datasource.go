package sandbox

import (
	"encoding/json"
	"strings"
	"time"
)

// Data sources: create, read, update and list.

// dzDataSource is a GLUE data source of a project.
type dzDataSource struct {
	id, projectID, envID    string
	name, description, kind string
	enable                  string
	publishOnImport         bool
	config                  dzGlueConfig
	recommendation          json.RawMessage
	schedule                json.RawMessage
	assetForms              []dzFormInput
	status                  string
	createdAt, updatedAt    time.Time
	createdBy               string

	activeRun         *dzRun
	lastRunStatus     string
	lastRunAt         time.Time
	lastRunAssetCount *int
	lastRunError      *dzErrorMessage
}

// dzConfig is the DataSourceConfigurationInput/Output union; only GLUE is emulated.
type dzConfig struct {
	Glue      *dzGlueConfig   `json:"glueRunConfiguration,omitempty"`
	Redshift  json.RawMessage `json:"redshiftRunConfiguration,omitempty"`
	SageMaker json.RawMessage `json:"sageMakerRunConfiguration,omitempty"`
}

// dzGlueConfig is GlueRunConfigurationInput (and, with accountId and region, its output).
type dzGlueConfig struct {
	AccountID                      string        `json:"accountId,omitempty"`
	Region                         string        `json:"region,omitempty"`
	AutoImportDataQualityResult    *bool         `json:"autoImportDataQualityResult,omitempty"`
	CatalogName                    *string       `json:"catalogName,omitempty"`
	DataAccessRole                 *string       `json:"dataAccessRole,omitempty"`
	RelationalFilterConfigurations []dzRelFilter `json:"relationalFilterConfigurations"`
}

// dzRelFilter is one RelationalFilterConfiguration.
type dzRelFilter struct {
	DatabaseName      string         `json:"databaseName"`
	FilterExpressions []dzFilterExpr `json:"filterExpressions,omitempty"`
	SchemaName        *string        `json:"schemaName,omitempty"`
}

// dzFilterExpr is an INCLUDE or EXCLUDE table-name pattern with `*` wildcards.
type dzFilterExpr struct {
	Expression string `json:"expression"`
	Type       string `json:"type"`
}

// dzFormInput is a FormInput of a data source's asset forms.
type dzFormInput struct {
	FormName       string  `json:"formName"`
	TypeIdentifier *string `json:"typeIdentifier,omitempty"`
	TypeRevision   *string `json:"typeRevision,omitempty"`
	Content        *string `json:"content,omitempty"`
}

type dzDataSourceIn struct {
	Name                  *string         `json:"name"`
	Description           *string         `json:"description"`
	ProjectIdentifier     *string         `json:"projectIdentifier"`
	EnvironmentIdentifier *string         `json:"environmentIdentifier"`
	ConnectionIdentifier  *string         `json:"connectionIdentifier"`
	Type                  *string         `json:"type"`
	EnableSetting         string          `json:"enableSetting"`
	PublishOnImport       *bool           `json:"publishOnImport"`
	Configuration         *dzConfig       `json:"configuration"`
	Recommendation        json.RawMessage `json:"recommendation"`
	Schedule              json.RawMessage `json:"schedule"`
	AssetFormsInput       []dzFormInput   `json:"assetFormsInput"`
	ClientToken           *string         `json:"clientToken"`
}

type dzFormOut struct {
	FormName     string  `json:"formName"`
	TypeName     *string `json:"typeName,omitempty"`
	TypeRevision *string `json:"typeRevision,omitempty"`
	Content      *string `json:"content,omitempty"`
}

type dzDataSourceOut struct {
	ID                  string          `json:"id"`
	DomainID            string          `json:"domainId"`
	ProjectID           string          `json:"projectId"`
	EnvironmentID       string          `json:"environmentId,omitempty"`
	Name                string          `json:"name"`
	Description         *string         `json:"description,omitempty"`
	Type                string          `json:"type"`
	Status              string          `json:"status"`
	EnableSetting       string          `json:"enableSetting"`
	PublishOnImport     bool            `json:"publishOnImport"`
	Configuration       dzConfig        `json:"configuration"`
	Recommendation      json.RawMessage `json:"recommendation,omitempty"`
	Schedule            json.RawMessage `json:"schedule,omitempty"`
	AssetFormsOutput    []dzFormOut     `json:"assetFormsOutput,omitempty"`
	LastRunStatus       string          `json:"lastRunStatus,omitempty"`
	LastRunAt           *dzTime         `json:"lastRunAt,omitempty"`
	LastRunAssetCount   *int            `json:"lastRunAssetCount,omitempty"`
	LastRunErrorMessage *dzErrorMessage `json:"lastRunErrorMessage,omitempty"`
	CreatedAt           *dzTime         `json:"createdAt,omitempty"`
	UpdatedAt           *dzTime         `json:"updatedAt,omitempty"`
}

func (s *Sandbox) dzDataSourceOut(ds *dzDataSource) dzDataSourceOut {
	cfg := ds.config
	cfg.AccountID, cfg.Region = s.world.Account, s.world.Region
	o := dzDataSourceOut{
		ID: ds.id, DomainID: s.dz.domain.ID, ProjectID: ds.projectID, EnvironmentID: ds.envID,
		Name: ds.name, Description: str(ds.description), Type: ds.kind, Status: ds.status,
		EnableSetting: ds.enable, PublishOnImport: ds.publishOnImport,
		Configuration:  dzConfig{Glue: &cfg},
		Recommendation: ds.recommendation, Schedule: ds.schedule,
		LastRunStatus: ds.lastRunStatus, LastRunAt: dt(ds.lastRunAt), LastRunAssetCount: ds.lastRunAssetCount,
		LastRunErrorMessage: ds.lastRunError,
		CreatedAt:           dt(ds.createdAt), UpdatedAt: dt(ds.updatedAt),
	}
	for _, f := range ds.assetForms {
		o.AssetFormsOutput = append(o.AssetFormsOutput, dzFormOut{
			FormName: f.FormName, TypeName: f.TypeIdentifier, TypeRevision: f.TypeRevision, Content: f.Content})
	}
	return o
}

// validateGlueConfig checks a GLUE run configuration.
func validateGlueConfig(c *dzConfig) error {
	if c == nil || c.Glue == nil {
		if c != nil && (c.Redshift != nil || c.SageMaker != nil) {
			return dzValidation("Only GLUE data sources are supported in this domain")
		}
		return dzValidation("Configuration is required for a GLUE data source")
	}
	if len(c.Glue.RelationalFilterConfigurations) == 0 {
		return dzValidation("1 validation error detected: Value null at " +
			"'configuration.glueRunConfiguration.relationalFilterConfigurations' failed to satisfy constraint: " +
			"Member must not be null")
	}
	for _, f := range c.Glue.RelationalFilterConfigurations {
		if f.DatabaseName == "" {
			return dzValidation("Database name is required in relationalFilterConfigurations")
		}
		for _, e := range f.FilterExpressions {
			if e.Type != "INCLUDE" && e.Type != "EXCLUDE" {
				return dzValidation("1 validation error detected: Value '%s' at 'filterExpressions.type' failed to "+
					"satisfy constraint: Member must satisfy enum value set: [INCLUDE, EXCLUDE]", e.Type)
			}
			if e.Expression == "" {
				return dzValidation("Filter expression must not be empty")
			}
		}
	}
	return nil
}

// nameTaken reports whether another data source of the project has this name.
func (d *dzState) nameTaken(projectID, name, exceptID string) bool {
	for _, o := range d.dataSources.all() {
		if o.projectID == projectID && o.id != exceptID && o.status != "DELETING" && o.name == name {
			return true
		}
	}
	return false
}

// dzCreateDataSource serves CreateDataSource.
// CreateDataSource creates a GLUE data source: CREATING for Durations.DataSourceCreate, then READY
// and (unless disabled) immediately running its first import, so a new data source may already be
// RUNNING. A duplicate name in the project is a ValidationException; the same ClientToken returns
// the data source the first call created.
func dzCreateDataSource(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var in dzDataSourceIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := dzRequired("projectIdentifier", in.ProjectIdentifier); err != nil {
		return nil, err
	}
	p, err := d.project("projectIdentifier", *in.ProjectIdentifier)
	if err != nil {
		return nil, err
	}
	if err := d.requireMember(r, p, dzWrite); err != nil {
		return nil, err
	}
	if id, ok := d.token(r, r.op, in.ClientToken); ok {
		ds, _ := d.dataSources.get(id)
		return s.dzDataSourceOut(ds), nil
	}
	if err := dzRequired("name", in.Name); err != nil {
		return nil, err
	}
	if err := dzRequired("type", in.Type); err != nil {
		return nil, err
	}
	if !strings.EqualFold(*in.Type, "GLUE") {
		return nil, dzValidation("Data source type %s is not supported in this domain", *in.Type)
	}
	if in.ConnectionIdentifier != nil {
		return nil, dzValidation("connectionIdentifier is not supported in a %s domain", d.domain.Version)
	}
	if err := dzRequired("environmentIdentifier", in.EnvironmentIdentifier); err != nil {
		return nil, err
	}
	e, err := d.env("environmentIdentifier", *in.EnvironmentIdentifier)
	if err != nil {
		return nil, err
	}
	if e.projectID != p.id {
		return nil, dzValidation("Environment %s does not belong to project %s", e.w.ID, p.id)
	}
	if err := validateGlueConfig(in.Configuration); err != nil {
		return nil, err
	}
	enable := in.EnableSetting
	if enable == "" {
		enable = "ENABLED"
	}
	if enable != "ENABLED" && enable != "DISABLED" {
		return nil, dzValidation("1 validation error detected: Value '%s' at 'enableSetting' failed to satisfy "+
			"constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", enable)
	}
	if d.nameTaken(p.id, *in.Name, "") {
		return nil, dzValidation("DataSource name must be unique for a given project.")
	}
	now := s.now()
	ds := &dzDataSource{
		id: s.newID(), projectID: p.id, envID: e.w.ID, name: *in.Name, description: deref(in.Description),
		kind: "GLUE", enable: enable, publishOnImport: in.PublishOnImport != nil && *in.PublishOnImport,
		config: *in.Configuration.Glue, recommendation: in.Recommendation, schedule: in.Schedule,
		assetForms: in.AssetFormsInput, status: "CREATING", createdAt: now, updatedAt: now,
		createdBy: r.caller,
	}
	ds.config.AccountID, ds.config.Region = "", ""
	d.dataSources.add(ds.id, ds)
	d.remember(r, r.op, in.ClientToken, ds.id)
	r.key("dataSourceId", ds.id)
	r.key("name", ds.name)
	r.key("projectId", p.id)
	s.after(s.world.Durations.DataSourceCreate.Duration, func() {
		if ds.status != "CREATING" {
			return
		}
		ds.status, ds.updatedAt = "READY", s.now()
		if ds.enable == "ENABLED" && ds.activeRun == nil {
			run := s.dzStartRun(ds, "PRIORITIZED", ds.createdBy)
			s.recordBackground("StartDataSourceRun", run.id, map[string]string{"dataSourceId": ds.id, "runId": run.id})
		}
	})
	return s.dzDataSourceOut(ds), nil
}

// dataSource returns the data source named by a path parameter.
func (d *dzState) dataSource(field, id string) (*dzDataSource, error) {
	return d.dataSources.lookup(field, id, "Data source")
}

// dzGetDataSource serves GetDataSource: any member of the data source's project.
func dzGetDataSource(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	ds, err := dzAccessible(d, r, "identifier", dzRead, d.dataSource)
	if err != nil {
		return nil, err
	}
	return s.dzDataSourceOut(ds), nil
}

// dzUpdateDataSource serves UpdateDataSource.
// UpdateDataSource changes name, description, settings and configuration, and the data source
// passes through UPDATING for Durations.DataSourceUpdate before it is READY again (UPDATING is a
// DataSourceStatus of the model; aws-reference.md §4.2). A data source that is CREATING,
// UPDATING or has a run REQUESTED or RUNNING is a ConflictException (UNCONFIRMED wording: the
// operation models ConflictException, and a configuration cannot change under a running import).
func dzUpdateDataSource(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	ds, err := dzAccessible(d, r, "identifier", dzWrite, d.dataSource)
	if err != nil {
		return nil, err
	}
	var in dzDataSourceIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	switch {
	case ds.activeRun != nil:
		return nil, dzConflict("Data source %s has a run in progress (%s) and cannot be updated", ds.id, ds.activeRun.id)
	case ds.status == "CREATING", ds.status == "UPDATING":
		return nil, dzConflict("Data source %s is in status %s and cannot be updated", ds.id, ds.status)
	}
	if in.Configuration != nil {
		if err := validateGlueConfig(in.Configuration); err != nil {
			return nil, err
		}
	}
	if in.Name != nil && *in.Name != ds.name && d.nameTaken(ds.projectID, *in.Name, ds.id) {
		return nil, dzValidation("DataSource name must be unique for a given project.")
	}
	switch in.EnableSetting {
	case "", "ENABLED", "DISABLED":
	default:
		return nil, dzValidation("1 validation error detected: Value '%s' at 'enableSetting' failed to satisfy "+
			"constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", in.EnableSetting)
	}
	r.key("dataSourceId", ds.id)
	if in.Name != nil {
		ds.name = *in.Name
	}
	if in.Description != nil {
		ds.description = *in.Description
	}
	if in.EnableSetting != "" {
		ds.enable = in.EnableSetting
	}
	if in.PublishOnImport != nil {
		ds.publishOnImport = *in.PublishOnImport
	}
	if in.Configuration != nil {
		ds.config = *in.Configuration.Glue
		ds.config.AccountID, ds.config.Region = "", ""
	}
	if in.Recommendation != nil {
		ds.recommendation = in.Recommendation
	}
	if in.Schedule != nil {
		ds.schedule = in.Schedule
	}
	if in.AssetFormsInput != nil {
		ds.assetForms = in.AssetFormsInput
	}
	ds.status, ds.updatedAt = "UPDATING", s.now()
	s.after(s.world.Durations.DataSourceUpdate.Duration, func() {
		if ds.status == "UPDATING" {
			ds.status, ds.updatedAt = "READY", s.now()
		}
	})
	return s.dzDataSourceOut(ds), nil
}

type dzDataSourceSummary struct {
	DataSourceID        string          `json:"dataSourceId"`
	DomainID            string          `json:"domainId"`
	EnvironmentID       string          `json:"environmentId,omitempty"`
	Name                string          `json:"name"`
	Description         *string         `json:"description,omitempty"`
	Type                string          `json:"type"`
	Status              string          `json:"status"`
	EnableSetting       string          `json:"enableSetting"`
	Schedule            json.RawMessage `json:"schedule,omitempty"`
	LastRunStatus       string          `json:"lastRunStatus,omitempty"`
	LastRunAt           *dzTime         `json:"lastRunAt,omitempty"`
	LastRunAssetCount   *int            `json:"lastRunAssetCount,omitempty"`
	LastRunErrorMessage *dzErrorMessage `json:"lastRunErrorMessage,omitempty"`
	CreatedAt           *dzTime         `json:"createdAt,omitempty"`
	UpdatedAt           *dzTime         `json:"updatedAt,omitempty"`
}

// dzListDataSources serves ListDataSources: the data sources of a project, filtered by environmentIdentifier,
// name, type and status.
func dzListDataSources(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	p, err := d.project("projectIdentifier", r.query.Get("projectIdentifier"))
	if err != nil {
		return nil, err
	}
	if err := d.requireMember(r, p, dzRead); err != nil {
		return nil, err
	}
	q := r.query
	if env := q.Get("environmentIdentifier"); env != "" {
		if err := dzCheckID("environmentIdentifier", env); err != nil {
			return nil, err
		}
	}
	var items []dzDataSourceSummary
	for _, ds := range d.dataSources.all() {
		switch {
		case ds.projectID != p.id,
			dzMismatch(q, "environmentIdentifier", ds.envID),
			dzMismatch(q, "name", ds.name),
			q.Get("type") != "" && !strings.EqualFold(q.Get("type"), ds.kind),
			dzMismatch(q, "status", ds.status):
			continue
		}
		items = append(items, dzDataSourceSummary{
			DataSourceID: ds.id, DomainID: d.domain.ID, EnvironmentID: ds.envID, Name: ds.name,
			Description: str(ds.description), Type: ds.kind, Status: ds.status, EnableSetting: ds.enable,
			Schedule: ds.schedule, LastRunStatus: ds.lastRunStatus, LastRunAt: dt(ds.lastRunAt),
			LastRunAssetCount: ds.lastRunAssetCount, LastRunErrorMessage: ds.lastRunError,
			CreatedAt: dt(ds.createdAt), UpdatedAt: dt(ds.updatedAt),
		})
	}
	return dzListPage(r, items)
}
