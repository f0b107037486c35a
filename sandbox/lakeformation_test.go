package sandbox_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
	"github.com/aws/smithy-go"
)

func TestRegisterResource(t *testing.T) {
	c := start(t, "default")
	tests := []struct {
		name    string
		in      *lakeformation.RegisterResourceInput
		wantErr any // pointer to the expected typed error, nil for success
	}{
		{name: "with the service-linked role", in: &lakeformation.RegisterResourceInput{ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)}},
		{name: "twice", in: &lakeformation.RegisterResourceInput{ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)},
			wantErr: new(*lftypes.AlreadyExistsException)},
		{name: "with a role", in: &lakeformation.RegisterResourceInput{ResourceArn: aws.String("arn:aws:s3:::acme-sales-data/archive"), RoleArn: aws.String(adminRole)}},
		{name: "not an s3 arn", in: &lakeformation.RegisterResourceInput{ResourceArn: aws.String("s3://acme-sales-data/x"), UseServiceLinkedRole: aws.Bool(true)},
			wantErr: new(*lftypes.InvalidInputException)},
		{name: "unknown bucket", in: &lakeformation.RegisterResourceInput{ResourceArn: aws.String("arn:aws:s3:::nope"), UseServiceLinkedRole: aws.Bool(true)},
			wantErr: new(*lftypes.InvalidInputException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.lf.RegisterResource(t.Context(), tt.in)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("RegisterResource: %v", err)
				}
				return
			}
			if !errors.As(err, tt.wantErr) {
				t.Fatalf("err = %v, want %T", err, tt.wantErr)
			}
		})
	}

	t.Run("service-linked role paths", func(t *testing.T) {
		if got := c.sb.ServiceLinkedRolePaths(); !slices.Equal(got, []string{locationARN}) {
			t.Errorf("SLR paths = %v, want [%s]", got, locationARN)
		}
	})

	describe := []struct {
		name     string
		arn      string
		wantRole string // "" = EntityNotFoundException
	}{
		{name: "registered with the SLR", arn: locationARN, wantRole: slrARN},
		{name: "registered with a role", arn: "arn:aws:s3:::acme-sales-data/archive", wantRole: adminRole},
		{name: "unregistered", arn: "arn:aws:s3:::acme-sales-data/other"},
		{name: "sub-path of a registered path is not itself registered", arn: locationARN + "/orders"},
	}
	for _, tt := range describe {
		t.Run("describe "+tt.name, func(t *testing.T) {
			out, err := c.lf.DescribeResource(t.Context(), &lakeformation.DescribeResourceInput{ResourceArn: aws.String(tt.arn)})
			if wantErrCase[*lftypes.EntityNotFoundException](t, err, tt.wantRole == "") {
				return
			}
			if got := aws.ToString(out.ResourceInfo.RoleArn); got != tt.wantRole {
				t.Errorf("RoleArn = %s, want %s", got, tt.wantRole)
			}
			if out.ResourceInfo.LastModified == nil || !out.ResourceInfo.LastModified.Equal(c.sb.Now()) {
				t.Errorf("LastModified = %v, want %v", out.ResourceInfo.LastModified, c.sb.Now())
			}
		})
	}

	list := []struct {
		name string
		op   lftypes.ComparisonOperator
		val  string
		want []string
	}{
		{name: "begins with the bucket", op: lftypes.ComparisonOperatorBeginsWith, val: "arn:aws:s3:::acme-sales-data",
			want: []string{"arn:aws:s3:::acme-sales-data/archive", locationARN}},
		{name: "equals", op: lftypes.ComparisonOperatorEq, val: locationARN, want: []string{locationARN}},
		{name: "other bucket", op: lftypes.ComparisonOperatorBeginsWith, val: "arn:aws:s3:::other", want: nil},
	}
	for _, tt := range list {
		t.Run("list "+tt.name, func(t *testing.T) {
			var got []string
			p := lakeformation.NewListResourcesPaginator(c.lf, &lakeformation.ListResourcesInput{
				MaxResults: aws.Int32(1),
				FilterConditionList: []lftypes.FilterCondition{{
					Field: lftypes.FieldNameStringResourceArn, ComparisonOperator: tt.op, StringValueList: []string{tt.val},
				}},
			})
			for p.HasMorePages() {
				out, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range out.ResourceInfoList {
					got = append(got, aws.ToString(r.ResourceArn))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("resources = %v, want %v", got, tt.want)
			}
		})
	}
}

