package sandbox_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
)

// crawl grants the crawler role CREATE_TABLE (as the admin), starts the crawler and lets the
// crawl finish.
func (c clients) crawl(t *testing.T) {
	t.Helper()
	c.grant(t, crawlerRole, dbResource(salesDB), []lftypes.Permission{lftypes.PermissionCreateTable})
	c.startAndFinishCrawl(t)
}

func (c clients) startAndFinishCrawl(t *testing.T) {
	t.Helper()
	if _, err := c.glue.StartCrawler(t.Context(), &glue.StartCrawlerInput{Name: aws.String(crawlerName)}); err != nil {
		t.Fatalf("start crawler: %v", err)
	}
	c.sb.Advance(2 * time.Minute)
}

func (c clients) crawler(t *testing.T) *gluetypes.Crawler {
	t.Helper()
	out, err := c.glue.GetCrawler(t.Context(), &glue.GetCrawlerInput{Name: aws.String(crawlerName)})
	if err != nil {
		t.Fatalf("get crawler: %v", err)
	}
	return out.Crawler
}

func (c clients) table(t *testing.T, db, name string) *gluetypes.Table {
	t.Helper()
	out, err := c.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(db), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("get table %s.%s: %v", db, name, err)
	}
	return out.Table
}

func columns(tb *gluetypes.Table) string {
	var parts []string
	for _, c := range tb.StorageDescriptor.Columns {
		parts = append(parts, aws.ToString(c.Name)+":"+aws.ToString(c.Type))
	}
	return strings.Join(parts, ",")
}

const ordersColumns = "order_id:string,customer_id:string,order_date:date,product:string,quantity:bigint,unit_price:double,region:string"

