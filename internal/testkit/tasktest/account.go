package tasktest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/datasource"
	"github.com/dzonboard/dzonboard/workflow"
)

// Account is a sandbox whose bucket holds three small tables of its own (orders, orders_archive
// and, outside the "orders*" filter, customers), crawled into acme_sales, with the grants the data
// source stage needs: the start of DataSource.
type Account struct {
	Env                   // C acts as the workflow's role (the world's default identity)
	Admin *awsapi.Clients // the account's administrator, a Lake Formation admin and project owner
	data  string          // the bucket's folder of tables
}

// AccountSetup is how NewAccount sets an Account up.
type AccountSetup struct {
	World  string // "" is "default"
	Faults []sandbox.FaultRule
	// NoGrants leaves DataZone's manage-access role without Lake Formation permissions.
	NoGrants bool
}

// NewAccount writes the tables, starts the sandbox, grants as the administrator and crawls.
func NewAccount(t testing.TB, s AccountSetup) *Account {
	t.Helper()
	dir := t.TempDir()
	a := &Account{data: filepath.Join(dir, "sales")}
	a.WriteTable(t, "orders", "order_id,region,quantity\nO-1,eu,3\nO-2,us,5\n")
	a.WriteTable(t, "orders_archive", "order_id,region,quantity\nO-0,eu,1\n")
	a.WriteTable(t, "customers", "customer_id,name\nC-1,Ann\n")
	a.Env = Start(t, s.World, func(w *sandbox.World) {
		for i := range w.Buckets {
			w.Buckets[i].Dir = dir
		}
	}, sandbox.Options{Faults: s.Faults})
	a.Admin = a.Env.Admin()
	lf := a.Admin.LakeFormation
	Grant(t, lf, CrawlerRole, OnDatabase(), []lftypes.Permission{lftypes.PermissionCreateTable}, nil)
	if !s.NoGrants {
		describe := []lftypes.Permission{lftypes.PermissionDescribe}
		Grant(t, lf, ManageAccessRole, OnDatabase(), describe, describe)
		both := []lftypes.Permission{lftypes.PermissionDescribe, lftypes.PermissionSelect}
		Grant(t, lf, ManageAccessRole, OnAllTables(), both, both)
	}
	a.Crawl(t)
	return a
}

// WriteTable writes one table's CSV file into the bucket.
func (a *Account) WriteTable(t testing.TB, name, csv string) {
	t.Helper()
	dir := filepath.Join(a.data, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Crawl runs the crawler as the administrator and requires it to succeed.
func (a *Account) Crawl(t testing.TB) {
	t.Helper()
	Crawl(t, a.SB, a.Admin)
}

// Work is the Work DataSource receives in execution exec: the plan and the tables the
// "orders*" filter selects, with their newest update time.
func (a *Account) Work(t testing.TB, exec string) workflow.Work {
	t.Helper()
	w := workflow.Work{Plan: workflow.Plan{
		Execution:           exec,
		StartedAt:           a.SB.Now(),
		Partition:           "aws",
		AccountID:           AccountID,
		Region:              "us-east-1",
		DomainID:            DomainID,
		CrawlerName:         CrawlerName,
		CrawlerRoleARN:      CrawlerRole,
		GlueDatabase:        Database,
		S3Location:          S3Location,
		LocationARN:         LocationARN,
		TableFilters:        []string{"orders*"},
		DataSourceName:      DataSourceName,
		ManageAccessRoleARN: ManageAccessRole,
		Producer:            workflow.Target{ProjectID: Producer.ProjectID, EnvironmentID: Producer.EnvironmentID},
	}}
	pages := glue.NewGetTablesPaginator(a.Admin.Glue, &glue.GetTablesInput{DatabaseName: aws.String(Database)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("setup: get tables: %v", err)
		}
		for _, tb := range out.TableList {
			if !workflow.MatchTable(w.Plan.TableFilters, aws.ToString(tb.Name)) {
				continue
			}
			w.Tables = append(w.Tables, workflow.Table{Name: aws.ToString(tb.Name)})
			if u := aws.ToTime(tb.UpdateTime); u.After(w.TablesUpdatedAt) {
				w.TablesUpdatedAt = u
			}
		}
	}
	if len(w.Tables) != 2 {
		t.Fatalf("setup: tables %+v, want orders and orders_archive", w.Tables)
	}
	return w
}

// Drive runs a wait loop in the account's sandbox (Drive, at most 50 calls).
func (a *Account) Drive(t testing.TB, h Handler, w workflow.Work) (workflow.Work, int, error) {
	t.Helper()
	return Drive(t, a.SB, h, w, 50)
}

// Onboarded returns execution exec's Work after the data source stage (DataSource, then
// Run): every table has its asset. It is the start of Publish.
func (a *Account) Onboarded(t testing.TB, exec string) workflow.Work {
	t.Helper()
	w, _, err := a.Drive(t, datasource.NewEnsure(a.C.DataZone, Clock(a.SB)).Handle, a.Work(t, exec))
	if err != nil {
		t.Fatalf("setup: ensure data source: %v", err)
	}
	w, _, err = a.Drive(t, datasource.NewRun(a.C.DataZone, Clock(a.SB)).Handle, w)
	if err != nil {
		t.Fatalf("setup: run data source: %v", err)
	}
	return w
}