// permissionsOf lists the permissions (and grantable ones) a principal holds on exactly res.
func (c clients) permissionsOf(t *testing.T, who string, res *lftypes.Resource) (perms, grantable string) {
	t.Helper()
	out, err := c.lf.ListPermissions(t.Context(), &lakeformation.ListPermissionsInput{Principal: principal(who), Resource: res})
	if err != nil {
		t.Fatalf("list permissions: %v", err)
	}
	var p, g []string
	for _, prp := range out.PrincipalResourcePermissions {
		for _, x := range prp.Permissions {
			p = append(p, string(x))
		}
		for _, x := range prp.PermissionsWithGrantOption {
			g = append(g, string(x))
		}
	}
	return strings.Join(p, ","), strings.Join(g, ",")
}

func TestGrantPermissions(t *testing.T) {
	c := start(t, "not-member", withIdentity("AKIDADMIN", adminRole))
	admin := c.as("AKIDADMIN", "secret", "")
	admin.crawl(t)
	workflow := c // the world's default identity: no LF admin

	tests := []struct {
		name          string
		as            clients
		who           string
		res           *lftypes.Resource
		perms, grant  []lftypes.Permission
		wantErr       any
		wantPerms     string
		wantGrantable string
	}{
		{name: "admin grants with grant option", as: admin, who: manageRole, res: dbResource(salesDB),
			perms: []lftypes.Permission{"DESCRIBE"}, grant: []lftypes.Permission{"DESCRIBE"}, wantPerms: "DESCRIBE", wantGrantable: "DESCRIBE"},
		{name: "regrant is a no-op", as: admin, who: manageRole, res: dbResource(salesDB),
			perms: []lftypes.Permission{"DESCRIBE"}, wantPerms: "DESCRIBE", wantGrantable: "DESCRIBE"},
		// GrantPermissions does not model AccessDeniedException: the SDK returns a generic API error.
		{name: "non-admin without grantable permission", as: workflow, who: crawlerRole, res: dbResource(salesDB),
			perms: []lftypes.Permission{"DESCRIBE"}, wantErr: new(smithy.APIError)},
		{name: "admin lets the workflow grant SELECT", as: admin, who: workflowRole, res: tableResource(salesDB, "orders"),
			perms: []lftypes.Permission{"SELECT", "DESCRIBE"}, grant: []lftypes.Permission{"SELECT"}, wantPerms: "DESCRIBE,SELECT", wantGrantable: "SELECT"},
		{name: "holder of the grantable permission grants it", as: workflow, who: salesUser, res: tableResource(salesDB, "orders"),
			perms: []lftypes.Permission{"SELECT"}, wantPerms: "SELECT"},
		{name: "holder cannot grant what is not grantable", as: workflow, who: salesUser, res: tableResource(salesDB, "orders"),
			perms: []lftypes.Permission{"DESCRIBE"}, wantErr: new(smithy.APIError)},
		{name: "unknown table", as: admin, who: salesUser, res: tableResource(salesDB, "nope"),
			perms: []lftypes.Permission{"SELECT"}, wantErr: new(*lftypes.EntityNotFoundException)},
		{name: "permission that does not apply to a database", as: admin, who: salesUser, res: dbResource(salesDB),
			perms: []lftypes.Permission{"SELECT"}, wantErr: new(*lftypes.InvalidInputException)},
		{name: "data location that is not registered", as: admin, who: crawlerRole, res: locationResource(locationARN),
			perms: []lftypes.Permission{"DATA_LOCATION_ACCESS"}, wantErr: new(*lftypes.InvalidInputException)},
		{name: "grant option outside the permissions", as: admin, who: salesUser, res: dbResource(salesDB),
			perms: []lftypes.Permission{"DESCRIBE"}, grant: []lftypes.Permission{"ALTER"}, wantErr: new(*lftypes.InvalidInputException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.as.lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{
				Principal: principal(tt.who), Resource: tt.res, Permissions: tt.perms, PermissionsWithGrantOption: tt.grant,
			})
			if tt.wantErr != nil {
				if !errors.As(err, tt.wantErr) {
					t.Fatalf("err = %v, want %T", err, tt.wantErr)
				}
				if ae, ok := tt.wantErr.(*smithy.APIError); ok && (*ae).ErrorCode() != "AccessDeniedException" {
					t.Fatalf("error code = %s, want AccessDeniedException", (*ae).ErrorCode())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			perms, grantable := admin.permissionsOf(t, tt.who, tt.res)
			if perms != tt.wantPerms || grantable != tt.wantGrantable {
				t.Errorf("holds %q grantable %q, want %q grantable %q", perms, grantable, tt.wantPerms, tt.wantGrantable)
			}
		})
	}
}

func TestRevokeIAMAllowedPrincipalsMakesTableManaged(t *testing.T) {
	c := start(t, "iam-allowed")
	c.crawl(t)
	c.register(t)
	steps := []struct {
		name        string
		revoke      bool
		wantManaged bool
		wantReason  string
		wantErr     any
	}{
		{name: "new table carries IAMAllowedPrincipals", wantReason: "table acme_sales.orders grants IAMAllowedPrincipals"},
		{name: "revoke", revoke: true, wantManaged: true},
		{name: "revoke again", revoke: true, wantManaged: true, wantErr: new(*lftypes.InvalidInputException)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.revoke {
				_, err := c.lf.RevokePermissions(t.Context(), &lakeformation.RevokePermissionsInput{
					Principal: principal("IAM_ALLOWED_PRINCIPALS"), Resource: tableResource(salesDB, "orders"),
					Permissions: []lftypes.Permission{lftypes.PermissionAll},
				})
				if st.wantErr != nil {
					if !errors.As(err, st.wantErr) {
						t.Fatalf("err = %v, want %T", err, st.wantErr)
					}
				} else if err != nil {
					t.Fatal(err)
				}
			}
			managed, reason := c.sb.LFManaged(salesDB, "orders")
			if managed != st.wantManaged || reason != st.wantReason {
				t.Errorf("managed = %v %q, want %v %q", managed, reason, st.wantManaged, st.wantReason)
			}
		})
	}
}