func TestCrawlerLifecycle(t *testing.T) {
	c := start(t, "default")
	c.grant(t, crawlerRole, dbResource(salesDB), []lftypes.Permission{lftypes.PermissionCreateTable})
	t0 := c.sb.Now()

	// Each step runs after the previous one, at the virtual time offset `at` from t0.
	steps := []struct {
		name          string
		at            time.Duration
		start         bool   // call StartCrawler
		wantStartErr  bool   // StartCrawler fails with CrawlerRunningException
		wantState     string // crawler state
		wantLastStart time.Duration
		wantLast      gluetypes.LastCrawlStatus // "" = no LastCrawl
		wantCrawls    []gluetypes.CrawlerHistoryState
	}{
		{name: "never run", at: 0, wantState: "READY"},
		{name: "start", at: 0, start: true, wantState: "READY"},
		{name: "still READY with the old LastCrawl right after start", at: 4 * time.Second, start: true, wantStartErr: true, wantState: "READY"},
		{name: "running", at: 5 * time.Second, start: true, wantStartErr: true, wantState: "RUNNING",
			wantCrawls: []gluetypes.CrawlerHistoryState{"RUNNING"}},
		{name: "finished", at: 80 * time.Second, wantState: "READY", wantLast: "SUCCEEDED", wantLastStart: 5 * time.Second,
			wantCrawls: []gluetypes.CrawlerHistoryState{"COMPLETED"}},
		{name: "second start keeps the old LastCrawl", at: 100 * time.Second, start: true, wantState: "READY",
			wantLast: "SUCCEEDED", wantLastStart: 5 * time.Second, wantCrawls: []gluetypes.CrawlerHistoryState{"COMPLETED"}},
		{name: "second crawl finished", at: 200 * time.Second, wantState: "READY", wantLast: "SUCCEEDED",
			wantLastStart: 105 * time.Second, wantCrawls: []gluetypes.CrawlerHistoryState{"COMPLETED", "COMPLETED"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c.sb.Advance(t0.Add(st.at).Sub(c.sb.Now()))
			if st.start {
				_, err := c.glue.StartCrawler(t.Context(), &glue.StartCrawlerInput{Name: aws.String(crawlerName)})
				var running *gluetypes.CrawlerRunningException
				if st.wantStartErr != errors.As(err, &running) {
					t.Fatalf("StartCrawler error = %v, want CrawlerRunningException: %v", err, st.wantStartErr)
				}
				if !st.wantStartErr && err != nil {
					t.Fatalf("StartCrawler: %v", err)
				}
			}
			cr := c.crawler(t)
			if string(cr.State) != st.wantState {
				t.Errorf("state = %s, want %s", cr.State, st.wantState)
			}
			switch {
			case st.wantLast == "" && cr.LastCrawl != nil:
				t.Errorf("LastCrawl = %+v, want none", cr.LastCrawl)
			case st.wantLast != "":
				if cr.LastCrawl == nil {
					t.Fatalf("no LastCrawl, want %s", st.wantLast)
				}
				if cr.LastCrawl.Status != st.wantLast {
					t.Errorf("LastCrawl.Status = %s, want %s", cr.LastCrawl.Status, st.wantLast)
				}
				if got := cr.LastCrawl.StartTime.Sub(t0); got != st.wantLastStart {
					t.Errorf("LastCrawl.StartTime = t0+%v, want t0+%v", got, st.wantLastStart)
				}
			}
			crawls, err := c.glue.ListCrawls(t.Context(), &glue.ListCrawlsInput{CrawlerName: aws.String(crawlerName)})
			if err != nil {
				t.Fatal(err)
			}
			var got []gluetypes.CrawlerHistoryState
			for i := len(crawls.Crawls) - 1; i >= 0; i-- { // newest first on the wire
				got = append(got, crawls.Crawls[i].State)
			}
			if strings.Join(stateStrings(got), ",") != strings.Join(stateStrings(st.wantCrawls), ",") {
				t.Errorf("ListCrawls states (oldest first) = %v, want %v", got, st.wantCrawls)
			}
		})
	}

	t.Run("summary and table", func(t *testing.T) {
		crawls, err := c.glue.ListCrawls(t.Context(), &glue.ListCrawlsInput{CrawlerName: aws.String(crawlerName),
			Filters: []gluetypes.CrawlsFilter{{FieldName: gluetypes.FieldNameState, FilterOperator: gluetypes.FilterOperatorEq, FieldValue: aws.String("COMPLETED")}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(crawls.Crawls) != 2 {
			t.Fatalf("got %d COMPLETED crawls, want 2", len(crawls.Crawls))
		}
		var first, second map[string]map[string]struct{ Count int }
		if err := json.Unmarshal([]byte(aws.ToString(crawls.Crawls[1].Summary)), &first); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(aws.ToString(crawls.Crawls[0].Summary)), &second); err != nil {
			t.Fatal(err)
		}
		if first["TABLE"]["ADD"].Count != 1 || second["TABLE"]["ADD"].Count != 0 || second["TABLE"]["UPDATE"].Count != 0 {
			t.Errorf("summaries = %v then %v, want one table added then nothing", first, second)
		}
		tb := c.table(t, salesDB, "orders")
		if got := columns(tb); got != ordersColumns {
			t.Errorf("columns = %s, want %s", got, ordersColumns)
		}
		if got := aws.ToString(tb.StorageDescriptor.Location); got != "s3://acme-sales-data/sales/orders/" {
			t.Errorf("location = %s", got)
		}
		if !tb.UpdateTime.Equal(t0.Add(80*time.Second)) || aws.ToString(tb.VersionId) != "0" {
			t.Errorf("unchanged table was touched: UpdateTime %v VersionId %s", tb.UpdateTime, aws.ToString(tb.VersionId))
		}
	})
}

func stateStrings(s []gluetypes.CrawlerHistoryState) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

// copyData copies the sample bucket to a temporary folder and points the world at it.
func copyData(t *testing.T) (string, func(*sandbox.World)) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "examples", "data", "acme-sales-data", "sales", "orders", "orders.csv")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sales", "orders", "orders.csv"), string(b))
	return dir, func(w *sandbox.World) { w.Buckets[0].Dir = dir }
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCrawlUpdatesOnlyChangedTables(t *testing.T) {
	dir, edit := copyData(t)
	c := start(t, "default", edit)
	c.crawl(t)
	before := c.table(t, salesDB, "orders")

	// Change the schema of orders' sibling and add new tables, then crawl again.
	writeFile(t, filepath.Join(dir, "sales", "Returns 2025", "part-1.csv"), "return_id,order_id,refunded\nR1,ORD-000001,true\n")
	writeFile(t, filepath.Join(dir, "sales", "customers", "a.csv"), "customer_id,score\nCUST-0001,1\n")
	writeFile(t, filepath.Join(dir, "sales", "customers", "b.csv"), "customer_id,score\nCUST-0002,2.5\n")
	writeFile(t, filepath.Join(dir, "sales", "empty", "README.txt"), "not a csv")
	c.startAndFinishCrawl(t)
	writeFile(t, filepath.Join(dir, "sales", "customers", "a.csv"), "customer_id,score,since\nCUST-0001,1,2024-02-29\n")
	writeFile(t, filepath.Join(dir, "sales", "customers", "b.csv"), "customer_id,score,since\nCUST-0002,2.5,2023-01-01\n")
	c.startAndFinishCrawl(t)

	tests := []struct {
		name        string
		table       string
		wantColumns string
		wantVersion string
		wantUpdated bool // UpdateTime after the first crawl of the table
	}{
		{name: "unchanged table untouched", table: "orders", wantColumns: ordersColumns, wantVersion: "0"},
		{name: "new table from a folder with spaces", table: "returns_2025", wantColumns: "return_id:string,order_id:string,refunded:boolean", wantVersion: "0"},
		{name: "changed schema bumps the version", table: "customers", wantColumns: "customer_id:string,score:double,since:date", wantVersion: "1", wantUpdated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := c.table(t, salesDB, tt.table)
			if got := columns(tb); got != tt.wantColumns {
				t.Errorf("columns = %s, want %s", got, tt.wantColumns)
			}
			if got := aws.ToString(tb.VersionId); got != tt.wantVersion {
				t.Errorf("VersionId = %s, want %s", got, tt.wantVersion)
			}
			if updated := tb.UpdateTime.After(*tb.CreateTime); updated != tt.wantUpdated {
				t.Errorf("UpdateTime %v after CreateTime %v = %v, want %v", tb.UpdateTime, tb.CreateTime, updated, tt.wantUpdated)
			}
		})
	}
	if tb := c.table(t, salesDB, "orders"); !tb.UpdateTime.Equal(*before.UpdateTime) {
		t.Errorf("orders UpdateTime moved from %v to %v", before.UpdateTime, tb.UpdateTime)
	}
	if _, err := c.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(salesDB), Name: aws.String("empty")}); err == nil {
		t.Error("a folder without CSV files became a table")
	}
}

