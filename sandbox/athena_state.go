package sandbox

import (
	"database/sql"
	"sort"
	"strings"
	"time"
)

// athenaState holds the workgroups and query executions.
type athenaState struct {
	workgroups map[string]*athenaWorkgroup
	queries    map[string]*athenaQuery
	tokens     map[string]*athenaQuery // by ClientRequestToken
	// engine is the sandbox's DuckDB database, opened by the first query (sqlEngine).
	engine *sql.DB
}

// athenaWorkgroup is an Athena workgroup.
type athenaWorkgroup struct {
	name, description, output string
	enforce                   bool
	created                   time.Time
}

// athenaQuery is one query execution.
type athenaQuery struct {
	id, query, workgroup, database, catalog, caller, token, outputLocation string
	state, reason, errKind                                                 string
	submitted, started, completed                                          time.Time
	result                                                                 *sqlResult
}

// newAthena creates the "primary" workgroup and one per DataZone environment of the world,
// writing to the DataZone bucket of the domain.
func newAthena(s *Sandbox) *athenaState {
	a := &athenaState{workgroups: map[string]*athenaWorkgroup{}, queries: map[string]*athenaQuery{}, tokens: map[string]*athenaQuery{}}
	now := s.now()
	a.workgroups["primary"] = &athenaWorkgroup{name: "primary", created: now,
		output: "s3://aws-athena-query-results-" + s.world.Account + "-" + s.world.Region + "/"}
	bucket := s.dataZoneBucket()
	for _, p := range s.world.DataZone.Projects {
		for _, e := range p.Environments {
			if e.Workgroup == "" {
				continue
			}
			a.workgroups[e.Workgroup] = &athenaWorkgroup{name: e.Workgroup, enforce: true, created: now,
				description: "Workgroup for DataZone environment " + e.Name,
				output:      "s3://" + bucket + "/athena/" + e.Workgroup + "/"}
		}
	}
	return a
}

// dataZoneBucket is the S3 bucket DataZone uses in this account and region.
func (s *Sandbox) dataZoneBucket() string {
	domain := strings.NewReplacer("dzd_", "", "dzd-", "").Replace(s.world.DataZone.Domain.ID)
	return "amazon-datazone-" + s.world.Account + "-" + s.world.Region + "-" + domain
}

// AthenaWorkgroups returns the names of the workgroups, sorted.
func (s *Sandbox) AthenaWorkgroups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.athena.workgroups))
	for n := range s.athena.workgroups {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
