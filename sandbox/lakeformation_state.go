package sandbox

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// iamAllowedPrincipals is Lake Formation's principal for "use IAM permissions only".
const iamAllowedPrincipals = "IAM_ALLOWED_PRINCIPALS"

// lfState is the account's Lake Formation state.
type lfState struct {
	// settings is the DataLakeSettings object exactly as last put.
	settings   map[string]any
	registered map[string]*lfRegistration // by resource ARN
	grants     []*lfGrantEntry
	slrPaths   []string
}

// lfRegistration is a registered data lake location.
type lfRegistration struct {
	ResourceARN, RoleARN string
	HybridAccessEnabled  bool
	WithFederation       bool
	LastModified         time.Time
}

// lfResource names a Lake Formation resource: a database, a table (or every table of a database),
// or a data location (arn:aws:s3:::bucket/prefix).
type lfResource struct {
	Database, Table string
	TableWildcard   bool
	DataLocation    string
}

func (r lfResource) kind() string {
	switch {
	case r.DataLocation != "":
		return "DATA_LOCATION"
	case r.Table != "" || r.TableWildcard:
		return "TABLE"
	case r.Database != "":
		return "DATABASE"
	}
	return "CATALOG"
}

func (r lfResource) String() string {
	switch r.kind() {
	case "DATA_LOCATION":
		return r.DataLocation
	case "TABLE":
		if r.TableWildcard {
			return r.Database + ".*"
		}
		return r.Database + "." + r.Table
	case "DATABASE":
		return r.Database
	}
	return "catalog"
}

// lfGrantEntry is the set of permissions one principal holds on one resource.
type lfGrantEntry struct {
	principal string
	res       lfResource
	perms     []string // sorted
	grantable []string // sorted
	updated   time.Time
	by        string
	// effectiveFrom is when Athena starts to honour the entry (DataZone's grants lag by
	// Durations.GrantPropagation); the zero time is at once.
	effectiveFrom time.Time
}

func newLFState(s *Sandbox) *lfState {
	admins := make([]any, 0, len(s.world.LakeFormation.Admins))
	for _, a := range s.world.LakeFormation.Admins {
		admins = append(admins, map[string]any{"DataLakePrincipalIdentifier": a})
	}
	return &lfState{
		settings: map[string]any{
			"DataLakeAdmins":                   admins,
			"ReadOnlyAdmins":                   []any{},
			"CreateDatabaseDefaultPermissions": []any{},
			"CreateTableDefaultPermissions":    []any{},
			"TrustedResourceOwners":            []any{},
			"AllowExternalDataFiltering":       false,
			"AllowFullTableExternalDataAccess": false,
			"Parameters":                       map[string]any{"CROSS_ACCOUNT_VERSION": "4", "SET_CONTEXT": "TRUE"},
		},
		registered: map[string]*lfRegistration{},
	}
}

// load applies the world's registrations and grants (after the catalog exists).
func (lf *lfState) load(s *Sandbox) error {
	now := s.now()
	for _, r := range s.world.LakeFormation.Registered {
		role := r.RoleARN
		if r.UseServiceLinkedRole {
			role = s.serviceLinkedRoleARN()
			lf.slrPaths = append(lf.slrPaths, r.ResourceARN)
		}
		lf.registered[r.ResourceARN] = &lfRegistration{ResourceARN: r.ResourceARN, RoleARN: role,
			HybridAccessEnabled: r.HybridAccessEnabled, LastModified: now}
	}
	for _, p := range s.world.LakeFormation.Permissions {
		res := lfResource{Database: p.Database, Table: p.Table, TableWildcard: p.TableWildcard, DataLocation: p.DataLocation}
		if res.kind() == "CATALOG" {
			return fmt.Errorf("lake formation permission for %s names no resource", p.Principal)
		}
		lf.add(p.Principal, res, p.Permissions, p.GrantablePerms, now, "world")
	}
	return nil
}

// serviceLinkedRoleARN is Lake Formation's data access service-linked role.
func (s *Sandbox) serviceLinkedRoleARN() string {
	return "arn:aws:iam::" + s.world.Account +
		":role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"
}