func TestCrawlFailures(t *testing.T) {
	tests := []struct {
		name     string
		world    string
		setup    func(t *testing.T, c clients)
		wantFail string // substring of LastCrawl.ErrorMessage; "" = SUCCEEDED
	}{
		{
			name:     "lake formation enforced database without CREATE_TABLE",
			world:    "default",
			wantFail: "Insufficient Lake Formation permission(s) on acme_sales",
		},
		{
			name:  "crawler role without s3 access",
			world: "crawler-fails",
			setup: func(t *testing.T, c clients) {
				c.grant(t, crawlerRole, dbResource(salesDB), []lftypes.Permission{lftypes.PermissionCreateTable})
			},
			wantFail: `not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::acme-sales-data"`,
		},
		{
			name:  "registered location without DATA_LOCATION_ACCESS",
			world: "default",
			setup: func(t *testing.T, c clients) {
				c.register(t)
				c.grant(t, crawlerRole, dbResource(salesDB), []lftypes.Permission{lftypes.PermissionCreateTable})
			},
			wantFail: "Insufficient Lake Formation permission(s) on acme_sales: Required Data Location Access",
		},
		{
			name:  "registered location with the crawler grants",
			world: "default",
			setup: func(t *testing.T, c clients) {
				c.register(t)
				c.grant(t, crawlerRole, dbResource(salesDB), []lftypes.Permission{lftypes.PermissionCreateTable})
				c.grant(t, crawlerRole, locationResource(locationARN), []lftypes.Permission{lftypes.PermissionDataLocationAccess})
			},
		},
		{name: "database still giving IAMAllowedPrincipals needs no grants", world: "iam-allowed"},
		{name: "world with registration and grants", world: "registered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, tt.world)
			if tt.setup != nil {
				tt.setup(t, c)
			}
			c.startAndFinishCrawl(t)
			last := c.crawler(t).LastCrawl
			if last == nil {
				t.Fatal("no LastCrawl after the crawl")
			}
			tables, err := c.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String(salesDB)})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFail == "" {
				if last.Status != gluetypes.LastCrawlStatusSucceeded || len(tables.TableList) != 1 {
					t.Fatalf("status %s (%s), %d tables; want SUCCEEDED with 1 table", last.Status, aws.ToString(last.ErrorMessage), len(tables.TableList))
				}
				return
			}
			if last.Status != gluetypes.LastCrawlStatusFailed {
				t.Fatalf("status %s, want FAILED", last.Status)
			}
			if msg := aws.ToString(last.ErrorMessage); !strings.Contains(msg, tt.wantFail) {
				t.Errorf("ErrorMessage = %q, want it to contain %q", msg, tt.wantFail)
			}
			if len(tables.TableList) != 0 {
				t.Errorf("a failed crawl created %d tables", len(tables.TableList))
			}
			crawls, err := c.glue.ListCrawls(t.Context(), &glue.ListCrawlsInput{CrawlerName: aws.String(crawlerName)})
			if err != nil {
				t.Fatal(err)
			}
			if len(crawls.Crawls) != 1 || crawls.Crawls[0].State != gluetypes.CrawlerHistoryStateFailed {
				t.Errorf("ListCrawls = %+v, want one FAILED crawl", crawls.Crawls)
			}
		})
	}
}

