package tablestore_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/docstore"
	"github.com/dzonboard/dzonboard/tasks/internal/tablestore"
	"github.com/dzonboard/dzonboard/workflow"
)

// env is a Store over the default world's state bucket, and the raw S3 client under it.
type env struct {
	sb     *sandbox.Sandbox
	s3     *s3.Client
	store  *tablestore.Store
	bucket string
}

func start(t *testing.T) env {
	t.Helper()
	w := sandboxtest.World(t, "default")
	sb, cfg := sandboxtest.Start(t, w, sandbox.Options{})
	c := awsapi.NewClients(cfg).S3
	return env{sb: sb, s3: c, store: tablestore.New(c, w.StateBucketName()), bucket: w.StateBucketName()}
}

func rows(n int64) *int64 { return &n }

// tables are n verified tables, sorted by name.
func tables(n int) []workflow.Table {
	out := make([]workflow.Table, n)
	for i := range out {
		out[i] = workflow.Table{
			Name: fmt.Sprintf("orders_%05d", i), AssetID: fmt.Sprintf("a%d", i), ListingID: fmt.Sprintf("l%d", i), ListingStatus: "ACTIVE",
			Access: []workflow.Access{{EnvironmentID: "env", Status: "GRANTED", SubscribedTable: fmt.Sprintf("orders_%05d", i), RowCount: rows(int64(i)), Columns: []string{"id"}}},
		}
	}
	return out
}

// puts counts the state bucket writes journalled so far.
func (e env) puts() int {
	n := 0
	for _, j := range e.sb.Journal() {
		if j.Service == "s3" && j.Op == "PutObject" && j.Error == "" {
			n++
		}
	}
	return n
}

// A list saved is loaded back the same; an unchanged list writes nothing; a changed one writes a
// new object (never over the old one) with the next version.
func TestSaveAndLoad(t *testing.T) {
	e := start(t)
	w := workflow.Work{Plan: workflow.Plan{Execution: "exec-1"}, Tables: tables(3)}
	if err := e.store.Save(t.Context(), &w, workflow.TaskTables); err != nil {
		t.Fatal(err)
	}
	first := *w.TableSet
	if first.Version != 1 || first.Count != 3 || first.Active != 3 || first.Verified != 3 || first.Rows != 3 ||
		!strings.HasPrefix(first.URI, "s3://"+e.bucket+"/tables/Tables/exec-1/000001-") || !strings.HasSuffix(first.URI, ".json.gz") {
		t.Fatalf("table set %+v", first)
	}
	loaded := workflow.Work{Plan: w.Plan, TableSet: &first}
	if err := e.store.Load(t.Context(), &loaded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded.Tables, w.Tables) {
		t.Errorf("loaded %+v, want %+v", loaded.Tables, w.Tables)
	}

	before := e.puts()
	if err := e.store.Save(t.Context(), &loaded, workflow.TaskPublish); err != nil || loaded.TableSet.URI != first.URI || e.puts() != before {
		t.Errorf("unchanged list: %v, set %+v, %d writes; want no write and the same set", err, loaded.TableSet, e.puts()-before)
	}

	loaded.Tables[1].AssetID = "changed"
	if err := e.store.Save(t.Context(), &loaded, workflow.TaskPublish); err != nil {
		t.Fatal(err)
	}
	if second := loaded.TableSet; second.Version != 2 || second.URI == first.URI || !strings.Contains(second.URI, "/tables/Publish/exec-1/000002-") {
		t.Errorf("changed list: set %+v, want version 2 under Publish's prefix", second)
	}
	again := workflow.Work{TableSet: &first}
	if err := e.store.Load(t.Context(), &again); err != nil || again.Tables[1].AssetID != "a1" {
		t.Errorf("the first version was rewritten: %v %+v", err, again.Tables)
	}
}

// The object is gzip-compressed JSON with Content-Encoding gzip, and the SDK hands it over as
// stored (it asks S3 for identity encoding), so a 10,000-table list stays small.
func TestObjectIsCompressed(t *testing.T) {
	e := start(t)
	w := workflow.Work{Plan: workflow.Plan{Execution: "exec-1"}, Tables: tables(10000)}
	if err := e.store.Save(t.Context(), &w, workflow.TaskVerify); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimPrefix(w.TableSet.URI, "s3://"+e.bucket+"/")
	obj, err := e.s3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	b, _ := io.ReadAll(obj.Body)
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) || aws.ToString(obj.ContentEncoding) != "gzip" || len(b) > 1<<20 {
		t.Errorf("object of %d bytes, encoding %q, starts %x: want gzip under 1 MiB", len(b), aws.ToString(obj.ContentEncoding), b[:min(2, len(b))])
	}
}

// A table set that does not match its object, or names none, is refused with what is wrong.
func TestLoadRefuses(t *testing.T) {
	e := start(t)
	w := workflow.Work{Plan: workflow.Plan{Execution: "exec-1"}, Tables: tables(2)}
	if err := e.store.Save(t.Context(), &w, workflow.TaskRun); err != nil {
		t.Fatal(err)
	}
	good := *w.TableSet
	tests := []struct {
		name     string
		edit     func(s *workflow.TableSet)
		wantText string
		notFound bool
	}{
		{name: "another hash", edit: func(s *workflow.TableSet) { s.SHA256 = strings.Repeat("0", 64) }, wantText: "the object was replaced"},
		{name: "another count", edit: func(s *workflow.TableSet) { s.Count = 3 }, wantText: "2 tables, want 3"},
		{name: "not an s3 URI", edit: func(s *workflow.TableSet) { s.URI = "https://example.com/x" }, wantText: "is not an s3:// URI"},
		{name: "an expired object", edit: func(s *workflow.TableSet) { s.URI += ".gone" }, notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := good
			tt.edit(&set)
			got := workflow.Work{TableSet: &set}
			err := e.store.Load(t.Context(), &got)
			var se *workflow.ServiceError
			var nf *docstore.NotFoundError
			switch {
			case !errors.As(err, &se):
				t.Fatalf("error %v, want a ServiceError", err)
			case tt.notFound && !errors.As(err, &nf):
				t.Errorf("error %v, want it to wrap a NotFoundError", err)
			case !tt.notFound && !strings.Contains(err.Error(), tt.wantText):
				t.Errorf("error %q, want it to say %q", err, tt.wantText)
			}
			if got.Tables != nil {
				t.Errorf("tables %v loaded from a refused object", got.Tables)
			}
		})
	}
}
