package sandbox

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Data source runs: starting them, their REQUESTED -> RUNNING -> terminal life and their per-table
// activities.

// dzRun is one data source run.
type dzRun struct {
	id, dataSourceID, projectID string
	runType, status             string
	config                      dzGlueConfig // snapshot at start
	publish                     bool
	createdBy                   string
	createdAt, updatedAt        time.Time
	startedAt, stoppedAt        time.Time
	stats                       *dzRunStats
	errMsg                      *dzErrorMessage
	activities                  []*dzActivity
}

// dzRunStats is RunStatisticsForAssets.
type dzRunStats struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
}

// dzActivity is the outcome of one table in a run.
type dzActivity struct {
	database, table, assetID, status, projectID, runID string
	errMsg                                             *dzErrorMessage
	at                                                 time.Time
}

// dzStartRun starts a run of ds: REQUESTED, RUNNING after a quarter of Durations.DataSourceRun,
// terminal at its end. The data source is RUNNING meanwhile.
func (s *Sandbox) dzStartRun(ds *dzDataSource, runType, caller string) *dzRun {
	now := s.now()
	run := &dzRun{
		id: s.newID(), dataSourceID: ds.id, projectID: ds.projectID, runType: runType, status: "REQUESTED",
		config: ds.config, publish: ds.publishOnImport, createdBy: caller, createdAt: now, updatedAt: now,
	}
	s.dz.runs.add(run.id, run)
	ds.activeRun = run
	ds.status = "RUNNING"
	d := s.world.Durations.DataSourceRun.Duration
	s.after(d/4, func() {
		if run.status == "REQUESTED" {
			run.status, run.startedAt, run.updatedAt = "RUNNING", s.now(), s.now()
		}
	})
	s.after(d, func() { s.dzFinishRun(ds, run) })
	return run
}

// dzFinishRun imports every table the run's filters select and ends the run.
func (s *Sandbox) dzFinishRun(ds *dzDataSource, run *dzRun) {
	if run.status != "REQUESTED" && run.status != "RUNNING" {
		return
	}
	now := s.now()
	if run.startedAt.IsZero() {
		run.startedAt = now
	}
	stats := &dzRunStats{}
	for _, f := range run.config.RelationalFilterConfigurations {
		if !s.glueDatabaseExists(f.DatabaseName) {
			run.errMsg = &dzErrorMessage{
				ErrorType:   "RESOURCE_NOT_FOUND_EXCEPTION",
				ErrorDetail: str(fmt.Sprintf("Glue database %s does not exist in account %s", f.DatabaseName, s.world.Account)),
			}
			break
		}
	}
	if run.errMsg == nil {
		role := s.dz.blueprint.ManageAccessRoleARN
		if r := deref(run.config.DataAccessRole); r != "" {
			role = r
		}
		seen := map[string]bool{}
		for _, f := range run.config.RelationalFilterConfigurations {
			dbDenied := !s.dzCanDescribeDatabase(role, f.DatabaseName)
			tables := s.glueTables(f.DatabaseName)
			sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
			for _, t := range tables {
				key := t.Database + "." + t.Name
				if seen[key] || t.TargetTable != "" || !dzFilterMatch(t.Name, f.FilterExpressions) {
					continue
				}
				seen[key] = true
				act := s.dzImportTable(run, role, t, dbDenied)
				run.activities = append(run.activities, act)
				switch act.status {
				case "SUCCEEDED_CREATED":
					stats.Added++
				case "SUCCEEDED_UPDATED":
					stats.Updated++
				case "UNCHANGED":
					stats.Unchanged++
				case "SKIPPED_NO_ACCESS":
					stats.Skipped++
				default:
					stats.Failed++
				}
			}
		}
	}
	switch {
	case run.errMsg != nil:
		run.status = "FAILED"
	case stats.Skipped+stats.Failed > 0:
		run.status = "PARTIALLY_SUCCEEDED"
	default:
		run.status = "SUCCESS"
	}
	run.stats, run.stoppedAt, run.updatedAt = stats, now, now
	count := stats.Added + stats.Updated + stats.Unchanged
	ds.lastRunStatus, ds.lastRunAt, ds.lastRunAssetCount, ds.lastRunError = run.status, run.startedAt, &count, run.errMsg
	if ds.activeRun == run {
		ds.activeRun = nil
		if ds.status == "RUNNING" {
			ds.status = "READY"
		}
	}
}

