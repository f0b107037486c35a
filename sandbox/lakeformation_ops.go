package sandbox

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// lakeformationRoutes are the Lake Formation operations (restJson1, POST /<Operation>).
var lakeformationRoutes = []restRoute{
	{"POST", "/RegisterResource", "RegisterResource", lfRegisterResource},
	{"POST", "/DeregisterResource", "DeregisterResource", lfDeregisterResource},
	{"POST", "/DescribeResource", "DescribeResource", lfDescribeResource},
	{"POST", "/ListResources", "ListResources", lfListResources},
	{"POST", "/GrantPermissions", "GrantPermissions", lfGrantPermissions},
	{"POST", "/RevokePermissions", "RevokePermissions", lfRevokePermissions},
	{"POST", "/BatchGrantPermissions", "BatchGrantPermissions", lfBatchGrantPermissions},
	{"POST", "/BatchRevokePermissions", "BatchRevokePermissions", lfBatchRevokePermissions},
	{"POST", "/ListPermissions", "ListPermissions", lfListPermissions},
	{"POST", "/GetDataLakeSettings", "GetDataLakeSettings", lfGetDataLakeSettings},
	{"POST", "/PutDataLakeSettings", "PutDataLakeSettings", lfPutDataLakeSettings},
}

// principalRE matches the principals the sandbox accepts: IAM roles and users of any account.
var principalRE = regexp.MustCompile(`^arn:aws:iam::\d{12}:(role|user)/.+$`)

func lfInvalid(format string, args ...any) *apiError {
	return errorf(400, "InvalidInputException", format, args...)
}

type lfRegisterInput struct {
	ResourceArn          *string `json:"ResourceArn"`
	UseServiceLinkedRole *bool   `json:"UseServiceLinkedRole"`
	RoleArn              *string `json:"RoleArn"`
	HybridAccessEnabled  *bool   `json:"HybridAccessEnabled"`
	WithFederation       *bool   `json:"WithFederation"`
}

func lfRegisterResource(s *Sandbox, r *request) (any, error) {
	var in lfRegisterInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	arn := deref(in.ResourceArn)
	r.key("ResourceArn", arn)
	if aerr := s.readOnlyRefusal(r.caller, r.op); aerr != nil {
		return nil, aerr
	}
	if !strings.HasPrefix(arn, "arn:aws:s3:::") || len(arn) == len("arn:aws:s3:::") {
		return nil, lfInvalid("Invalid resource ARN %q: expected arn:aws:s3:::bucket[/prefix]", arn)
	}
	arn = normalizeLocationARN(arn)
	slr := in.UseServiceLinkedRole != nil && *in.UseServiceLinkedRole
	role := deref(in.RoleArn)
	if slr == (role != "") {
		return nil, lfInvalid("Exactly one of RoleArn and UseServiceLinkedRole must be set")
	}
	if _, ok := s.lf.registered[arn]; ok {
		return nil, errorf(400, "AlreadyExistsException", "Resource is already registered")
	}
	if s.world.BucketDir(bucketOf(arn)) == "" {
		return nil, lfInvalid("The S3 bucket %s does not exist", bucketOf(arn))
	}
	if slr {
		role = s.serviceLinkedRoleARN()
		s.lf.slrPaths = append(s.lf.slrPaths, arn)
	}
	s.lf.registered[arn] = &lfRegistration{ResourceARN: arn, RoleARN: role,
		HybridAccessEnabled: in.HybridAccessEnabled != nil && *in.HybridAccessEnabled,
		WithFederation:      in.WithFederation != nil && *in.WithFederation, LastModified: s.now()}
	return nil, nil
}