func TestManagedNeedsRegistration(t *testing.T) {
	c := start(t, "default")
	c.crawl(t)
	if managed, reason := c.sb.LFManaged(salesDB, "orders"); managed || reason != "location s3://acme-sales-data/sales/orders/ is not registered with Lake Formation" {
		t.Errorf("before registration: managed = %v %q", managed, reason)
	}
	c.register(t)
	if managed, reason := c.sb.LFManaged(salesDB, "orders"); !managed {
		t.Errorf("after registration: managed = %v %q", managed, reason)
	}
}

func TestBatchGrantPermissions(t *testing.T) {
	c := start(t, "default")
	c.crawl(t)
	out, err := c.lf.BatchGrantPermissions(t.Context(), &lakeformation.BatchGrantPermissionsInput{
		Entries: []lftypes.BatchPermissionsRequestEntry{
			{Id: aws.String("db"), Principal: principal(manageRole), Resource: dbResource(salesDB),
				Permissions: []lftypes.Permission{"DESCRIBE"}, PermissionsWithGrantOption: []lftypes.Permission{"DESCRIBE"}},
			{Id: aws.String("missing"), Principal: principal(manageRole), Resource: dbResource("nope"),
				Permissions: []lftypes.Permission{"DESCRIBE"}},
			{Id: aws.String("tables"), Principal: principal(manageRole),
				Resource:    &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(salesDB), TableWildcard: &lftypes.TableWildcard{}}},
				Permissions: []lftypes.Permission{"DESCRIBE", "SELECT"}, PermissionsWithGrantOption: []lftypes.Permission{"DESCRIBE", "SELECT"}},
		},
	})
	if err != nil {
		t.Fatalf("BatchGrantPermissions: %v", err)
	}
	if len(out.Failures) != 1 || aws.ToString(out.Failures[0].RequestEntry.Id) != "missing" ||
		aws.ToString(out.Failures[0].Error.ErrorCode) != "EntityNotFoundException" {
		t.Fatalf("failures = %+v, want the missing database only", out.Failures)
	}
	tests := []struct {
		name          string
		res           *lftypes.Resource
		wantPerms     string
		wantGrantable string
	}{
		{name: "database", res: dbResource(salesDB), wantPerms: "DESCRIBE", wantGrantable: "DESCRIBE"},
		{name: "table through the wildcard", res: tableResource(salesDB, "orders"), wantPerms: "DESCRIBE,SELECT", wantGrantable: "DESCRIBE,SELECT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			perms, grantable := c.permissionsOf(t, manageRole, tt.res)
			if perms != tt.wantPerms || grantable != tt.wantGrantable {
				t.Errorf("holds %q grantable %q, want %q grantable %q", perms, grantable, tt.wantPerms, tt.wantGrantable)
			}
		})
	}
}

func TestListPermissionsByResourceType(t *testing.T) {
	c := start(t, "registered")
	tests := []struct {
		name  string
		typ   lftypes.DataLakeResourceType
		who   string
		count int
	}{
		{name: "databases", typ: lftypes.DataLakeResourceTypeDatabase, count: 3}, // crawler, manage-access role, env user role on default
		{name: "tables", typ: lftypes.DataLakeResourceTypeTable, count: 1},
		{name: "data locations", typ: lftypes.DataLakeResourceTypeDataLocation, count: 1},
		{name: "crawler role only", who: crawlerRole, count: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &lakeformation.ListPermissionsInput{ResourceType: tt.typ}
			if tt.who != "" {
				in.Principal = principal(tt.who)
			}
			out, err := c.lf.ListPermissions(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.PrincipalResourcePermissions) != tt.count {
				t.Errorf("got %d entries, want %d: %+v", len(out.PrincipalResourcePermissions), tt.count, out.PrincipalResourcePermissions)
			}
		})
	}
}

