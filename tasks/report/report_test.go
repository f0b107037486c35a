package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/tasks/report"
	"github.com/dzonboard/dzonboard/workflow"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// work is a finished onboarding of one table for the producer and, optionally, one consumer.
func work(consumer bool) workflow.Work {
	w := workflow.Work{
		Plan: workflow.Plan{
			Execution: "exec-1", StartedAt: t0, DomainID: "dzd_5xk2q8m1v3c9tb", GlueDatabase: "acme_sales",
			S3Location: "s3://acme-sales-data/sales/",
			Producer:   workflow.Target{ProjectID: "prod", EnvironmentID: "penv", SubscriptionDatabase: "sales_env_sub_db", Workgroup: "sales_env-wg"},
		},
		DataSource: &workflow.DataSourceState{ID: "ds1", RunID: "run1"},
		Tables: []workflow.Table{{
			Name: "orders", AssetID: "asset1", AssetRevision: "2", ListingID: "listing1", ListingRevision: "3",
			Access: []workflow.Access{{
				EnvironmentID: "penv", SubscriptionID: "sub1", GrantID: "grant1", Status: "GRANTED", SubscribedTable: "orders_1",
				QueryIDs: []string{"q1", "q2"}, RowCount: ptr(int64(1000)), Columns: []string{"order_id", "region"},
			}},
			MadeManaged: true,
		}},
		Queries: []workflow.Query{{SQL: "SELECT 1", QueryID: "q9", State: "SUCCEEDED", Rows: ptr(int64(1))}},
		Timings: []workflow.StageTiming{
			{Stage: "preflight", StartedAt: t0, EndedAt: t0.Add(1500 * time.Millisecond)},
			{Stage: "crawl", StartedAt: t0.Add(2 * time.Second), EndedAt: t0.Add(92 * time.Second)},
			{Stage: "verify", StartedAt: t0.Add(100 * time.Second)},
		},
	}
	if consumer {
		w.Plan.Consumers = []workflow.Target{{ProjectID: "cons", EnvironmentID: "cenv", SubscriptionDatabase: "marketing_env_sub_db", Workgroup: "marketing_env-wg"}}
		w.Tables[0].Access = append(w.Tables[0].Access, workflow.Access{
			EnvironmentID: "cenv", SubscriptionID: "sub2", GrantID: "grant2", Status: "GRANTED", SubscribedTable: "orders",
			QueryIDs: []string{"q3", "q4"}, RowCount: ptr(int64(1000)), Columns: []string{"order_id", "region"},
		})
	}
	return w
}

func TestHandle(t *testing.T) {
	end := t0.Add(2 * time.Minute)
	producerTable := workflow.TableReport{
		GlueTable: "orders", AssetID: "asset1", AssetRevision: "2", ListingID: "listing1", ListingRevision: "3",
		SubscriptionID: "sub1", GrantID: "grant1", SubscribedTable: "orders_1", RowCount: 1000,
		Columns: []string{"order_id", "region"}, QueryIDs: []string{"q1", "q2"},
	}
	timings := workflow.Timings{StartedAt: t0, EndedAt: end, TotalSeconds: 120, Stages: []workflow.StageTimeReport{
		{Stage: "preflight", Seconds: 1.5}, {Stage: "crawl", Seconds: 90}, {Stage: "verify", Seconds: 20},
	}}
	base := workflow.Output{
		Status: "SUCCEEDED", DomainID: "dzd_5xk2q8m1v3c9tb", ProjectID: "prod", EnvironmentID: "penv",
		GlueDatabase: "acme_sales", S3Location: "s3://acme-sales-data/sales/", DataSourceID: "ds1", DataSourceRunID: "run1",
		SubscriptionDatabase: "sales_env_sub_db", Workgroup: "sales_env-wg",
		TableCount: 1, Tables: []workflow.TableReport{producerTable},
		Queries:          []workflow.Query{{SQL: "SELECT 1", QueryID: "q9", State: "SUCCEEDED", Rows: ptr(int64(1))}},
		MadeManagedCount: 1, MadeManaged: []string{"orders"},
		ReportURI: "s3://state/reports/exec-1.json",
		Timings:   timings,
	}
	withConsumer := base
	consumerTable := producerTable
	consumerTable.SubscriptionID, consumerTable.GrantID, consumerTable.SubscribedTable = "sub2", "grant2", "orders"
	consumerTable.QueryIDs = []string{"q3", "q4"}
	withConsumer.Consumers = []workflow.ConsumerReport{{
		ProjectID: "cons", EnvironmentID: "cenv", SubscriptionDatabase: "marketing_env_sub_db", Workgroup: "marketing_env-wg",
		Tables: []workflow.TableReport{consumerTable},
	}}
	bare := workflow.Work{Plan: workflow.Plan{StartedAt: t0, Producer: workflow.Target{ProjectID: "prod"}},
		Tables: []workflow.Table{{Name: "orders"}}}

	tests := []struct {
		name string
		w    workflow.Work
		want workflow.Output
	}{
		{name: "producer only", w: work(false), want: base},
		{name: "producer and a consumer", w: work(true), want: withConsumer},
		{name: "nothing recorded yet: empty lists, not null", w: bare, want: workflow.Output{
			Status: "SUCCEEDED", ProjectID: "prod", ReportURI: "s3://state/reports/.json", TableCount: 1,
			Tables:  []workflow.TableReport{{GlueTable: "orders", Columns: []string{}, QueryIDs: []string{}}},
			Timings: workflow.Timings{StartedAt: t0, EndedAt: end, TotalSeconds: 120, Stages: []workflow.StageTimeReport{}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := &reports{}
			got, err := report.New(func() time.Time { return end }, saved).Handle(context.Background(), tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tc.want)
			}
			if !reflect.DeepEqual(saved.out[tc.w.Plan.Execution], tc.want) {
				t.Errorf("saved report\n%+v\nwant the output itself\n%+v", saved.out[tc.w.Plan.Execution], tc.want)
			}
			requireFields(t, got)
		})
	}
}

