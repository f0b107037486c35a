package datasource_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/sandboxtest"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// The default world's names.
const (
	domainID     = "dzd_5xk2q8m1v3c9tb"
	projectID    = "b3n7k2q9x1m4zd"
	envID        = "c8m2v7k4q1x9tn"
	database     = "acme_sales"
	crawlerName  = "acme-sales-orders"
	crawlerRole  = "arn:aws:iam::123456789012:role/service-role/AWSGlueServiceRole-acme"
	manageAccess = "arn:aws:iam::123456789012:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb"
	dsName       = "dzonboard-acme_sales"
)

// account is a sandbox whose bucket holds three small tables (orders, orders_archive and, outside
// the "orders*" filter, customers), crawled into acme_sales.
type account struct {
	sb    *sandbox.Sandbox
	c     *awsapi.Clients // the workflow's role (the world's default identity)
	admin *awsapi.Clients // the account's administrator, a Lake Formation admin and project owner
	data  string          // the bucket's folder
}

type setup struct {
	world  string // default: "default"
	faults []sandbox.FaultRule
	// noGrants leaves DataZone's manage-access role without Lake Formation permissions.
	noGrants bool
}

// newAccount starts the sandbox, grants as the admin, and crawls.
func newAccount(t *testing.T, s setup) *account {
	t.Helper()
	if s.world == "" {
		s.world = "default"
	}
	w := sandboxtest.World(t, s.world)
	dir := t.TempDir()
	for i := range w.Buckets {
		w.Buckets[i].Dir = dir
	}
	a := &account{data: filepath.Join(dir, "sales")}
	a.writeTable(t, "orders", "order_id,region,quantity\nO-1,eu,3\nO-2,us,5\n")
	a.writeTable(t, "orders_archive", "order_id,region,quantity\nO-0,eu,1\n")
	a.writeTable(t, "customers", "customer_id,name\nC-1,Ann\n")
	sb, cfg := sandboxtest.Start(t, w, sandbox.Options{Faults: s.faults})
	admin := awsapi.NewClients(sandboxtest.As(cfg, "AKIDADMIN", "secret", ""))
	a.sb, a.c, a.admin = sb, awsapi.NewClients(cfg), admin
	ctx := context.Background()
	grant := func(principal string, res *lftypes.Resource, perms []lftypes.Permission, grantable []lftypes.Permission) {
		t.Helper()
		_, err := admin.LakeFormation.GrantPermissions(ctx, &lakeformation.GrantPermissionsInput{
			Principal:                  &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(principal)},
			Resource:                   res,
			Permissions:                perms,
			PermissionsWithGrantOption: grantable,
		})
		if err != nil {
			t.Fatalf("grant %v to %s: %v", perms, principal, err)
		}
	}
	db := &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String(database)}}
	grant(crawlerRole, db, []lftypes.Permission{lftypes.PermissionCreateTable}, nil)
	if !s.noGrants {
		describe := []lftypes.Permission{lftypes.PermissionDescribe}
		grant(manageAccess, db, describe, describe)
		tables := &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(database), TableWildcard: &lftypes.TableWildcard{}}}
		both := []lftypes.Permission{lftypes.PermissionDescribe, lftypes.PermissionSelect}
		grant(manageAccess, tables, both, both)
	}
	a.crawl(t)
	return a
}

// writeTable writes one table's CSV file into the bucket.
func (a *account) writeTable(t *testing.T, name, csv string) {
	t.Helper()
	dir := filepath.Join(a.data, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
}

// crawl runs the crawler to its end.
func (a *account) crawl(t *testing.T) {
	t.Helper()
	if _, err := a.admin.Glue.StartCrawler(context.Background(), &glue.StartCrawlerInput{Name: aws.String(crawlerName)}); err != nil {
		t.Fatalf("start crawler: %v", err)
	}
	a.sb.Advance(3 * time.Minute)
}

// work is the Work EnsureDataSource receives in execution exec: the plan and the tables the
// "orders*" filter selects, with their newest update time.
func (a *account) work(t *testing.T, exec string) workflow.Work {
	t.Helper()
	w := workflow.Work{Plan: workflow.Plan{
		Execution:           exec,
		StartedAt:           a.sb.Now(),
		AccountID:           "123456789012",
		Region:              "us-east-1",
		DomainID:            domainID,
		CrawlerName:         crawlerName,
		CrawlerRoleARN:      crawlerRole,
		GlueDatabase:        database,
		S3Location:          "s3://acme-sales-data/sales/",
		LocationARN:         "arn:aws:s3:::acme-sales-data/sales",
		TableFilters:        []string{"orders*"},
		DataSourceName:      dsName,
		ManageAccessRoleARN: manageAccess,
		Producer:            workflow.Target{ProjectID: projectID, EnvironmentID: envID},
	}}
	pages := glue.NewGetTablesPaginator(a.admin.Glue, &glue.GetTablesInput{DatabaseName: aws.String(database)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("get tables: %v", err)
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

// handler is a task's Handle method.
type handler func(context.Context, workflow.Work) (workflow.Work, error)

// drive runs a wait loop as the state machine does: call, then wait the returned seconds in
// virtual time, until done or an error. It returns the last Work, the error and the calls made.
func (a *account) drive(t *testing.T, h handler, w workflow.Work) (workflow.Work, int, error) {
	t.Helper()
	for calls := 1; calls <= 50; calls++ {
		var err error
		w, err = h(context.Background(), w)
		if err != nil || w.Poll.Done {
			return w, calls, err
		}
		if w.Poll.WaitSeconds <= 0 {
			t.Fatalf("call %d: not done and no wait: %+v", calls, w.Poll)
		}
		a.sb.Advance(time.Duration(w.Poll.WaitSeconds) * time.Second)
	}
	t.Fatal("wait loop did not end after 50 calls")
	return w, 0, nil
}

// mutations returns the journal's successful and failed mutating calls after the first skip.
func (a *account) mutations(skip int) []sandbox.JournalEntry {
	return a.sb.Journal()[skip:]
}

// ops lists the operations of journal entries.
func ops(js []sandbox.JournalEntry) []string {
	out := []string{}
	for _, j := range js {
		out = append(out, j.Op)
	}
	return out
}
