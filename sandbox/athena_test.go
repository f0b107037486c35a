package sandbox_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
)

const (
	salesUserKey = "AKIDSALESUSER"
	countOrders  = `SELECT COUNT(*) FROM "acme_sales"."orders"`
)

// query starts a query, lets it finish and returns its execution.
func (c clients) query(t *testing.T, sql, db string) *athenatypes.QueryExecution {
	t.Helper()
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(sql), WorkGroup: aws.String(salesWG)}
	if db != "" {
		in.QueryExecutionContext = &athenatypes.QueryExecutionContext{Catalog: aws.String("AwsDataCatalog"), Database: aws.String(db)}
	}
	out, err := c.ath.StartQueryExecution(t.Context(), in)
	if err != nil {
		t.Fatalf("start query: %v", err)
	}
	c.sb.Advance(5 * time.Second)
	qe, err := c.ath.GetQueryExecution(t.Context(), &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId})
	if err != nil {
		t.Fatalf("get query execution: %v", err)
	}
	return qe.QueryExecution
}

// rows returns every result row (header first) as comma-joined strings, "NULL" for nulls.
func (c clients) rows(t *testing.T, id *string, pageSize int32) ([]string, []athenatypes.ColumnInfo, int) {
	t.Helper()
	var rows []string
	var cols []athenatypes.ColumnInfo
	pages := 0
	p := athena.NewGetQueryResultsPaginator(c.ath, &athena.GetQueryResultsInput{QueryExecutionId: id, MaxResults: aws.Int32(pageSize)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("get query results: %v", err)
		}
		pages++
		cols = out.ResultSet.ResultSetMetadata.ColumnInfo
		for _, r := range out.ResultSet.Rows {
			var cells []string
			for _, d := range r.Data {
				if d.VarCharValue == nil {
					cells = append(cells, "NULL")
				} else {
					cells = append(cells, *d.VarCharValue)
				}
			}
			rows = append(rows, strings.Join(cells, ","))
		}
	}
	return rows, cols, pages
}

func TestGetWorkGroup(t *testing.T) {
	c := start(t, "default")
	tests := []struct {
		name        string
		wg          string
		wantOutput  string
		wantEnforce bool
		wantErr     bool
	}{
		{name: "environment workgroup", wg: salesWG, wantOutput: "s3://amazon-datazone-123456789012-us-east-1-5xk2q8m1v3c9tb/athena/sales_env-wg/", wantEnforce: true},
		{name: "other environment", wg: "marketing_env-wg", wantOutput: "s3://amazon-datazone-123456789012-us-east-1-5xk2q8m1v3c9tb/athena/marketing_env-wg/", wantEnforce: true},
		{name: "primary", wg: "primary", wantOutput: "s3://aws-athena-query-results-123456789012-us-east-1/"},
		{name: "unknown", wg: "nope", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.ath.GetWorkGroup(t.Context(), &athena.GetWorkGroupInput{WorkGroup: aws.String(tt.wg)})
			if wantErrCase[*athenatypes.InvalidRequestException](t, err, tt.wantErr) {
				return
			}
			wg := out.WorkGroup
			if wg.State != athenatypes.WorkGroupStateEnabled {
				t.Errorf("state = %s", wg.State)
			}
			if got := aws.ToString(wg.Configuration.ResultConfiguration.OutputLocation); got != tt.wantOutput {
				t.Errorf("output = %s, want %s", got, tt.wantOutput)
			}
			if got := aws.ToBool(wg.Configuration.EnforceWorkGroupConfiguration); got != tt.wantEnforce {
				t.Errorf("enforce = %v, want %v", got, tt.wantEnforce)
			}
		})
	}
}

func TestQueryLifecycle(t *testing.T) {
	c := start(t, "default")
	c.crawl(t)
	out, err := c.ath.StartQueryExecution(t.Context(), &athena.StartQueryExecutionInput{
		QueryString: aws.String(countOrders), WorkGroup: aws.String(salesWG),
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := c.sb.Now()
	steps := []struct {
		name string
		at   time.Duration
		want athenatypes.QueryExecutionState
	}{
		{name: "queued", at: 0, want: athenatypes.QueryExecutionStateQueued},
		{name: "running", at: 500 * time.Millisecond, want: athenatypes.QueryExecutionStateRunning},
		{name: "succeeded", at: 2 * time.Second, want: athenatypes.QueryExecutionStateSucceeded},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c.sb.Advance(t0.Add(st.at).Sub(c.sb.Now()))
			qe, err := c.ath.GetQueryExecution(t.Context(), &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId})
			if err != nil {
				t.Fatal(err)
			}
			if got := qe.QueryExecution.Status.State; got != st.want {
				t.Fatalf("state = %s, want %s", got, st.want)
			}
			_, err = c.ath.GetQueryResults(t.Context(), &athena.GetQueryResultsInput{QueryExecutionId: out.QueryExecutionId})
			var ire *athenatypes.InvalidRequestException
			if finished := st.want == athenatypes.QueryExecutionStateSucceeded; finished != (err == nil) || (!finished && !errors.As(err, &ire)) {
				t.Fatalf("GetQueryResults err = %v in state %s", err, st.want)
			}
		})
	}
	rows, cols, _ := c.rows(t, out.QueryExecutionId, 1000)
	if strings.Join(rows, "|") != "_col0|1000" || aws.ToString(cols[0].Type) != "bigint" {
		t.Errorf("rows %v, column type %s; want header _col0, 1000, bigint", rows, aws.ToString(cols[0].Type))
	}
}