func lfDeregisterResource(s *Sandbox, r *request) (any, error) {
	var in struct {
		ResourceArn *string `json:"ResourceArn"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	arn := normalizeLocationARN(deref(in.ResourceArn))
	r.key("ResourceArn", arn)
	if aerr := s.readOnlyRefusal(r.caller, r.op); aerr != nil {
		return nil, aerr
	}
	if _, ok := s.lf.registered[arn]; !ok {
		return nil, errorf(400, "EntityNotFoundException", "Entity not found")
	}
	delete(s.lf.registered, arn)
	s.lf.slrPaths = slices.DeleteFunc(s.lf.slrPaths, func(p string) bool { return p == arn })
	return nil, nil
}

func lfDescribeResource(s *Sandbox, r *request) (any, error) {
	var in struct {
		ResourceArn *string `json:"ResourceArn"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	reg, ok := s.lf.registered[normalizeLocationARN(deref(in.ResourceArn))]
	if !ok {
		return nil, errorf(400, "EntityNotFoundException", "Entity not found")
	}
	return map[string]any{"ResourceInfo": reg.output()}, nil
}

func (reg *lfRegistration) output() map[string]any {
	return map[string]any{
		"ResourceArn":          reg.ResourceARN,
		"RoleArn":              reg.RoleARN,
		"LastModified":         epoch(reg.LastModified),
		"HybridAccessEnabled":  reg.HybridAccessEnabled,
		"WithFederation":       reg.WithFederation,
		"WithPrivilegedAccess": false,
		"VerificationStatus":   "VERIFIED",
	}
}

type lfListResourcesInput struct {
	FilterConditionList []struct {
		Field              string   `json:"Field"`
		ComparisonOperator string   `json:"ComparisonOperator"`
		StringValueList    []string `json:"StringValueList"`
	} `json:"FilterConditionList"`
	MaxResults *int    `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

func lfListResources(s *Sandbox, r *request) (any, error) {
	var in lfListResourcesInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	arns := make([]string, 0, len(s.lf.registered))
	for arn := range s.lf.registered {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	var list []map[string]any
	for _, arn := range arns {
		reg := s.lf.registered[arn]
		keep := true
		for _, f := range in.FilterConditionList {
			var v string
			switch f.Field {
			case "RESOURCE_ARN":
				v = reg.ResourceARN
			case "ROLE_ARN":
				v = reg.RoleARN
			default:
				return nil, lfInvalid("Filter field %s is not supported", f.Field)
			}
			if !stringCondition(v, f.ComparisonOperator, f.StringValueList) {
				keep = false
			}
		}
		if keep {
			list = append(list, reg.output())
		}
	}
	start, end, next, err := pageBounds(len(list), deref(in.NextToken), derefInt(in.MaxResults), 100, 1000, "InvalidInputException")
	if err != nil {
		return nil, err
	}
	out := map[string]any{"ResourceInfoList": nonNil(list[start:end])}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// stringCondition applies a Lake Formation string filter.
func stringCondition(v, op string, values []string) bool {
	first := ""
	if len(values) > 0 {
		first = values[0]
	}
	switch op {
	case "EQ":
		return v == first
	case "NE":
		return v != first
	case "BEGINS_WITH":
		return strings.HasPrefix(v, first)
	case "CONTAINS":
		return strings.Contains(v, first)
	case "NOT_CONTAINS":
		return !strings.Contains(v, first)
	case "IN":
		return slices.Contains(values, v)
	}
	return true
}

// lfResourceJSON is Lake Formation's Resource union, as sent by the SDK.
type lfResourceJSON struct {
	Catalog  *struct{} `json:"Catalog,omitempty"`
	Database *struct {
		CatalogID *string `json:"CatalogId,omitempty"`
		Name      *string `json:"Name"`
	} `json:"Database,omitempty"`
	Table *struct {
		CatalogID     *string   `json:"CatalogId,omitempty"`
		DatabaseName  *string   `json:"DatabaseName"`
		Name          *string   `json:"Name,omitempty"`
		TableWildcard *struct{} `json:"TableWildcard,omitempty"`
	} `json:"Table,omitempty"`
	TableWithColumns *struct {
		DatabaseName *string `json:"DatabaseName"`
		Name         *string `json:"Name"`
	} `json:"TableWithColumns,omitempty"`
	DataLocation *struct {
		CatalogID   *string `json:"CatalogId,omitempty"`
		ResourceArn *string `json:"ResourceArn"`
	} `json:"DataLocation,omitempty"`
}

// resource converts and validates a Resource union.
func (j *lfResourceJSON) resource() (lfResource, *apiError) {
	switch {
	case j == nil:
		return lfResource{}, lfInvalid("Resource is required")
	case j.Database != nil:
		return lfResource{Database: deref(j.Database.Name)}, nil
	case j.Table != nil:
		res := lfResource{Database: deref(j.Table.DatabaseName), Table: deref(j.Table.Name), TableWildcard: j.Table.TableWildcard != nil}
		if res.TableWildcard == (res.Table != "") {
			return lfResource{}, lfInvalid("Table resource needs exactly one of Name and TableWildcard")
		}
		return res, nil
	case j.TableWithColumns != nil:
		return lfResource{Database: deref(j.TableWithColumns.DatabaseName), Table: deref(j.TableWithColumns.Name)}, nil
	case j.DataLocation != nil:
		return lfResource{DataLocation: normalizeLocationARN(deref(j.DataLocation.ResourceArn))}, nil
	case j.Catalog != nil:
		return lfResource{}, nil
	}
	return lfResource{}, lfInvalid("Resource type is not supported by the sandbox")
}

// resourceOutput is the Resource union for a grant.
func (s *Sandbox) resourceOutput(res lfResource) map[string]any {
	acct := s.world.Account
	switch res.kind() {
	case "DATA_LOCATION":
		return map[string]any{"DataLocation": map[string]any{"CatalogId": acct, "ResourceArn": res.DataLocation}}
	case "TABLE":
		t := map[string]any{"CatalogId": acct, "DatabaseName": res.Database}
		if res.TableWildcard {
			t["TableWildcard"] = map[string]any{}
		} else {
			t["Name"] = res.Table
		}
		return map[string]any{"Table": t}
	case "DATABASE":
		return map[string]any{"Database": map[string]any{"CatalogId": acct, "Name": res.Database}}
	}
	return map[string]any{"Catalog": map[string]any{}}
}

// validPerms are the permissions each resource kind accepts.
var validPerms = map[string][]string{
	"CATALOG":       {"ALL", "CREATE_DATABASE", "CREATE_CATALOG", "DESCRIBE", "SUPER_USER"},
	"DATABASE":      {"ALL", "ALTER", "CREATE_TABLE", "DESCRIBE", "DROP"},
	"TABLE":         {"ALL", "ALTER", "DELETE", "DESCRIBE", "DROP", "INSERT", "SELECT"},
	"DATA_LOCATION": {"DATA_LOCATION_ACCESS"},
}

// permissionChange is one grant or revoke request.
type permissionChange struct {
	Principal *struct {
		DataLakePrincipalIdentifier *string `json:"DataLakePrincipalIdentifier"`
	} `json:"Principal"`
	Resource                   *lfResourceJSON `json:"Resource"`
	Permissions                []string        `json:"Permissions"`
	PermissionsWithGrantOption []string        `json:"PermissionsWithGrantOption"`
}

// check validates a change and that the caller may make it; it returns the principal and
// resource.
func (s *Sandbox) checkPermissionChange(caller string, c permissionChange) (string, lfResource, *apiError) {
	principal := ""
	if c.Principal != nil {
		principal = deref(c.Principal.DataLakePrincipalIdentifier)
	}
	if aerr := s.checkPrincipal(principal); aerr != nil {
		return "", lfResource{}, aerr
	}
	res, aerr := c.Resource.resource()
	if aerr != nil {
		return "", res, aerr
	}
	if len(c.Permissions) == 0 {
		return "", res, lfInvalid("Permissions must not be empty")
	}
	for _, p := range c.PermissionsWithGrantOption {
		if !slices.Contains(c.Permissions, p) && !slices.Contains(c.Permissions, "ALL") {
			return "", res, lfInvalid("Permissions with grant option must be a subset of permissions")
		}
	}
	kind := res.kind()
	for _, p := range c.Permissions {
		if !slices.Contains(validPerms[kind], p) {
			return "", res, lfInvalid("Permission %s is not valid for a %s resource", p, kind)
		}
	}
	switch kind {
	case "DATABASE":
		if !s.glueDatabaseExists(res.Database) {
			return "", res, errorf(400, "EntityNotFoundException", "Database %s not found", res.Database)
		}
	case "TABLE":
		if !s.glueDatabaseExists(res.Database) {
			return "", res, errorf(400, "EntityNotFoundException", "Database %s not found", res.Database)
		}
		if !res.TableWildcard {
			if _, ok := s.glueTable(res.Database, res.Table); !ok {
				return "", res, errorf(400, "EntityNotFoundException", "Table %s not found", res.Table)
			}
		}
	case "DATA_LOCATION":
		if _, ok := s.lfRegistrationFor(res.DataLocation); !ok {
			return "", res, lfInvalid("Location %s is not registered with Lake Formation", res.DataLocation)
		}
	}
	// A read-only administrator grants nothing by its role ("without the permissions to make
	// updates", personas reference): like any other principal it needs the grant option, and is
	// refused with the same AccessDeniedException (its exact wording for read-only administrators
	// UNCONFIRMED).
	if !s.isLFAdmin(caller) {
		for _, p := range c.Permissions {
			if !s.lfGrantable(caller, p, res) {
				return "", res, errorf(400, "AccessDeniedException",
					"Resource does not exist or requester is not authorized to access requested permissions.")
			}
		}
	}
	return principal, res, nil
}

func (s *Sandbox) grantChange(caller string, c permissionChange) *apiError {
	principal, res, aerr := s.checkPermissionChange(caller, c)
	if aerr != nil {
		return aerr
	}
	s.lf.add(principal, res, c.Permissions, c.PermissionsWithGrantOption, s.now(), caller)
	return nil
}

func (s *Sandbox) revokeChange(caller string, c permissionChange) *apiError {
	principal, res, aerr := s.checkPermissionChange(caller, c)
	if aerr != nil {
		return aerr
	}
	if !s.lf.remove(principal, res, c.Permissions, c.PermissionsWithGrantOption) {
		return lfInvalid("No permissions revoked. Grantee has no %v permission and no grantable permission on resource.", c.Permissions)
	}
	return nil
}

func changeKeys(r *request, c permissionChange) {
	if c.Principal != nil {
		r.key("Principal", deref(c.Principal.DataLakePrincipalIdentifier))
	}
	if res, err := c.Resource.resource(); err == nil {
		r.key("Resource", res.String())
	}
	r.key("Permissions", strings.Join(c.Permissions, ","))
	if len(c.PermissionsWithGrantOption) > 0 {
		r.key("PermissionsWithGrantOption", strings.Join(c.PermissionsWithGrantOption, ","))
	}
}

func lfGrantPermissions(s *Sandbox, r *request) (any, error) {
	var in permissionChange
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	changeKeys(r, in)
	if aerr := s.grantChange(r.caller, in); aerr != nil {
		return nil, aerr
	}
	return nil, nil
}

func lfRevokePermissions(s *Sandbox, r *request) (any, error) {
	var in permissionChange
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	changeKeys(r, in)
	if aerr := s.revokeChange(r.caller, in); aerr != nil {
		return nil, aerr
	}
	return nil, nil
}

type batchEntry struct {
	ID string `json:"Id"`
	permissionChange
}

func lfBatch(s *Sandbox, r *request, apply func(string, permissionChange) *apiError) (any, error) {
	var in struct {
		Entries []batchEntry `json:"Entries"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if len(in.Entries) == 0 || len(in.Entries) > 20 {
		return nil, lfInvalid("Entries must contain between 1 and 20 entries")
	}
	ids := make([]string, 0, len(in.Entries))
	failures := []map[string]any{}
	for _, e := range in.Entries {
		ids = append(ids, e.ID)
		if aerr := apply(r.caller, e.permissionChange); aerr != nil {
			failures = append(failures, map[string]any{
				"RequestEntry": e,
				"Error":        map[string]any{"ErrorCode": aerr.code, "ErrorMessage": aerr.msg},
			})
		}
	}
	r.key("Entries", strings.Join(ids, ","))
	r.key("Failures", fmt.Sprint(len(failures)))
	return map[string]any{"Failures": failures}, nil
}

func lfBatchGrantPermissions(s *Sandbox, r *request) (any, error) {
	return lfBatch(s, r, s.grantChange)
}

func lfBatchRevokePermissions(s *Sandbox, r *request) (any, error) {
	return lfBatch(s, r, s.revokeChange)
}

type lfListPermissionsInput struct {
	Principal *struct {
		DataLakePrincipalIdentifier *string `json:"DataLakePrincipalIdentifier"`
	} `json:"Principal"`
	ResourceType   string          `json:"ResourceType"`
	Resource       *lfResourceJSON `json:"Resource"`
	IncludeRelated string          `json:"IncludeRelated"`
	MaxResults     *int            `json:"MaxResults"`
	NextToken      *string         `json:"NextToken"`
}

func lfListPermissions(s *Sandbox, r *request) (any, error) {
	var in lfListPermissionsInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	principal := ""
	if in.Principal != nil {
		principal = deref(in.Principal.DataLakePrincipalIdentifier)
	}
	var filter *lfResource
	if in.Resource != nil {
		res, aerr := in.Resource.resource()
		if aerr != nil {
			return nil, aerr
		}
		filter = &res
	}
	// Only what the caller may see is listed (grantView): every grant for an administrator or
	// read-only administrator, otherwise its own grants and, on resources where it holds the grant
	// option, others' grants of those permissions. UNCONFIRMED: a non-administrator asking about a
	// resource it cannot see gets an empty list, not an error; and the "effective permissions"
	// answer the SDK documents when both Principal and Resource are given is not modelled (explicit
	// grants are listed).
	var list []map[string]any
	for _, g := range s.lf.grants {
		if principal != "" && g.principal != principal {
			continue
		}
		perms, grantable, visible := s.grantView(r.caller, g)
		if !visible {
			continue
		}
		if in.ResourceType != "" && g.res.kind() != in.ResourceType {
			continue
		}
		if filter != nil && !permissionFilterMatches(*filter, g.res, strings.EqualFold(in.IncludeRelated, "TRUE")) {
			continue
		}
		item := map[string]any{
			"Principal":                  map[string]any{"DataLakePrincipalIdentifier": g.principal},
			"Resource":                   s.resourceOutput(g.res),
			"Permissions":                nonNil(perms),
			"PermissionsWithGrantOption": nonNil(grantable),
		}
		if !g.updated.IsZero() {
			item["LastUpdated"] = epoch(g.updated)
			item["LastUpdatedBy"] = g.by
		}
		list = append(list, item)
	}
	start, end, next, err := pageBounds(len(list), deref(in.NextToken), derefInt(in.MaxResults), 100, 1000, "InvalidInputException")
	if err != nil {
		return nil, err
	}
	out := map[string]any{"PrincipalResourcePermissions": nonNil(list[start:end])}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// permissionFilterMatches reports whether a grant on res is listed for a Resource filter: the
// same resource; for a table also its database's TableWildcard grant; with related also the
// tables of a database.
func permissionFilterMatches(filter, res lfResource, related bool) bool {
	if filter == res {
		return true
	}
	switch filter.kind() {
	case "TABLE":
		return !filter.TableWildcard && res.TableWildcard && res.Database == filter.Database
	case "DATABASE":
		return related && res.kind() == "TABLE" && res.Database == filter.Database
	case "DATA_LOCATION":
		return res.kind() == "DATA_LOCATION" && covers(res.DataLocation, filter.DataLocation)
	}
	return false
}

func lfGetDataLakeSettings(s *Sandbox, r *request) (any, error) {
	return map[string]any{"DataLakeSettings": s.lf.settings}, nil
}

func lfPutDataLakeSettings(s *Sandbox, r *request) (any, error) {
	var in struct {
		DataLakeSettings map[string]any `json:"DataLakeSettings"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if aerr := s.readOnlyRefusal(r.caller, r.op); aerr != nil {
		return nil, aerr
	}
	if in.DataLakeSettings == nil {
		return nil, lfInvalid("DataLakeSettings is required")
	}
	if aerr := s.checkSettingsPrincipals(in.DataLakeSettings); aerr != nil {
		return nil, aerr
	}
	// The document is kept as put, ReadOnlyAdmins included, and GetDataLakeSettings returns it.
	s.lf.settings = in.DataLakeSettings
	r.key("DataLakeAdmins", strings.Join(s.lf.admins(), ","))
	if ro := s.lf.readOnlyAdmins(); len(ro) > 0 {
		r.key("ReadOnlyAdmins", strings.Join(ro, ","))
	}
	return nil, nil
}
