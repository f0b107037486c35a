package docstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/docstore"
	"github.com/dzonboard/dzonboard/workflow"
)

// dataBucket is the default world's data bucket, served read-only.
const dataBucket = "acme-sales-data"

// table is shaped like a verified table of the work document: about 600 bytes of JSON.
type table struct {
	GlueTable       string   `json:"glueTable"`
	Location        string   `json:"location"`
	AssetID         string   `json:"assetId"`
	AssetRevision   string   `json:"assetRevision"`
	ListingID       string   `json:"listingId"`
	ListingRevision string   `json:"listingRevision"`
	SubscriptionID  string   `json:"subscriptionId"`
	GrantID         string   `json:"grantId"`
	SubscribedTable string   `json:"subscribedTable"`
	RowCount        int64    `json:"rowCount"`
	Columns         []string `json:"columns"`
	QueryIDs        []string `json:"queryIds"`
}

func tables(n int) []table {
	out := make([]table, n)
	for i := range out {
		id := fmt.Sprintf("%014d", i)
		out[i] = table{
			GlueTable: "orders_" + id, Location: "s3://acme-sales-data/sales/orders_" + id + "/", AssetID: "a" + id, AssetRevision: "1", ListingID: "l" + id, ListingRevision: "1",
			SubscriptionID: "s" + id, GrantID: "g" + id, SubscribedTable: "orders_" + id + "_sub", RowCount: int64(i),
			Columns:  []string{"order_id:string", "customer_id:string", "region:string", "quantity:bigint", "unit_price:double", "ordered_at:date", "shipped:boolean", "notes:string"},
			QueryIDs: []string{"0f2b9c1e-" + id + "-count-4b7a-9d3e-5c1a2b3c4d5e", "7e1d4a2b-" + id + "-sample-4c8b-8e2f-6d2b3c4d5e6f"},
		}
	}
	return out
}

// env is a sandbox of the default world and a Store over its S3, as the workflow's role.
type env struct {
	sb     *sandbox.Sandbox
	store  *docstore.Store
	bucket string // the state bucket
}

func start(t *testing.T, faults string) env {
	t.Helper()
	rules, err := sandbox.ParseFaults(faults)
	if err != nil {
		t.Fatal(err)
	}
	w := sandboxtest.World(t, "default")
	sb, cfg := sandboxtest.Start(t, w, sandbox.Options{Faults: rules})
	return env{sb: sb, store: docstore.New(awsapi.NewClients(cfg).S3), bucket: w.StateBucketName()}
}