// ServiceLinkedRolePaths returns the locations registered with the Lake Formation service-linked
// role, i.e. the paths in that role's inline policy, in registration order.
func (s *Sandbox) ServiceLinkedRolePaths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lf.slrPaths)
}

func (lf *lfState) find(principal string, res lfResource) *lfGrantEntry {
	for _, g := range lf.grants {
		if g.principal == principal && g.res == res {
			return g
		}
	}
	return nil
}

// add merges permissions into a principal's grant on a resource.
func (lf *lfState) add(principal string, res lfResource, perms, grantable []string, now time.Time, by string) {
	g := lf.find(principal, res)
	if g == nil {
		g = &lfGrantEntry{principal: principal, res: res}
		lf.grants = append(lf.grants, g)
	}
	g.perms = union(g.perms, perms)
	g.grantable = union(g.grantable, grantable)
	g.updated, g.by = now, by
}

// remove takes permissions away; it reports whether anything was held.
func (lf *lfState) remove(principal string, res lfResource, perms, grantable []string) bool {
	g := lf.find(principal, res)
	if g == nil {
		return false
	}
	changed := false
	for _, p := range perms {
		if slices.Contains(g.perms, p) || (p == "ALL" && len(g.perms) > 0) {
			changed = true
		}
	}
	if slices.Contains(perms, "ALL") {
		g.perms = nil
		g.grantable = nil
	}
	g.perms = minus(g.perms, perms)
	g.grantable = minus(g.grantable, union(perms, grantable))
	if len(g.perms) == 0 && len(g.grantable) == 0 {
		lf.grants = slices.DeleteFunc(lf.grants, func(x *lfGrantEntry) bool { return x == g })
	}
	return changed || len(grantable) > 0
}

func (lf *lfState) grantIAMAllowed(res lfResource) {
	lf.add(iamAllowedPrincipals, res, []string{"ALL"}, nil, time.Time{}, "")
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

func minus(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(x string) bool { return slices.Contains(b, x) })
}

// admins are the data lake administrators from the current settings.
func (lf *lfState) admins() []string {
	return settingsPrincipalList(lf.settings, "DataLakeAdmins")
}

// isLFAdmin reports whether the role is a data lake administrator (s.mu held).
func (s *Sandbox) isLFAdmin(arn string) bool { return slices.Contains(s.lf.admins(), arn) }

// holds reports whether principal holds perm on exactly res (ALL counts as every permission).
func (lf *lfState) holds(principal, perm string, res lfResource, grantable bool) bool {
	g := lf.find(principal, res)
	if g == nil {
		return false
	}
	set := g.perms
	if grantable {
		set = g.grantable
	}
	return slices.Contains(set, perm) || slices.Contains(set, "ALL")
}

// lfHas reports whether principal effectively holds perm on res (s.mu held): explicit grants, ALL,
// TableWildcard grants of the table's database, and IAMAllowedPrincipals on the resource (which
// counts as every permission for every principal).
func (s *Sandbox) lfHas(principal, perm string, res lfResource) bool {
	return s.lfHolds(principal, perm, res, false)
}

// lfGrantable reports whether principal holds perm on res with the grant option, is a data lake
// administrator, or created the table or database (creators "can grant permissions on [the
// tables] they created", developer guide, "Implicit Lake Formation permissions") (s.mu held).
func (s *Sandbox) lfGrantable(principal, perm string, res lfResource) bool {
	if s.isLFAdmin(principal) || s.creates(principal, res) {
		return true
	}
	return s.lfHolds(principal, perm, res, true)
}

