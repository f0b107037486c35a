package sandbox_test

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
	"github.com/aws/smithy-go"
)

// readerRole is a read-only administrator in these tests.
const readerRole = "arn:aws:iam::123456789012:role/dzonboard-reader"

// Access keys of the roles these tests act as.
const (
	adminKey    = "AKIDADMIN"
	readerKey   = "AKIDREADER"
	workflowKey = "AKIDWORKFLOW"
	crawlerKey  = "AKIDCRAWLER"
	manageKey   = "AKIDMANAGE"
)

// lfWorld starts a world where each test role has an access key, the dzonboard roles exist in
// IAM, and returns the administrator's clients.
func lfWorld(t *testing.T, world string) clients {
	t.Helper()
	c := start(t, world, withIdentity(adminKey, adminRole), withIdentity(readerKey, readerRole),
		withIdentity(workflowKey, workflowRole), withIdentity(crawlerKey, crawlerRole),
		withIdentity(manageKey, manageRole), withIdentity(salesUserKey, salesUser))
	c.sb.AddRole(workflowRole)
	c.sb.AddRole(readerRole)
	return c.as(adminKey, "secret", "")
}

// makeReadOnlyAdmin adds readerRole to ReadOnlyAdmins with a read-modify-write of the settings.
func (c clients) makeReadOnlyAdmin(t *testing.T) {
	t.Helper()
	out, err := c.lf.GetDataLakeSettings(t.Context(), &lakeformation.GetDataLakeSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	s := out.DataLakeSettings
	s.ReadOnlyAdmins = append(s.ReadOnlyAdmins, *principal(readerRole))
	if _, err := c.lf.PutDataLakeSettings(t.Context(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: s}); err != nil {
		t.Fatal(err)
	}
}

// managedOrders crawls, registers the location (the orders table is then Lake Formation-managed)
// and makes the grants the workflow and DataZone make: the manage-access role DESCRIBE (+grant
// option) on the database and DESCRIBE/SELECT (+grant option) on all its tables, the Sales user
// role SELECT on orders. Every role may DESCRIBE the default database, so queries fail or
// succeed on the table alone.
func (c clients) managedOrders(t *testing.T) {
	t.Helper()
	c.register(t)
	c.grant(t, crawlerRole, locationResource(locationARN), []lftypes.Permission{lftypes.PermissionDataLocationAccess})
	c.crawl(t)
	c.grant(t, manageRole, dbResource(salesDB), []lftypes.Permission{"DESCRIBE"}, "DESCRIBE")
	c.grant(t, manageRole, wildcardResource(salesDB), []lftypes.Permission{"DESCRIBE", "SELECT"}, "DESCRIBE", "SELECT")
	c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{"SELECT"})
	for _, who := range []string{readerRole, workflowRole, crawlerRole, manageRole, salesUser} {
		c.describeDefault(t, who)
	}
}

func wildcardResource(db string) *lftypes.Resource {
	return &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(db), TableWildcard: &lftypes.TableWildcard{}}}
}

// shortName is the last path element of a principal ARN.
func shortName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// errorCode is the API error code of err, "" for nil.
func errorCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, not an API error", err)
	}
	return ae.ErrorCode()
}