func TestRoundTrip(t *testing.T) {
	e := start(t, "")
	tests := []struct {
		name string
		key  string
		doc  any
		// into returns a pointer to a fresh value of the document's type.
		into func() any
	}{
		{name: "a struct", key: "exec-1/plan.json", doc: &table{GlueTable: "orders", RowCount: 3, Columns: []string{"a:string"}},
			into: func() any { return &table{} }},
		{name: "a list", key: "exec-1/stage-2/tables.json", doc: &[]table{{GlueTable: "a"}, {GlueTable: "b"}},
			into: func() any { return &[]table{} }},
		{name: "a key with spaces and unicode", key: "exec 1/ünïcode tables.json", doc: &map[string]int{"n": 1},
			into: func() any { return &map[string]int{} }},
		{name: "10,000 tables of about 600 bytes", key: "exec-1/stage-3/tables.json", doc: func() *[]table { ts := tables(10000); return &ts }(),
			into: func() any { return &[]table{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			begin := time.Now()
			if err := e.store.Put(t.Context(), e.bucket, tt.key, tt.doc); err != nil {
				t.Fatalf("Put: %v", err)
			}
			got := tt.into()
			if err := e.store.Get(t.Context(), e.bucket, tt.key, got); err != nil {
				t.Fatalf("Get: %v", err)
			}
			if !reflect.DeepEqual(got, tt.doc) {
				t.Errorf("Get returned a different document than Put wrote")
			}
			t.Logf("put and get in %s", time.Since(begin).Round(time.Millisecond))
		})
	}
	t.Run("a second put replaces the document", func(t *testing.T) {
		key := "exec-1/replaced.json"
		for _, n := range []int64{1, 2} {
			if err := e.store.Put(t.Context(), e.bucket, key, table{RowCount: n}); err != nil {
				t.Fatal(err)
			}
		}
		var got table
		if err := e.store.Get(t.Context(), e.bucket, key, &got); err != nil || got.RowCount != 2 {
			t.Fatalf("Get = %+v, %v; want the second document", got, err)
		}
	})
}

// The 10,000-table document of TestRoundTrip is the size the work document's table list reaches
// at 10,000 tables: about 6 MB, which one PutObject carries (S3 takes up to 5 GB in one PUT).
func TestLargeDocumentSize(t *testing.T) {
	b, err := json.Marshal(tables(10000))
	if err != nil {
		t.Fatal(err)
	}
	if per := len(b) / 10000; len(b) < 6_000_000 || per < 550 || per > 650 {
		t.Errorf("10,000 tables are %d bytes (%d a table), want over 6 MB at about 600 a table", len(b), per)
	}
}

func TestErrors(t *testing.T) {
	e := start(t, "")
	throttled := start(t, "s3:PutObject=throttle@1")
	if err := e.store.Put(t.Context(), e.bucket, "exec-1/tables.json", []table{{GlueTable: "a"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		call      func() error
		wantName  string   // the workflow error name Step Functions would see
		wantParts []string // in the message
		notFound  bool     // wraps a *docstore.NotFoundError
	}{
		{name: "a missing key", call: func() error {
			var ts []table
			return e.store.Get(t.Context(), e.bucket, "exec-2/tables.json", &ts)
		}, wantName: "ServiceError", notFound: true,
			wantParts: []string{"read document s3://" + e.bucket + "/exec-2/tables.json: no such document (S3 NoSuchKey): it was never written"}},
		{name: "a missing bucket", call: func() error {
			var ts []table
			return e.store.Get(t.Context(), "no-such-bucket", "exec-1/tables.json", &ts)
		}, wantName: "ServiceError", wantParts: []string{"read document s3://no-such-bucket/exec-1/tables.json", "NoSuchBucket"}},
		{name: "a put into a read-only data bucket", call: func() error {
			return e.store.Put(t.Context(), dataBucket, "sales/tables.json", []table{})
		}, wantName: "AccessDeniedError", wantParts: []string{
			"write document s3://acme-sales-data/sales/tables.json",
			`is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme-sales-data/sales/tables.json"`,
			"Fix: allow s3:PutObject to the role"}},
		{name: "a throttled put", call: func() error {
			return throttled.store.Put(t.Context(), throttled.bucket, "exec-1/tables.json", []table{})
		}, wantName: "TransientError", wantParts: []string{"SlowDown"}},
		{name: "a document of another shape", call: func() error {
			var n int
			return e.store.Get(t.Context(), e.bucket, "exec-1/tables.json", &n)
		}, wantName: "ServiceError", wantParts: []string{"read document s3://" + e.bucket + "/exec-1/tables.json: decode JSON: json: cannot unmarshal array"}},
		{name: "a value JSON cannot encode", call: func() error {
			return e.store.Put(t.Context(), e.bucket, "exec-1/func.json", func() {})
		}, wantName: "ServiceError", wantParts: []string{"write document s3://" + e.bucket + "/exec-1/func.json: encode as JSON: json: unsupported type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := workflow.ErrorName(err); got != tt.wantName {
				t.Fatalf("err = %T %v, want a %s", err, err, tt.wantName)
			}
			for _, p := range tt.wantParts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("err = %q, want it to contain %q", err, p)
				}
			}
			var nf *docstore.NotFoundError
			if errors.As(err, &nf) != tt.notFound {
				t.Errorf("errors.As(*NotFoundError) = %v, want %v", !tt.notFound, tt.notFound)
			}
		})
	}
	t.Run("an unencodable value never reaches S3", func(t *testing.T) {
		for _, j := range e.sb.Journal() {
			if j.Keys["Key"] == "exec-1/func.json" {
				t.Errorf("journal has %+v", j)
			}
		}
	})
}