func TestDataLakeSettings(t *testing.T) {
	c := start(t, "default")
	c.sb.AddRole(workflowRole) // a deployed stack's role: Lake Formation refuses roles IAM does not know
	get := func(t *testing.T) *lftypes.DataLakeSettings {
		t.Helper()
		out, err := c.lf.GetDataLakeSettings(t.Context(), &lakeformation.GetDataLakeSettingsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.DataLakeSettings
	}
	admins := func(s *lftypes.DataLakeSettings) string {
		var out []string
		for _, a := range s.DataLakeAdmins {
			out = append(out, aws.ToString(a.DataLakePrincipalIdentifier))
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name       string
		put        *lftypes.DataLakeSettings
		wantAdmins string
		wantParams int
	}{
		{name: "world admins", wantAdmins: adminRole, wantParams: 2},
		{name: "put replaces everything", put: &lftypes.DataLakeSettings{DataLakeAdmins: []lftypes.DataLakePrincipal{*principal(workflowRole)}},
			wantAdmins: workflowRole, wantParams: 0},
		{name: "read-modify-write", put: &lftypes.DataLakeSettings{DataLakeAdmins: []lftypes.DataLakePrincipal{*principal(workflowRole), *principal(adminRole)},
			Parameters: map[string]string{"CROSS_ACCOUNT_VERSION": "4"}}, wantAdmins: workflowRole + "," + adminRole, wantParams: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.put != nil {
				if _, err := c.lf.PutDataLakeSettings(t.Context(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: tt.put}); err != nil {
					t.Fatal(err)
				}
			}
			s := get(t)
			if got := admins(s); got != tt.wantAdmins {
				t.Errorf("admins = %s, want %s", got, tt.wantAdmins)
			}
			if len(s.Parameters) != tt.wantParams {
				t.Errorf("parameters = %v, want %d", s.Parameters, tt.wantParams)
			}
		})
	}
	// The new admin list decides who may grant.
	_, err := c.lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{
		Principal: principal(crawlerRole), Resource: dbResource(salesDB), Permissions: []lftypes.Permission{"CREATE_TABLE"},
	})
	if err != nil {
		t.Errorf("admin grant after re-adding the admin: %v", err)
	}
}

// Lake Formation refuses principals IAM does not know (a deleted or renamed role), as a grantee
// and as a data lake administrator, with InvalidInputException "Invalid principal, arn: ...".
func TestLakeFormationRefusesUnknownPrincipals(t *testing.T) {
	const gone = "arn:aws:iam::123456789012:role/DeletedLastWeek"
	tests := []struct {
		name  string
		added bool // the role was added to IAM first (sb.AddRole)
		call  func(c clients, principal string) error
	}{
		{name: "grant to an unknown role", call: func(c clients, p string) error {
			_, err := c.lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{
				Principal: principal(p), Resource: dbResource("acme_sales"), Permissions: []lftypes.Permission{lftypes.PermissionDescribe}})
			return err
		}},
		{name: "settings naming an unknown admin", call: func(c clients, p string) error {
			_, err := c.lf.PutDataLakeSettings(t.Context(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: &lftypes.DataLakeSettings{
				DataLakeAdmins: []lftypes.DataLakePrincipal{*principal(adminRole), *principal(p)}}})
			return err
		}},
		{name: "settings naming an unknown read-only admin", call: func(c clients, p string) error {
			_, err := c.lf.PutDataLakeSettings(t.Context(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: &lftypes.DataLakeSettings{
				DataLakeAdmins: []lftypes.DataLakePrincipal{*principal(adminRole)}, ReadOnlyAdmins: []lftypes.DataLakePrincipal{*principal(p)}}})
			return err
		}},
		{name: "grant to a role added to IAM", added: true, call: func(c clients, p string) error {
			_, err := c.lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{
				Principal: principal(p), Resource: dbResource("acme_sales"), Permissions: []lftypes.Permission{lftypes.PermissionDescribe}})
			return err
		}},
		{name: "settings naming a role added to IAM", added: true, call: func(c clients, p string) error {
			_, err := c.lf.PutDataLakeSettings(t.Context(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: &lftypes.DataLakeSettings{
				DataLakeAdmins: []lftypes.DataLakePrincipal{*principal(adminRole), *principal(p)}}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, "default")
			if tt.added {
				c.sb.AddRole(gone)
			}
			err := tt.call(c, gone)
			if tt.added {
				if err != nil {
					t.Fatalf("call for a role IAM knows: %v", err)
				}
				return
			}
			var invalid *lftypes.InvalidInputException
			if !errors.As(err, &invalid) || invalid.ErrorMessage() != "Invalid principal, arn: "+gone {
				t.Fatalf("err = %v, want InvalidInputException %q", err, "Invalid principal, arn: "+gone)
			}
		})
	}
}