// TestLakeFormationGovernsMetadata reads a Lake Formation-managed table as each kind of principal:
// its metadata (GetTable), its database's listing (GetTables), the grants on it
// (ListPermissions) and its rows (Athena). A role without Lake Formation permissions can do none
// of it; an administrator everything; a read-only administrator everything but read the data.
func TestLakeFormationGovernsMetadata(t *testing.T) {
	c := lfWorld(t, "default")
	c.makeReadOnlyAdmin(t)
	c.managedOrders(t)
	tests := []struct {
		name       string
		key        string
		wantTable  string // GetTable error code, "" when readable
		wantTables string // GetTables names, or the error code
		wantGrants string // principals whose grants on orders ListPermissions shows, sorted
		wantQuery  string // "" when the count succeeds, else a substring of the failure
	}{
		{name: "no Lake Formation permission", key: workflowKey,
			wantTable: "AccessDeniedException", wantTables: "AccessDeniedException", wantGrants: "",
			wantQuery: "Insufficient Lake Formation permission(s) on orders"},
		{name: "data lake administrator", key: adminKey,
			wantTables: "orders", wantGrants: "AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb,datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn"},
		{name: "read-only administrator: metadata and grants, not data", key: readerKey,
			wantTables: "orders", wantGrants: "AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb,datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn",
			wantQuery: "Insufficient Lake Formation permission(s) on orders"},
		{name: "table creator (the crawler's role): owns it, so sees the grants on it, not on all tables", key: crawlerKey,
			wantTables: "orders", wantGrants: "datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn"},
		{name: "grantor through all tables: sees others' grants of what it may grant", key: manageKey,
			wantTables: "orders", wantGrants: "AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb,datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn"},
		{name: "SELECT on the one table: sees it and its own grant", key: salesUserKey,
			wantTables: "orders", wantGrants: "datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := c.as(tt.key, "secret", "")
			_, err := as.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(salesDB), Name: aws.String("orders")})
			if got := errorCode(t, err); got != tt.wantTable {
				t.Errorf("GetTable: %v, want %q", err, tt.wantTable)
			}
			if tt.wantTable != "" && (err == nil || !strings.Contains(err.Error(), "Insufficient Lake Formation permission(s) on orders")) {
				t.Errorf("GetTable error %v does not name Lake Formation and the table", err)
			}
			tables, err := as.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String(salesDB)})
			got := errorCode(t, err)
			if err == nil {
				got = tableNames(tables.TableList)
			}
			if got != tt.wantTables {
				t.Errorf("GetTables = %s (%v), want %s", got, err, tt.wantTables)
			}
			perms, err := as.lf.ListPermissions(t.Context(), &lakeformation.ListPermissionsInput{Resource: tableResource(salesDB, "orders")})
			if err != nil {
				t.Fatal(err)
			}
			var who []string
			for _, p := range perms.PrincipalResourcePermissions {
				who = append(who, shortName(aws.ToString(p.Principal.DataLakePrincipalIdentifier)))
			}
			sort.Strings(who)
			if got := strings.Join(who, ","); got != tt.wantGrants {
				t.Errorf("ListPermissions shows grants of %q, want %q", got, tt.wantGrants)
			}
			qe := as.query(t, countOrders, "")
			reason := aws.ToString(qe.Status.StateChangeReason)
			if tt.wantQuery == "" && qe.Status.State != athenatypes.QueryExecutionStateSucceeded ||
				tt.wantQuery != "" && (qe.Status.State != athenaFailed || !strings.Contains(reason, tt.wantQuery)) {
				t.Errorf("query %s (%s), want %q", qe.Status.State, reason, tt.wantQuery)
			}
		})
	}
}

func tableNames(list []gluetypes.Table) string {
	var names []string
	for _, tb := range list {
		names = append(names, aws.ToString(tb.Name))
	}
	return strings.Join(names, ",")
}

// TestListPermissionsShowsGrantorsOnlyWhatTheyMayGrant: a principal holding SELECT with the
// grant option on all tables sees others' SELECT, but not their other permissions.
func TestListPermissionsShowsGrantorsOnlyWhatTheyMayGrant(t *testing.T) {
	c := lfWorld(t, "default")
	c.crawl(t)
	c.grant(t, manageRole, wildcardResource(salesDB), []lftypes.Permission{"SELECT"}, "SELECT")
	c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{"SELECT", "DESCRIBE", "ALTER"})
	tests := []struct {
		name      string
		key       string
		wantPerms string
	}{
		{name: "administrator", key: adminKey, wantPerms: "ALTER,DESCRIBE,SELECT"},
		{name: "grantor of SELECT", key: manageKey, wantPerms: "SELECT"},
		{name: "the grantee itself", key: salesUserKey, wantPerms: "ALTER,DESCRIBE,SELECT"},
		{name: "anyone else", key: workflowKey, wantPerms: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			perms, _ := c.as(tt.key, "secret", "").permissionsOf(t, salesUser, tableResource(salesDB, "orders"))
			if perms != tt.wantPerms {
				t.Errorf("sees %q of the Sales user's grant, want %q", perms, tt.wantPerms)
			}
		})
	}
}