func TestQueryResults(t *testing.T) {
	c := start(t, "default")
	c.crawl(t)
	tests := []struct {
		name      string
		sql, db   string
		pageSize  int32
		wantRows  []string // all rows, header first; nil = only check the count
		wantCount int
		wantPages int
		wantTypes string
	}{
		{name: "sample with types", sql: `SELECT * FROM "acme_sales"."orders" ORDER BY order_id LIMIT 2`, pageSize: 1000,
			wantRows: []string{
				"order_id,customer_id,order_date,product,quantity,unit_price,region",
				"ORD-000001,CUST-0070,2025-01-02,Coffee Beans 1kg,5,26.17,Latin America",
				"ORD-000002,CUST-0196,2025-01-02,French Press,4,32.22,Europe",
			},
			wantCount: 3, wantPages: 1, wantTypes: "varchar,varchar,date,varchar,bigint,double,varchar"},
		{name: "paginated", sql: `SELECT order_id FROM orders ORDER BY order_id LIMIT 25`, db: salesDB, pageSize: 10,
			wantCount: 26, wantPages: 3, wantTypes: "varchar"},
		{name: "trino style aggregate", sql: `SELECT "region", COUNT(*) AS n FROM "AwsDataCatalog"."acme_sales"."orders" GROUP BY "region" ORDER BY "region" LIMIT 2`,
			pageSize: 1000, wantCount: 3, wantPages: 1, wantTypes: "varchar,bigint"},
		{name: "the example execution input's query", db: salesDB, pageSize: 1000,
			sql:       "SELECT region, COUNT(*) AS orders, SUM(quantity * unit_price) AS revenue FROM orders GROUP BY region ORDER BY region",
			wantCount: 6, wantPages: 1, wantTypes: "varchar,bigint,double"},
		{name: "nulls and expressions", sql: `SELECT NULL AS nothing, 1.5 * 2 AS x, true AS ok`, pageSize: 1000,
			wantRows: []string{"nothing,x,ok", "NULL,3.0,true"}, wantCount: 2, wantPages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qe := c.query(t, tt.sql, tt.db)
			if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
				t.Fatalf("state %s: %s", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
			}
			rows, cols, pages := c.rows(t, qe.QueryExecutionId, tt.pageSize)
			if tt.wantRows != nil && strings.Join(rows, "\n") != strings.Join(tt.wantRows, "\n") {
				t.Errorf("rows =\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(tt.wantRows, "\n"))
			}
			if len(rows) != tt.wantCount || pages != tt.wantPages {
				t.Errorf("%d rows in %d pages, want %d in %d", len(rows), pages, tt.wantCount, tt.wantPages)
			}
			if tt.wantTypes != "" {
				var types []string
				for _, c := range cols {
					types = append(types, aws.ToString(c.Type))
				}
				if got := strings.Join(types, ","); got != tt.wantTypes {
					t.Errorf("types = %s, want %s", got, tt.wantTypes)
				}
			}
		})
	}
}

func TestQueryIdempotencyToken(t *testing.T) {
	c := start(t, "default")
	const token = "dzonboard-verify-orders-0123456789abcdef"
	start := func(sql string) (*athena.StartQueryExecutionOutput, error) {
		return c.ath.StartQueryExecution(t.Context(), &athena.StartQueryExecutionInput{
			QueryString: aws.String(sql), WorkGroup: aws.String(salesWG), ClientRequestToken: aws.String(token),
		})
	}
	first, err := start("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		sql     string
		wantErr bool
	}{
		{name: "same token and query", sql: "SELECT 1"},
		{name: "same token, other query", sql: "SELECT 2", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := start(tt.sql)
			if wantErrCase[*athenatypes.InvalidRequestException](t, err, tt.wantErr) {
				return
			}
			if aws.ToString(out.QueryExecutionId) != aws.ToString(first.QueryExecutionId) {
				t.Errorf("id %s, want the first execution %s", aws.ToString(out.QueryExecutionId), aws.ToString(first.QueryExecutionId))
			}
		})
	}
}

