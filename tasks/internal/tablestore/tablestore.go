package tablestore

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/docstore"
	"github.com/dzonboard/dzonboard/workflow"
)

// Store reads and writes the table lists and reports of one state bucket.
type Store struct {
	docs   *docstore.Store
	bucket string
}

// New returns a Store of bucket, calling S3 through api (an *s3.Client).
func New(api awsapi.StateObjects, bucket string) *Store {
	return &Store{docs: docstore.New(api), bucket: bucket}
}

// list is the content of a table list object.
type list struct {
	Tables []workflow.Table `json:"tables"`
}

// Load sets w.Tables to the list w.TableSet names (none when TableSet is nil). Content that is
// not what TableSet says (another hash, another count) is an error: the object was replaced. The
// object is decoded as it arrives, so 10,000 tables never sit in memory as JSON.
func (s *Store) Load(ctx context.Context, w *workflow.Work) error {
	w.Tables = nil
	set := w.TableSet
	if set == nil {
		return nil
	}
	doing := "read the table list " + set.URI
	bucket, key, ok := parseURI(set.URI)
	if !ok {
		return &workflow.ServiceError{Op: doing, Err: fmt.Errorf("tableSet.uri %q is not an s3:// URI", set.URI)}
	}
	body, err := s.docs.Open(ctx, bucket, key)
	if err != nil {
		return err
	}
	defer body.Close()
	zr, err := gzip.NewReader(body)
	if err != nil {
		return &workflow.ServiceError{Op: doing, Err: fmt.Errorf("not gzip-compressed: %w", err)}
	}
	h := sha256.New()
	content := io.TeeReader(zr, h)
	var l list
	if err := json.NewDecoder(content).Decode(&l); err != nil {
		return &workflow.ServiceError{Op: doing, Err: fmt.Errorf("decode JSON: %w", err)}
	}
	if _, err := io.Copy(io.Discard, content); err != nil { // the rest counts in the hash
		return &workflow.ServiceError{Op: doing, Err: fmt.Errorf("decompress: %w", err)}
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != set.SHA256 {
		return &workflow.ServiceError{Op: doing, Err: fmt.Errorf("content SHA-256 %s, want %s: the object was replaced", sum, set.SHA256)}
	}
	if len(l.Tables) != set.Count {
		return &workflow.ServiceError{Op: doing, Err: fmt.Errorf("%d tables, want %d", len(l.Tables), set.Count)}
	}
	w.Tables = l.Tables
	return nil
}

// Save writes w.Tables as a new list object, written by stage, and points w.TableSet at it,
// unless they are the list w.TableSet already names. A Work with no tables and no TableSet
// writes nothing. The list is encoded straight into its compressed form.
func (s *Store) Save(ctx context.Context, w *workflow.Work, stage string) error {
	if w.TableSet == nil && len(w.Tables) == 0 {
		return nil
	}
	if w.Plan.Execution == "" {
		return &workflow.ServiceError{Op: "write the table list", Err: fmt.Errorf("the work has no execution name (plan.execution), which names the list")}
	}
	var packed bytes.Buffer
	zw, err := gzip.NewWriterLevel(&packed, gzip.BestSpeed)
	if err != nil {
		return &workflow.ServiceError{Op: "compress the table list", Err: err}
	}
	h := sha256.New()
	if err := json.NewEncoder(io.MultiWriter(zw, h)).Encode(list{Tables: w.Tables}); err != nil {
		return &workflow.ServiceError{Op: "encode the table list", Err: err}
	}
	if err := zw.Close(); err != nil {
		return &workflow.ServiceError{Op: "compress the table list", Err: err}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	version := 1
	if w.TableSet != nil {
		if w.TableSet.SHA256 == sum {
			return nil
		}
		version = w.TableSet.Version + 1
	}
	key := workflow.TableSetKey(stage, w.Plan.Execution, version, sum)
	if err := s.docs.PutBytes(ctx, s.bucket, key, packed.Bytes(), docstore.Encoding{ContentEncoding: "gzip"}); err != nil {
		return err
	}
	w.TableSet = &workflow.TableSet{URI: uri(s.bucket, key), Version: version, SHA256: sum, TableCounts: workflow.CountTables(w.Tables)}
	return nil
}

// SaveReport sets out.ReportURI and writes out, the full report of an execution, there.
func (s *Store) SaveReport(ctx context.Context, execution string, out *workflow.Output) error {
	key := workflow.ReportKey(execution)
	out.ReportURI = uri(s.bucket, key)
	return s.docs.Put(ctx, s.bucket, key, out)
}

func uri(bucket, key string) string { return "s3://" + bucket + "/" + key }

// parseURI splits s3://bucket/key.
func parseURI(u string) (bucket, key string, ok bool) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(rest, "/")
	return bucket, key, ok && bucket != "" && key != ""
}