// TestGetTablesLeavesOutWhatLakeFormationHides: a database still open to IAMAllowedPrincipals is
// listed to everyone, but a table that no longer is disappears from GetTables for principals
// without a Lake Formation permission on it: an empty list, not an error.
func TestGetTablesLeavesOutWhatLakeFormationHides(t *testing.T) {
	c := lfWorld(t, "iam-allowed")
	c.crawl(t)
	workflow := c.as(workflowKey, "secret", "")
	steps := []struct {
		name       string
		revoke     bool
		wantTables string
		wantTable  string // GetTable error code
	}{
		{name: "table open to IAMAllowedPrincipals", wantTables: "orders"},
		{name: "table managed by Lake Formation", revoke: true, wantTables: "", wantTable: "AccessDeniedException"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.revoke {
				_, err := c.lf.RevokePermissions(t.Context(), &lakeformation.RevokePermissionsInput{
					Principal: principal("IAM_ALLOWED_PRINCIPALS"), Resource: tableResource(salesDB, "orders"),
					Permissions: []lftypes.Permission{lftypes.PermissionAll}})
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := workflow.glue.GetDatabase(t.Context(), &glue.GetDatabaseInput{Name: aws.String(salesDB)}); err != nil {
				t.Errorf("GetDatabase of a database open to IAMAllowedPrincipals: %v", err)
			}
			out, err := workflow.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String(salesDB)})
			if err != nil {
				t.Fatal(err)
			}
			if got := tableNames(out.TableList); got != st.wantTables {
				t.Errorf("GetTables = %q, want %q", got, st.wantTables)
			}
			_, err = workflow.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(salesDB), Name: aws.String("orders")})
			if got := errorCode(t, err); got != st.wantTable {
				t.Errorf("GetTable: %v, want %q", err, st.wantTable)
			}
			if admin, err := c.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String(salesDB)}); err != nil || tableNames(admin.TableList) != "orders" {
				t.Errorf("the administrator's GetTables = %v, %v; want orders", admin, err)
			}
		})
	}
}

// TestDatabaseVisibility: which databases GetDatabase and GetDatabases show to whom.
func TestDatabaseVisibility(t *testing.T) {
	c := lfWorld(t, "default")
	c.makeReadOnlyAdmin(t)
	c.crawl(t)
	c.grant(t, manageRole, wildcardResource(salesDB), []lftypes.Permission{"DESCRIBE"})
	c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{"SELECT"})
	c.describeDefault(t, workflowRole)
	tests := []struct {
		name          string
		key           string
		wantDatabases string
		wantSales     string // GetDatabase acme_sales error code
	}{
		{name: "administrator", key: adminKey, wantDatabases: "acme_sales,default,marketing_env_pub_db,marketing_env_sub_db,sales_env_pub_db,sales_env_sub_db"},
		{name: "read-only administrator", key: readerKey, wantDatabases: "acme_sales,default,marketing_env_pub_db,marketing_env_sub_db,sales_env_pub_db,sales_env_sub_db"},
		{name: "DESCRIBE on the default database only", key: workflowKey, wantDatabases: "default", wantSales: "AccessDeniedException"},
		{name: "all tables of a database", key: manageKey, wantDatabases: "acme_sales"},
		{name: "one table of a database", key: salesUserKey, wantDatabases: "acme_sales"},
		{name: "creator of a table in it", key: crawlerKey, wantDatabases: "acme_sales"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := c.as(tt.key, "secret", "")
			out, err := as.glue.GetDatabases(t.Context(), &glue.GetDatabasesInput{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, d := range out.DatabaseList {
				names = append(names, aws.ToString(d.Name))
			}
			if got := strings.Join(names, ","); got != tt.wantDatabases {
				t.Errorf("GetDatabases = %s, want %s", got, tt.wantDatabases)
			}
			_, err = as.glue.GetDatabase(t.Context(), &glue.GetDatabaseInput{Name: aws.String(salesDB)})
			if got := errorCode(t, err); got != tt.wantSales {
				t.Errorf("GetDatabase: %v, want %q", err, tt.wantSales)
			}
			if err != nil && !strings.Contains(err.Error(), "Insufficient Lake Formation permission(s): Required Describe on acme_sales") {
				t.Errorf("GetDatabase error %v does not name Lake Formation and the database", err)
			}
		})
	}
}