// Athena's error catalog classes the sandbox gives failed queries (athena_errors.go).
const (
	typeSyntax        = 1006
	typeTableNotFound = 1110
	typePermission    = 1500
	typeS3Permission  = 1501
)

// describeDefault grants DESCRIBE on the default database, which Athena over Lake Formation needs.
func (c clients) describeDefault(t *testing.T, who string) {
	t.Helper()
	c.grant(t, who, dbResource("default"), []lftypes.Permission{lftypes.PermissionDescribe})
}

// TestQueryAuthorisation runs queries as the Sales environment user role (which has the DataZone
// permissions boundary) and as other roles, with and without Lake Formation in place. Every
// failure carries an AthenaError whose category (2, USER) and type say why.
func TestQueryAuthorisation(t *testing.T) {
	setupManaged := func(t *testing.T, c clients) {
		c.describeDefault(t, salesUser)
		c.register(t)
		c.grant(t, crawlerRole, locationResource(locationARN), []lftypes.Permission{lftypes.PermissionDataLocationAccess})
		c.crawl(t)
	}
	tests := []struct {
		name      string
		world     string
		asKey     string // access key to query with ("" = the default identity)
		setup     func(t *testing.T, c clients)
		sql, db   string
		wantState athenatypes.QueryExecutionState
		wantIn    []string // substrings of StateChangeReason
		wantType  int32    // AthenaError.ErrorType of a failure
	}{
		{
			name: "boundary role, table open to IAM, location not registered", world: "iam-allowed", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) { c.describeDefault(t, salesUser); c.crawl(t) }, sql: countOrders,
			wantState: athenatypes.QueryExecutionStateFailed, wantType: typeS3Permission,
			wantIn: []string{
				"PERMISSION_DENIED: User: arn:aws:sts::123456789012:assumed-role/datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn/",
				`is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::acme-sales-data"`,
				"because no permissions boundary allows the s3:ListBucket action (Service: S3, Status Code: 403)",
			},
		},
		{
			name: "boundary role, table Lake Formation hides", world: "default", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) { c.describeDefault(t, salesUser); c.crawl(t) }, sql: countOrders,
			wantState: athenaFailed, wantType: typePermission,
			wantIn: []string{"Insufficient Lake Formation permission(s) on orders (Service: AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException)"},
		},
		{
			name: "boundary role, registered but no SELECT", world: "default", asKey: salesUserKey,
			setup: setupManaged, sql: countOrders,
			wantState: athenatypes.QueryExecutionStateFailed, wantType: typePermission,
			wantIn: []string{"Insufficient Lake Formation permission(s) on orders"},
		},
		{
			name: "boundary role, DESCRIBE only: metadata but no data", world: "default", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) {
				setupManaged(t, c)
				c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{lftypes.PermissionDescribe})
			},
			sql: countOrders, wantState: athenaFailed, wantType: typePermission,
			wantIn: []string{"Insufficient Lake Formation permission(s) on orders"},
		},
		{
			name: "boundary role with SELECT", world: "default", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) {
				setupManaged(t, c)
				c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{lftypes.PermissionSelect})
			},
			sql: countOrders, wantState: athenatypes.QueryExecutionStateSucceeded,
		},
		{
			name: "boundary role with SELECT but no DESCRIBE on the default database", world: "default", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) {
				c.register(t)
				c.grant(t, crawlerRole, locationResource(locationARN), []lftypes.Permission{lftypes.PermissionDataLocationAccess})
				c.crawl(t)
				c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{lftypes.PermissionSelect})
			},
			sql: countOrders, wantState: athenaFailed, wantType: typePermission,
			wantIn: []string{"Insufficient Lake Formation permission(s): Required Describe on default"},
		},
		{
			name: "boundary role through a resource link", world: "default", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) {
				setupManaged(t, c)
				if err := c.sb.CreateResourceLink(salesSubDB, "orders", salesDB, "orders"); err != nil {
					t.Fatal(err)
				}
				c.sb.LFGrant(salesUser, []string{"DESCRIBE"}, salesSubDB, "orders")
				c.sb.LFGrant(salesUser, []string{"SELECT", "DESCRIBE"}, salesDB, "orders")
			},
			sql: `SELECT COUNT(*) FROM orders`, db: salesSubDB, wantState: athenatypes.QueryExecutionStateSucceeded,
		},
		{
			name: "boundary role through a resource link it may not see", world: "default", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) {
				setupManaged(t, c)
				if err := c.sb.CreateResourceLink(salesSubDB, "orders_link", salesDB, "orders"); err != nil {
					t.Fatal(err)
				}
				c.sb.LFGrant(salesUser, []string{"SELECT", "DESCRIBE"}, salesDB, "orders")
			},
			sql: `SELECT COUNT(*) FROM orders_link`, db: salesSubDB, wantState: athenaFailed, wantType: typePermission,
			wantIn: []string{"Insufficient Lake Formation permission(s) on orders_link"},
		},
		{
			name: "boundary role, table still grants IAMAllowedPrincipals", world: "iam-allowed", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) {
				c.describeDefault(t, salesUser)
				c.register(t)
				c.grant(t, crawlerRole, locationResource(locationARN), []lftypes.Permission{lftypes.PermissionDataLocationAccess})
				c.startAndFinishCrawl(t)
				c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{lftypes.PermissionSelect})
			},
			sql: countOrders, wantState: athenatypes.QueryExecutionStateFailed, wantType: typePermission,
			wantIn: []string{"Insufficient Lake Formation permission(s) on orders"},
		},
		{
			name: "role without boundary and without s3 access", world: "not-member",
			setup: func(t *testing.T, c clients) {
				admin := c.as("AKIDADMIN", "s", "")
				admin.crawl(t)
				admin.describeDefault(t, workflowRole)
				admin.grant(t, workflowRole, tableResource(salesDB, "orders"), []lftypes.Permission{lftypes.PermissionDescribe})
			},
			sql: countOrders, wantState: athenaFailed, wantType: typeS3Permission,
			wantIn: []string{"because no identity-based policy allows the s3:ListBucket action"},
		},
		{
			name: "role without boundary that cannot see the default database", world: "not-member",
			setup: func(t *testing.T, c clients) { c.as("AKIDADMIN", "s", "").crawl(t) }, sql: `SELECT 1`,
			wantState: athenaFailed, wantType: typePermission,
			wantIn: []string{"Insufficient Lake Formation permission(s): Required Describe on default (Service: AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException)"},
		},
		{
			name: "other tables stay readable when one is denied", world: "default", asKey: salesUserKey,
			setup: func(t *testing.T, c clients) { c.describeDefault(t, salesUser); c.crawl(t) }, sql: `SELECT 42 AS answer`,
			wantState: athenatypes.QueryExecutionStateSucceeded,
		},
		{
			name: "syntax error", world: "default", setup: func(t *testing.T, c clients) { c.crawl(t) },
			sql: `SELECT * FORM "acme_sales"."orders"`, wantState: athenaFailed, wantType: typeSyntax,
			wantIn: []string{"line 1:", "mismatched input"},
		},
		{
			name: "unknown table", world: "default", sql: `SELECT * FROM acme_sales.nope`,
			wantState: athenaFailed, wantType: typeTableNotFound,
			wantIn: []string{"TABLE_NOT_FOUND", "Table 'awsdatacatalog.acme_sales.nope' does not exist"},
		},
		{
			name: "unknown column", world: "default", setup: func(t *testing.T, c clients) { c.crawl(t) },
			sql: `SELECT nope FROM acme_sales.orders`, wantState: athenaFailed, wantType: typeSyntax,
			wantIn: []string{"COLUMN_NOT_FOUND", "Column 'nope' cannot be resolved"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, tt.world, withIdentity(salesUserKey, salesUser))
			if tt.setup != nil {
				tt.setup(t, c)
			}
			q := c
			if tt.asKey != "" {
				q = c.as(tt.asKey, "secret", "")
			}
			qe := q.query(t, tt.sql, tt.db)
			reason := aws.ToString(qe.Status.StateChangeReason)
			if qe.Status.State != tt.wantState {
				t.Fatalf("state = %s (%s), want %s", qe.Status.State, reason, tt.wantState)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(reason, s) {
					t.Errorf("reason %q does not contain %q", reason, s)
				}
			}
			if tt.wantState == athenaFailed {
				ae := qe.Status.AthenaError
				if ae == nil || aws.ToString(ae.ErrorMessage) != reason || aws.ToInt32(ae.ErrorCategory) != 2 ||
					aws.ToInt32(ae.ErrorType) != tt.wantType || ae.Retryable {
					t.Errorf("AthenaError = %+v, want category 2 (USER), type %d, not retryable, with the reason", ae, tt.wantType)
				}
			}
		})
	}
}

const athenaFailed = athenatypes.QueryExecutionStateFailed

func TestQueryAsMintedCredentials(t *testing.T) {
	c := start(t, "registered")
	c.startAndFinishCrawl(t)
	c.grant(t, salesUser, tableResource(salesDB, "orders"), []lftypes.Permission{lftypes.PermissionSelect})
	c.describeDefault(t, salesUser)
	akid, secret, token, _ := c.sb.MintCredentials(salesUser, time.Hour)
	env := c.as(akid, secret, token)
	qe := env.query(t, countOrders, "")
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("state %s: %s", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if rows, _, _ := env.rows(t, qe.QueryExecutionId, 10); len(rows) != 2 || rows[1] != "1000" {
		t.Errorf("rows = %v, want the header and 1000", rows)
	}
}
