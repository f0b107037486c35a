package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

func TestWriteReport(t *testing.T) {
	rows := int64(4)
	out := workflow.Output{
		Status: "SUCCEEDED", DomainID: "dzd_5xk2q8m1v3c9tb", ProjectID: "b3n7k2q9x1m4zd", EnvironmentID: "c8m2v7k4q1x9tn",
		GlueDatabase: "acme_sales", S3Location: "s3://acme-sales-data/sales/", DataSourceID: "ds1", DataSourceRunID: "run1",
		SubscriptionDatabase: "sales_env_sub_db", Workgroup: "sales_env-wg",
		Tables: []workflow.TableReport{{GlueTable: "orders", AssetID: "a1", ListingID: "l1", SubscribedTable: "orders_x",
			RowCount: 1000, Columns: []string{"order_id", "customer", "region"}}},
		Consumers: []workflow.ConsumerReport{{ProjectID: "e4p8s2k7w1n5qa", EnvironmentID: "f2t6y9k3m8q1vb",
			SubscriptionDatabase: "marketing_env_sub_db", Workgroup: "marketing_env-wg",
			Tables: []workflow.TableReport{{GlueTable: "orders", AssetID: "a1", ListingID: "l1", SubscribedTable: "orders_y",
				RowCount: 1000, Columns: []string{"order_id"}}}}},
		Queries: []workflow.Query{{SQL: "SELECT region,\n  COUNT(*) FROM orders GROUP BY region", QueryID: "q9", State: "SUCCEEDED", Rows: &rows}},
		Timings: workflow.Timings{TotalSeconds: 2530},
	}
	b, _ := json.Marshal(out)
	many := out
	many.TableCount, many.ReportURI, many.Consumers, many.Queries = 1500, "s3://state/reports/e.json", nil, nil
	many.MadeManaged, many.MadeManagedCount = []string{"orders"}, 1500
	manyJSON, _ := json.Marshal(many)
	tests := []struct {
		name   string
		output []byte
		want   string
	}{
		{
			name:   "every table of the producer and the consumers",
			output: b,
			want: `Onboarding SUCCEEDED: 1 table from s3://acme-sales-data/sales/ (Glue database acme_sales)
Domain dzd_5xk2q8m1v3c9tb, data source ds1, run run1

Producer project b3n7k2q9x1m4zd, environment c8m2v7k4q1x9tn (workgroup sales_env-wg)
  orders
    glue table        acme_sales.orders
    asset             a1
    listing           l1
    subscribed table  sales_env_sub_db.orders_x
    rows              1000
    columns           order_id, customer, region

Consumer project e4p8s2k7w1n5qa, environment f2t6y9k3m8q1vb (workgroup marketing_env-wg)
  orders
    glue table        acme_sales.orders
    asset             a1
    listing           l1
    subscribed table  marketing_env_sub_db.orders_y
    rows              1000
    columns           order_id

Queries
  SELECT region, COUNT(*) FROM orders GROUP BY region: SUCCEEDED, 4 rows (query q9)

Total simulated time: 00:42:10
`,
		},
		{
			name:   "an output that spells out only the first tables says where the rest are",
			output: manyJSON,
			want: `Onboarding SUCCEEDED: 1500 tables from s3://acme-sales-data/sales/ (Glue database acme_sales)
Domain dzd_5xk2q8m1v3c9tb, data source ds1, run run1
The first 1 tables of each project are shown; the full report is s3://state/reports/e.json (--report FILE writes it).

Producer project b3n7k2q9x1m4zd, environment c8m2v7k4q1x9tn (workgroup sales_env-wg)
  orders
    glue table        acme_sales.orders
    asset             a1
    listing           l1
    subscribed table  sales_env_sub_db.orders_x
    rows              1000
    columns           order_id, customer, region

Made Lake Formation-managed: orders and 1499 more

Total simulated time: 00:42:10
`,
		},
		{
			name:   "output that is not a report is printed as it is",
			output: []byte(`{"hello":"world"}`),
			want:   "{\"hello\":\"world\"}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w strings.Builder
			writeReport(&w, tt.output, time.Minute, "simulated")
			if w.String() != tt.want {
				t.Errorf("report:\n%s\nwant:\n%s", w.String(), tt.want)
			}
		})
	}
}