// TestMissingCatalogResources: Lake Formation checks access before existence, so only those who
// may see or create the object learn that it does not exist.
func TestMissingCatalogResources(t *testing.T) {
	c := lfWorld(t, "default")
	c.crawl(t) // the crawler's role holds CREATE_TABLE on acme_sales
	getTable := func(db, name string) func(clients) error {
		return func(as clients) error {
			_, err := as.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(db), Name: aws.String(name)})
			return err
		}
	}
	getDatabase := func(as clients) error {
		_, err := as.glue.GetDatabase(t.Context(), &glue.GetDatabaseInput{Name: aws.String("nope")})
		return err
	}
	getTables := func(as clients) error {
		_, err := as.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String("nope")})
		return err
	}
	tests := []struct {
		name     string
		key      string
		call     func(clients) error
		wantCode string
	}{
		{name: "missing table, administrator", key: adminKey, call: getTable(salesDB, "nope"), wantCode: "EntityNotFoundException"},
		{name: "missing table, CREATE_TABLE on its database", key: crawlerKey, call: getTable(salesDB, "nope"), wantCode: "EntityNotFoundException"},
		{name: "missing table, no permission", key: workflowKey, call: getTable(salesDB, "nope"), wantCode: "AccessDeniedException"},
		{name: "table of a missing database, administrator", key: adminKey, call: getTable("nope", "orders"), wantCode: "EntityNotFoundException"},
		{name: "table of a missing database, no permission", key: workflowKey, call: getTable("nope", "orders"), wantCode: "AccessDeniedException"},
		{name: "missing database, administrator", key: adminKey, call: getDatabase, wantCode: "EntityNotFoundException"},
		{name: "missing database, no permission", key: workflowKey, call: getDatabase, wantCode: "AccessDeniedException"},
		{name: "tables of a missing database, no permission", key: workflowKey, call: getTables, wantCode: "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorCode(t, tt.call(c.as(tt.key, "secret", ""))); got != tt.wantCode {
				t.Errorf("error code %q, want %q", got, tt.wantCode)
			}
		})
	}
}

// TestResourceLinkMetadata: a resource link is seen through permissions on the link itself, not
// on the table it points to.
func TestResourceLinkMetadata(t *testing.T) {
	c := lfWorld(t, "default")
	c.crawl(t)
	if err := c.sb.CreateResourceLink(salesSubDB, "orders", salesDB, "orders"); err != nil {
		t.Fatal(err)
	}
	c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{"SELECT", "DESCRIBE"})
	user := c.as(salesUserKey, "secret", "")
	steps := []struct {
		name      string
		grant     bool
		wantCode  string
		wantTable string
	}{
		{name: "permissions on the target only", wantCode: "AccessDeniedException", wantTable: ""},
		{name: "DESCRIBE on the link", grant: true, wantTable: "orders"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.grant {
				c.grant(t, salesUser, tableResource(salesSubDB, "orders"), []lftypes.Permission{"DESCRIBE"})
			}
			out, err := user.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(salesSubDB), Name: aws.String("orders")})
			if got := errorCode(t, err); got != st.wantCode {
				t.Fatalf("GetTable of the link: %v, want %q", err, st.wantCode)
			}
			if err == nil && aws.ToString(out.Table.TargetTable.Name) != "orders" {
				t.Errorf("link target = %+v", out.Table.TargetTable)
			}
			if err != nil {
				_, err := user.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String(salesSubDB)})
				if got := errorCode(t, err); got != "AccessDeniedException" {
					t.Errorf("GetTables of a database the user sees nothing of: %v, want AccessDeniedException", err)
				}
				return
			}
			tables, err := user.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String(salesSubDB)})
			if err != nil || tableNames(tables.TableList) != st.wantTable {
				t.Errorf("GetTables of the subscription database = %v, %v; want %q", tables, err, st.wantTable)
			}
		})
	}
}