// dzCanDescribeDatabase reports whether the data access role holds DESCRIBE with grant option on
// the database (a data lake administrator does): "Configure Lake Formation permissions for Amazon
// DataZone" (docs.aws.amazon.com/datazone/latest/userguide/lake-formation-permissions-for-datazone.html)
// requires it of AmazonDataZoneGlueAccess-<region>-<domainId> beside the table grants, for
// publishing and subscribing to tables of a database outside the environment (s.mu held).
func (s *Sandbox) dzCanDescribeDatabase(role, db string) bool {
	return s.lfGrantable(role, "DESCRIBE", lfResource{Database: db})
}

// dzImportTable creates or updates the asset of one Glue table, when the data access role can
// DESCRIBE it and (dbDenied false) its database, and publishes it when the run publishes on
// import. Without the database permission every table of the database is SKIPPED_NO_ACCESS
// (UNCONFIRMED: how a real run reports the missing database grant is not documented; the
// activity status is the one aws-reference.md §13 ties to missing manage-access grants).
func (s *Sandbox) dzImportTable(run *dzRun, role string, t *glueTable, dbDenied bool) *dzActivity {
	act := &dzActivity{database: t.Database, table: t.Name, projectID: run.projectID, runID: run.id, at: s.now()}
	if dbDenied {
		act.status = "SKIPPED_NO_ACCESS"
		act.errMsg = &dzErrorMessage{
			ErrorType: "ACCESS_DENIED_EXCEPTION",
			ErrorDetail: str(fmt.Sprintf("Insufficient Lake Formation permission(s): role %s needs DESCRIBE with grant "+
				"option on database %s", role, t.Database)),
		}
		return act
	}
	if !s.lfHas(role, "DESCRIBE", lfResource{Database: t.Database, Table: t.Name}) {
		act.status = "SKIPPED_NO_ACCESS"
		act.errMsg = &dzErrorMessage{
			ErrorType: "ACCESS_DENIED_EXCEPTION",
			ErrorDetail: str(fmt.Sprintf("Insufficient Lake Formation permission(s): role %s is not authorized to "+
				"DESCRIBE table %s.%s", role, t.Database, t.Name)),
		}
		return act
	}
	a, status := s.dzUpsertAsset(run.projectID, run.createdBy, t)
	act.assetID, act.status = a.id, status
	if run.publish && status != "UNCHANGED" {
		l, rev := s.dzPublish(a, len(a.revisions), run.createdBy)
		s.recordBackground("CreateListingChangeSet", l.id, map[string]string{
			"assetId": a.id, "listingId": l.id, "listingRevision": dzRevision(rev.revision), "runId": run.id,
		})
	}
	return act
}

// dzFilterMatch applies INCLUDE/EXCLUDE patterns: a table is imported when it matches an INCLUDE
// (or there is none) and no EXCLUDE.
func dzFilterMatch(name string, exprs []dzFilterExpr) bool {
	included, hasInclude := false, false
	for _, e := range exprs {
		m := dzWildcard(strings.ToLower(e.Expression), strings.ToLower(name))
		if e.Type == "EXCLUDE" && m {
			return false
		}
		if e.Type == "INCLUDE" {
			hasInclude = true
			included = included || m
		}
	}
	return included || !hasInclude
}

// dzWildcard matches s against a pattern in which `*` stands for any run of characters.
func dzWildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

type dzStartRunIn struct {
	ClientToken *string `json:"clientToken"`
}

type dzRunOut struct {
	ID                              string          `json:"id"`
	DomainID                        string          `json:"domainId,omitempty"`
	DataSourceID                    string          `json:"dataSourceId"`
	ProjectID                       string          `json:"projectId"`
	Status                          string          `json:"status"`
	Type                            string          `json:"type"`
	DataSourceConfigurationSnapshot string          `json:"dataSourceConfigurationSnapshot,omitempty"`
	RunStatisticsForAssets          *dzRunStats     `json:"runStatisticsForAssets,omitempty"`
	ErrorMessage                    *dzErrorMessage `json:"errorMessage,omitempty"`
	CreatedAt                       *dzTime         `json:"createdAt,omitempty"`
	UpdatedAt                       *dzTime         `json:"updatedAt,omitempty"`
	StartedAt                       *dzTime         `json:"startedAt,omitempty"`
	StoppedAt                       *dzTime         `json:"stoppedAt,omitempty"`
}