// reports keeps the saved reports by execution, as the state bucket would.
type reports struct{ out map[string]workflow.Output }

func (r *reports) SaveReport(_ context.Context, execution string, out *workflow.Output) error {
	out.ReportURI = "s3://state/reports/" + execution + ".json"
	if r.out == nil {
		r.out = map[string]workflow.Output{}
	}
	r.out[execution] = *out
	return nil
}

// The execution output spells out the first InlineTables tables of each list; the saved report
// has every one, and both count them.
func TestHandleManyTables(t *testing.T) {
	const n = workflow.InlineTables + 7
	w := work(true)
	one := w.Tables[0]
	w.Tables = nil
	for i := range n {
		tb := one
		tb.Name = fmt.Sprintf("orders_%03d", i)
		w.Tables = append(w.Tables, tb)
	}
	saved := &reports{}
	got, err := report.New(func() time.Time { return t0 }, saved).Handle(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tables) != workflow.InlineTables || got.TableCount != n || len(saved.out["exec-1"].Tables) != n {
		t.Errorf("output %d tables (count %d), saved %d; want %d inline, every one of %d saved",
			len(got.Tables), got.TableCount, len(saved.out["exec-1"].Tables), workflow.InlineTables, n)
	}

	w.FailTable("orders_003", workflow.TaskVerify, workflow.Problem{Field: "orders_003", Problem: "no rows.", Fix: "load data."})
	_, err = report.New(func() time.Time { return t0 }, saved).Handle(context.Background(), w)
	var vf *workflow.VerificationFailedError
	if !errors.As(err, &vf) {
		t.Fatalf("error %v, want a VerificationFailedError for the failed table", err)
	}
	if last := vf.Problems[len(vf.Problems)-1].Fix; !strings.Contains(last, "s3://state/reports/exec-1.json") {
		t.Errorf("the error's last fix %q does not say where the report is", last)
	}
	full := saved.out["exec-1"]
	if full.Status != report.StatusFailed || full.TableCount != n-1 || len(full.Tables) != n-1 || len(full.Consumers[0].Tables) != n-1 || full.MadeManagedCount != n {
		t.Errorf("saved report: status %s, %d tables (count %d), consumer %d, madeManaged %d; want FAILED, %d, %d, %d",
			full.Status, len(full.Tables), full.TableCount, len(full.Consumers[0].Tables), full.MadeManagedCount, n-1, n-1, n)
	}
	inline := full.Inline()
	if len(inline.Tables) != workflow.InlineTables || len(inline.Consumers[0].Tables) != workflow.InlineTables ||
		len(inline.MadeManaged) != workflow.InlineTables || inline.TableCount != n-1 || len(full.Tables) != n-1 {
		t.Errorf("inline: %d tables, consumer %d, madeManaged %d, count %d; want %d each and count %d (full report untouched)",
			len(inline.Tables), len(inline.Consumers[0].Tables), len(inline.MadeManaged), inline.TableCount, workflow.InlineTables, n-1)
	}
}

// requireFields asserts the fields design.md §3 promises are in the JSON, whatever their value.
func requireFields(t *testing.T, out workflow.Output) {
	t.Helper()
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"status", "subscriptionDatabase", "tables", "timings"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("output lacks %q: %s", k, b)
		}
	}
	lists := [][]any{doc["tables"].([]any)}
	if cs, ok := doc["consumers"].([]any); ok {
		for _, c := range cs {
			lists = append(lists, c.(map[string]any)["tables"].([]any))
		}
	}
	for _, tables := range lists {
		for _, tb := range tables {
			for _, k := range []string{"glueTable", "assetId", "listingId", "subscribedTable", "rowCount", "columns", "queryIds"} {
				v, ok := tb.(map[string]any)[k]
				if !ok || v == nil {
					t.Errorf("table lacks %q: %v", k, tb)
				}
			}
		}
	}
	if st, ok := doc["timings"].(map[string]any)["stages"]; !ok || st == nil {
		t.Errorf("timings lack stages: %s", b)
	}
}