// TestReadOnlyAdministrator: DataLakeSettings keep ReadOnlyAdmins; a read-only administrator sees
// every grant (IAMAllowedPrincipals' too) but changes nothing: no grant, revoke, registration or
// settings.
func TestReadOnlyAdministrator(t *testing.T) {
	c := lfWorld(t, "iam-allowed")
	c.crawl(t)
	c.makeReadOnlyAdmin(t)
	reader := c.as(readerKey, "secret", "")

	settings, err := reader.lf.GetDataLakeSettings(t.Context(), &lakeformation.GetDataLakeSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if ro := settings.DataLakeSettings.ReadOnlyAdmins; len(ro) != 1 || aws.ToString(ro[0].DataLakePrincipalIdentifier) != readerRole {
		t.Errorf("ReadOnlyAdmins = %+v, want %s", ro, readerRole)
	}
	for _, as := range []struct {
		name string
		c    clients
		want int
	}{{"read-only administrator", reader, 1}, {"other role", c.as(workflowKey, "secret", ""), 0}} {
		out, err := as.c.lf.ListPermissions(t.Context(), &lakeformation.ListPermissionsInput{
			Principal: principal("IAM_ALLOWED_PRINCIPALS"), Resource: tableResource(salesDB, "orders")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PrincipalResourcePermissions) != as.want {
			t.Errorf("%s sees %d IAMAllowedPrincipals grants on orders, want %d", as.name, len(out.PrincipalResourcePermissions), as.want)
		}
	}

	refusals := []struct {
		name string
		call func() error
	}{
		{"GrantPermissions", func() error {
			_, err := reader.lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{
				Principal: principal(workflowRole), Resource: dbResource(salesDB), Permissions: []lftypes.Permission{"DESCRIBE"}})
			return err
		}},
		{"RevokePermissions", func() error {
			_, err := reader.lf.RevokePermissions(t.Context(), &lakeformation.RevokePermissionsInput{
				Principal: principal("IAM_ALLOWED_PRINCIPALS"), Resource: tableResource(salesDB, "orders"),
				Permissions: []lftypes.Permission{lftypes.PermissionAll}})
			return err
		}},
		{"RegisterResource", func() error {
			_, err := reader.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{
				ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)})
			return err
		}},
		{"PutDataLakeSettings", func() error {
			_, err := reader.lf.PutDataLakeSettings(t.Context(), &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: settings.DataLakeSettings})
			return err
		}},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := errorCode(t, err); got != "AccessDeniedException" {
				t.Fatalf("%s as a read-only administrator: %v, want AccessDeniedException", tt.name, err)
			}
			if tt.name == "RegisterResource" && !strings.Contains(err.Error(),
				"User: arn:aws:sts::123456789012:assumed-role/dzonboard-reader/dzonboard is not authorized to perform: lakeformation:RegisterResource") {
				t.Errorf("RegisterResource refusal %v does not name the role and the action", err)
			}
		})
	}
	t.Run("BatchGrantPermissions", func(t *testing.T) {
		out, err := reader.lf.BatchGrantPermissions(t.Context(), &lakeformation.BatchGrantPermissionsInput{Entries: []lftypes.BatchPermissionsRequestEntry{{
			Id: aws.String("db"), Principal: principal(workflowRole), Resource: dbResource(salesDB), Permissions: []lftypes.Permission{"DESCRIBE"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Failures) != 1 || aws.ToString(out.Failures[0].Error.ErrorCode) != "AccessDeniedException" {
			t.Errorf("failures = %+v, want one AccessDeniedException", out.Failures)
		}
	})
	t.Run("nothing changed", func(t *testing.T) {
		if perms, _ := c.permissionsOf(t, workflowRole, dbResource(salesDB)); perms != "" {
			t.Errorf("the workflow role holds %q on acme_sales after the refused grants", perms)
		}
		if managed, reason := c.sb.LFManaged(salesDB, "orders"); managed ||
			reason != "location s3://acme-sales-data/sales/orders/ is not registered with Lake Formation" {
			t.Errorf("managed = %v %q after the refused registration and revoke", managed, reason)
		}
	})
}