func (s *Sandbox) lfHolds(principal, perm string, res lfResource, grantable bool) bool {
	lf := s.lf
	if res.kind() == "DATA_LOCATION" {
		loc := normalizeLocationARN(res.DataLocation)
		for _, g := range lf.grants {
			if g.principal != principal || g.res.DataLocation == "" || !covers(g.res.DataLocation, loc) {
				continue
			}
			if lf.holds(principal, perm, g.res, grantable) {
				return true
			}
		}
		return false
	}
	if lf.holds(principal, perm, res, grantable) {
		return true
	}
	if !grantable && lf.holds(iamAllowedPrincipals, perm, res, false) {
		return true
	}
	if res.kind() == "TABLE" && !res.TableWildcard {
		wild := lfResource{Database: res.Database, TableWildcard: true}
		if lf.holds(principal, perm, wild, grantable) {
			return true
		}
	}
	return false
}

// lfGrant grants permissions as DataZone does, without any check or journal entry (s.mu held).
// Permissions the principal did not hold yet take effect for Athena only after
// Durations.GrantPropagation.
func (s *Sandbox) lfGrant(principal string, perms []string, res lfResource) {
	now := s.now()
	old := s.lf.find(principal, res)
	fresh := old == nil || len(union(old.perms, perms)) > len(old.perms)
	s.lf.add(principal, res, perms, nil, now, "datazone")
	if fresh {
		s.lf.find(principal, res).effectiveFrom = now.Add(s.world.Durations.GrantPropagation.Duration)
	}
}

// lfRegistrationFor returns the registration covering an s3:// or arn:aws:s3::: location.
func (s *Sandbox) lfRegistrationFor(location string) (*lfRegistration, bool) {
	loc := normalizeLocationARN(location)
	var best *lfRegistration
	for arn, r := range s.lf.registered {
		if covers(arn, loc) && (best == nil || len(arn) > len(best.ResourceARN)) {
			best = r
		}
	}
	return best, best != nil
}

// lfManaged reports whether a table (resource links resolve to their target) is managed by Lake
// Formation: its location is registered and it does not grant IAMAllowedPrincipals. If not, the
// reason says why (s.mu held).
func (s *Sandbox) lfManaged(db, table string) (bool, string) {
	t, ok := s.glueTable(db, table)
	if !ok {
		return false, fmt.Sprintf("table %s.%s not found", db, table)
	}
	t, ok = s.resolveTable(t)
	if !ok {
		return false, fmt.Sprintf("resource link %s.%s points to a missing table", db, table)
	}
	if _, ok := s.lfRegistrationFor(t.Location); !ok {
		return false, fmt.Sprintf("location %s is not registered with Lake Formation", t.Location)
	}
	if s.tableGrantsIAMAllowed(t) {
		return false, fmt.Sprintf("table %s.%s grants IAMAllowedPrincipals", t.Database, t.Name)
	}
	return true, ""
}

// tableGrantsIAMAllowed reports whether IAMAllowedPrincipals holds a permission on the table.
func (s *Sandbox) tableGrantsIAMAllowed(t *glueTable) bool {
	g := s.lf.find(iamAllowedPrincipals, lfResource{Database: t.Database, Table: t.Name})
	return g != nil && len(g.perms) > 0
}

// normalizeLocationARN turns s3://b/p/ or arn:aws:s3:::b/p/ into arn:aws:s3:::b/p.
func normalizeLocationARN(loc string) string {
	if strings.HasPrefix(loc, "s3://") {
		loc = "arn:aws:s3:::" + strings.TrimPrefix(loc, "s3://")
	}
	return strings.TrimRight(loc, "/")
}

// covers reports whether the registered or granted location parent covers loc.
func covers(parent, loc string) bool {
	parent = normalizeLocationARN(parent)
	return loc == parent || strings.HasPrefix(loc, parent+"/")
}

// s3Location turns arn:aws:s3:::b/p into s3://b/p/.
func s3Location(arn string) string {
	return "s3://" + strings.TrimPrefix(normalizeLocationARN(arn), "arn:aws:s3:::") + "/"
}

// bucketOf returns the bucket of an s3:// URI or S3 ARN.
func bucketOf(loc string) string {
	b := strings.TrimPrefix(strings.TrimPrefix(normalizeLocationARN(loc), "arn:aws:s3:::"), "/")
	b, _, _ = strings.Cut(b, "/")
	return b
}