func TestGetDatabase(t *testing.T) {
	tests := []struct {
		name         string
		world, db    string
		wantDefaults bool // CreateTableDefaultPermissions gives IAM_ALLOWED_PRINCIPALS ALL
		wantNotFound bool
	}{
		{name: "lake formation enforced", world: "default", db: salesDB},
		{name: "iam allowed principals", world: "iam-allowed", db: salesDB, wantDefaults: true},
		{name: "environment subscription database", world: "default", db: salesSubDB},
		{name: "unknown", world: "default", db: "nope", wantNotFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, tt.world)
			out, err := c.glue.GetDatabase(t.Context(), &glue.GetDatabaseInput{Name: aws.String(tt.db)})
			if wantErrCase[*gluetypes.EntityNotFoundException](t, err, tt.wantNotFound) {
				return
			}
			perms := out.Database.CreateTableDefaultPermissions
			got := len(perms) == 1 && aws.ToString(perms[0].Principal.DataLakePrincipalIdentifier) == "IAM_ALLOWED_PRINCIPALS" &&
				len(perms[0].Permissions) == 1 && perms[0].Permissions[0] == "ALL"
			if got != tt.wantDefaults {
				t.Errorf("CreateTableDefaultPermissions = %+v, want IAM_ALLOWED_PRINCIPALS ALL: %v", perms, tt.wantDefaults)
			}
		})
	}
}

func TestGetTablesPaginationAndExpression(t *testing.T) {
	dir, edit := copyData(t)
	for _, name := range []string{"order_items", "customers", "products", "stores"} {
		writeFile(t, filepath.Join(dir, "sales", name, "data.csv"), "id,name\n1,a\n")
	}
	c := start(t, "default", edit)
	c.crawl(t)

	tests := []struct {
		name       string
		expression string
		want       string
	}{
		{name: "all", want: "customers,order_items,orders,products,stores"},
		{name: "glob", expression: "order*", want: "order_items,orders"},
		{name: "regex alternatives", expression: "stores|products", want: "products,stores"},
		{name: "no match", expression: "x.*", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &glue.GetTablesInput{DatabaseName: aws.String(salesDB), MaxResults: aws.Int32(2)}
			if tt.expression != "" {
				in.Expression = aws.String(tt.expression)
			}
			var names []string
			pages := 0
			for p := glue.NewGetTablesPaginator(c.glue, in); p.HasMorePages(); {
				out, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(out.TableList) > 2 {
					t.Fatalf("page of %d tables, MaxResults 2", len(out.TableList))
				}
				for _, tb := range out.TableList {
					names = append(names, aws.ToString(tb.Name))
				}
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("tables = %s, want %s", got, tt.want)
			}
			if wantPages := max(1, (len(names)+1)/2); pages != wantPages {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
		})
	}
}

func TestNewTablesInIAMAllowedDatabaseGrantIAMAllowedPrincipals(t *testing.T) {
	tests := []struct {
		name  string
		world string
		want  bool
	}{
		{name: "iam allowed database", world: "iam-allowed", want: true},
		{name: "lake formation enforced database", world: "default", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, tt.world)
			c.crawl(t)
			out, err := c.lf.ListPermissions(t.Context(), &lakeformation.ListPermissionsInput{
				Principal: principal("IAM_ALLOWED_PRINCIPALS"), Resource: tableResource(salesDB, "orders"),
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(out.PrincipalResourcePermissions) == 1; got != tt.want {
				t.Errorf("IAM_ALLOWED_PRINCIPALS grants on the new table: %+v, want one: %v", out.PrincipalResourcePermissions, tt.want)
			}
		})
	}
}

func TestGlueNotFound(t *testing.T) {
	c := start(t, "default")
	tests := []struct {
		name string
		call func() error
	}{
		{"GetCrawler", func() error {
			_, err := c.glue.GetCrawler(t.Context(), &glue.GetCrawlerInput{Name: aws.String("nope")})
			return err
		}},
		{"StartCrawler", func() error {
			_, err := c.glue.StartCrawler(t.Context(), &glue.StartCrawlerInput{Name: aws.String("nope")})
			return err
		}},
		{"GetTable", func() error {
			_, err := c.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(salesDB), Name: aws.String("nope")})
			return err
		}},
		{"GetTables", func() error {
			_, err := c.glue.GetTables(t.Context(), &glue.GetTablesInput{DatabaseName: aws.String("nope")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nf *gluetypes.EntityNotFoundException
			if err := tt.call(); !errors.As(err, &nf) {
				t.Fatalf("err = %v, want EntityNotFoundException", err)
			}
		})
	}
}