func (s *Sandbox) dzRunOut(run *dzRun, full bool) dzRunOut {
	o := dzRunOut{
		ID: run.id, DataSourceID: run.dataSourceID, ProjectID: run.projectID, Status: run.status,
		Type: run.runType, RunStatisticsForAssets: run.stats, ErrorMessage: run.errMsg,
		CreatedAt: dt(run.createdAt), UpdatedAt: dt(run.updatedAt),
		StartedAt: dt(run.startedAt), StoppedAt: dt(run.stoppedAt),
	}
	if full {
		o.DomainID = s.dz.domain.ID
		cfg := run.config
		cfg.AccountID, cfg.Region = s.world.Account, s.world.Region
		b, _ := json.Marshal(dzConfig{Glue: &cfg})
		o.DataSourceConfigurationSnapshot = string(b)
	}
	return o
}

// dzStartDataSourceRun serves StartDataSourceRun.
// StartDataSourceRun starts a PRIORITIZED run. A data source that is not READY or already has a
// REQUESTED/RUNNING run is a ConflictException; the same ClientToken returns the same run.
func dzStartDataSourceRun(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	ds, err := dzAccessible(d, r, "dataSourceIdentifier", dzWrite, d.dataSource)
	if err != nil {
		return nil, err
	}
	var in dzStartRunIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if id, ok := d.token(r, r.op+"/"+ds.id, in.ClientToken); ok {
		run, _ := d.runs.get(id)
		return s.dzRunOut(run, true), nil
	}
	if ds.activeRun != nil {
		return nil, dzConflict("Data source %s already has a run in progress: %s", ds.id, ds.activeRun.id)
	}
	if ds.status != "READY" {
		return nil, dzConflict("Data source %s is in status %s; a run can start only when it is READY", ds.id, ds.status)
	}
	run := s.dzStartRun(ds, "PRIORITIZED", r.caller)
	d.remember(r, r.op+"/"+ds.id, in.ClientToken, run.id)
	r.key("dataSourceId", ds.id)
	r.key("runId", run.id)
	return s.dzRunOut(run, true), nil
}

// run returns the run named by a path parameter.
func (d *dzState) run(field, id string) (*dzRun, error) {
	return d.runs.lookup(field, id, "Data source run")
}

// dzGetDataSourceRun serves GetDataSourceRun: any member of the run's project.
func dzGetDataSourceRun(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	run, err := dzAccessible(d, r, "identifier", dzRead, d.run)
	if err != nil {
		return nil, err
	}
	return s.dzRunOut(run, true), nil
}

// dzListDataSourceRuns serves ListDataSourceRuns.
// ListDataSourceRuns lists a data source's runs, newest first, filtered by status.
func dzListDataSourceRuns(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	ds, err := dzAccessible(d, r, "dataSourceIdentifier", dzRead, d.dataSource)
	if err != nil {
		return nil, err
	}
	status := r.query.Get("status")
	var items []dzRunOut
	runs := d.runs.all()
	for i := len(runs) - 1; i >= 0; i-- {
		run := runs[i]
		if run.dataSourceID != ds.id || (status != "" && run.status != status) {
			continue
		}
		items = append(items, s.dzRunOut(run, false))
	}
	return dzListPage(r, items)
}

type dzActivityOut struct {
	Database        string          `json:"database"`
	TechnicalName   string          `json:"technicalName"`
	DataAssetID     *string         `json:"dataAssetId,omitempty"`
	DataAssetStatus string          `json:"dataAssetStatus"`
	ProjectID       string          `json:"projectId"`
	DataSourceRunID string          `json:"dataSourceRunId"`
	ErrorMessage    *dzErrorMessage `json:"errorMessage,omitempty"`
	CreatedAt       *dzTime         `json:"createdAt,omitempty"`
	UpdatedAt       *dzTime         `json:"updatedAt,omitempty"`
}

// dzListDataSourceRunActivities serves ListDataSourceRunActivities.
// ListDataSourceRunActivities lists the per-table outcomes of a run (empty until it ends),
// filtered by status.
func dzListDataSourceRunActivities(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	run, err := dzAccessible(d, r, "identifier", dzRead, d.run)
	if err != nil {
		return nil, err
	}
	status := r.query.Get("status")
	var items []dzActivityOut
	for _, a := range run.activities {
		if status != "" && a.status != status {
			continue
		}
		items = append(items, dzActivityOut{
			Database: a.database, TechnicalName: a.table, DataAssetID: str(a.assetID), DataAssetStatus: a.status,
			ProjectID: a.projectID, DataSourceRunID: a.runID, ErrorMessage: a.errMsg,
			CreatedAt: dt(a.at), UpdatedAt: dt(a.at),
		})
	}
	return dzListPage(r, items)
}
