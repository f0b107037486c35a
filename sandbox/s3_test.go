package sandbox_test

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

const (
	dataBucket  = "acme-sales-data"
	stateBucket = "dzonboard-state-123456789012-us-east-1"
)

// s3Data is the data bucket's folder in the S3 tests: two tables under sales/ and a file outside it.
var s3Data = map[string]string{
	"sales/orders/orders.csv":       "order_id,quantity\nO-1,3\n",
	"sales/orders/orders-2.csv":     "order_id,quantity\nO-2,5\n",
	"sales/customers/customers.csv": "customer_id\nC-1\n",
	"README.txt":                    "acme sales data\n",
}

// s3World serves the default world with its data bucket backed by a folder holding files, and
// access keys for the crawler's role (S3 access to sales/ only) and the Sales environment's user
// role (with the DataZone permissions boundary).
func s3World(t *testing.T, files map[string]string, edits ...func(*sandbox.World)) (clients, string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edits = append([]func(*sandbox.World){
		func(w *sandbox.World) { w.Buckets[0].Dir = dir },
		withIdentity("AKIDCRAWLER", crawlerRole),
		withIdentity("AKIDSALES", salesUser),
	}, edits...)
	return start(t, "default", edits...), dir
}

// s3c is the S3 client of cfg, path-style as every custom endpoint needs.
func s3c(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// wantS3Error checks err's S3 error code and that its message contains msg.
func wantS3Error(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("err = %v, want %s containing %q", err, code, msg)
	}
}

// wantS3 checks a call's outcome: S3's error code and message when code is set, else its result.
func wantS3(t *testing.T, got string, err error, want, code, message string) {
	t.Helper()
	if code != "" {
		wantS3Error(t, err, code, message)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func listKeys(out *s3.ListObjectsV2Output) string {
	var parts []string
	for _, p := range out.CommonPrefixes {
		parts = append(parts, aws.ToString(p.Prefix))
	}
	for _, o := range out.Contents {
		parts = append(parts, fmt.Sprintf("%s(%d)", aws.ToString(o.Key), aws.ToInt64(o.Size)))
	}
	return strings.Join(parts, " ")
}

func TestS3DataBucketReads(t *testing.T) {
	c, _ := s3World(t, s3Data)
	admin := s3c(c.cfg)
	crawler := s3c(sandboxtest.As(c.cfg, "AKIDCRAWLER", "s", ""))
	sales := s3c(sandboxtest.As(c.cfg, "AKIDSALES", "s", ""))
	get := func(cl *s3.Client, key string) func() (string, error) {
		return func() (string, error) {
			out, err := cl.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(dataBucket), Key: aws.String(key)})
			if err != nil {
				return "", err
			}
			defer out.Body.Close()
			b, err := io.ReadAll(out.Body)
			if out.LastModified == nil {
				return "", errors.New("no Last-Modified")
			}
			return fmt.Sprintf("%s [%s]", b, aws.ToString(out.ContentType)), err
		}
	}
	list := func(cl *s3.Client, prefix, delimiter string) func() (string, error) {
		return func() (string, error) {
			in := &s3.ListObjectsV2Input{Bucket: aws.String(dataBucket), Prefix: aws.String(prefix)}
			if delimiter != "" {
				in.Delimiter = aws.String(delimiter)
			}
			out, err := cl.ListObjectsV2(t.Context(), in)
			if err != nil {
				return "", err
			}
			return listKeys(out), nil
		}
	}
	tests := []struct {
		name          string
		call          func() (string, error)
		want          string
		code, message string
	}{
		{name: "get an object", call: get(admin, "sales/orders/orders.csv"),
			want: "order_id,quantity\nO-1,3\n [text/csv; charset=utf-8]"},
		{name: "head an object", call: func() (string, error) {
			out, err := admin.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(dataBucket), Key: aws.String("README.txt")})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d %s", aws.ToInt64(out.ContentLength), aws.ToString(out.ETag)), nil
		}, want: `16 "` + md5Hex("acme sales data\n") + `"`},
		{name: "list folders", call: list(admin, "sales/", "/"), want: "sales/customers/ sales/orders/"},
		{name: "list the bucket", call: list(admin, "", ""),
			want: "README.txt(16) sales/customers/customers.csv(16) sales/orders/orders-2.csv(24) sales/orders/orders.csv(24)"},
		{name: "list a prefix that is part of a name", call: list(admin, "sales/orders/orders-", "/"), want: "sales/orders/orders-2.csv(24)"},
		{name: "list a folder that does not exist", call: list(admin, "nothing/", "/"), want: ""},
		{name: "get a missing key", call: get(admin, "sales/orders/none.csv"),
			code: "NoSuchKey", message: "The specified key does not exist."},
		{name: "get from a missing bucket", call: func() (string, error) {
			_, err := admin.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
			return "", err
		}, code: "NoSuchBucket", message: "The specified bucket does not exist"},
		{name: "a role reads under its S3 access", call: get(crawler, "sales/customers/customers.csv"),
			want: "customer_id\nC-1\n [text/csv; charset=utf-8]"},
		{name: "a role may not read outside its S3 access", call: get(crawler, "README.txt"), code: "AccessDenied",
			message: `User: arn:aws:sts::123456789012:assumed-role/AWSGlueServiceRole-acme/dzonboard is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::acme-sales-data/README.txt" because no identity-based policy allows the s3:GetObject action`},
		{name: "a role may not list above its S3 access", call: list(crawler, "", "/"), code: "AccessDenied",
			message: `s3:ListBucket on resource: "arn:aws:s3:::acme-sales-data"`},
		{name: "a role with the DataZone boundary reads only through Lake Formation", call: get(sales, "sales/orders/orders.csv"),
			code: "AccessDenied", message: "because no permissions boundary allows the s3:GetObject action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			wantS3(t, got, err, tt.want, tt.code, tt.message)
		})
	}
	t.Run("a missing key answers HEAD with 404", func(t *testing.T) {
		_, err := admin.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(dataBucket), Key: aws.String("none")})
		var nf *s3types.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("err = %v, want NotFound", err)
		}
	})
}

func TestS3Writes(t *testing.T) {
	c, dir := s3World(t, s3Data)
	admin := s3c(c.cfg)
	sales := s3c(sandboxtest.As(c.cfg, "AKIDSALES", "s", ""))
	put := func(cl *s3.Client, bucket, key, body string) func() (string, error) {
		return func() (string, error) {
			_, err := cl.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				Body: strings.NewReader(body), ContentType: aws.String("application/json")})
			return "", err
		}
	}
	get := func(bucket, key string) func() (string, error) {
		return func() (string, error) {
			out, err := admin.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return "", err
			}
			defer out.Body.Close()
			b, err := io.ReadAll(out.Body)
			return fmt.Sprintf("%s [%s] %s", b, aws.ToString(out.ContentType), aws.ToTime(out.LastModified).Format(time.RFC3339)), err
		}
	}
	del := func(bucket, key string) func() (string, error) {
		return func() (string, error) {
			_, err := admin.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			return "", err
		}
	}
	start := sandbox.DefaultStart.Format(time.RFC3339)
	tests := []struct {
		name          string
		call          func() (string, error)
		want          string
		code, message string
		advance       time.Duration
	}{
		{name: "put into the state bucket", call: put(admin, stateBucket, "exec-1/tables.json", `{"n":1}`)},
		{name: "get it back, made at the virtual time", call: get(stateBucket, "exec-1/tables.json"),
			want: `{"n":1} [application/json] ` + start},
		{name: "overwrite it an hour later", advance: time.Hour, call: put(admin, stateBucket, "exec-1/tables.json", `{"n":2}`)},
		{name: "read the new version", call: get(stateBucket, "exec-1/tables.json"),
			want: `{"n":2} [application/json] ` + sandbox.DefaultStart.Add(time.Hour).Format(time.RFC3339)},
		{name: "delete it", call: del(stateBucket, "exec-1/tables.json")},
		{name: "it is gone", call: get(stateBucket, "exec-1/tables.json"), code: "NoSuchKey"},
		{name: "deleting a missing key succeeds", call: del(stateBucket, "exec-1/tables.json")},
		{name: "a data bucket refuses a put", call: put(admin, dataBucket, "sales/new.csv", "x"), code: "AccessDenied",
			message: `User: arn:aws:sts::123456789012:assumed-role/Admin/dzonboard is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme-sales-data/sales/new.csv" because no identity-based policy allows the s3:PutObject action`},
		{name: "a data bucket refuses a delete", call: del(dataBucket, "README.txt"), code: "AccessDenied",
			message: `s3:DeleteObject on resource: "arn:aws:s3:::acme-sales-data/README.txt"`},
		{name: "a role with the DataZone boundary may not use the state bucket", call: put(sales, stateBucket, "k", "x"),
			code: "AccessDenied", message: "because no permissions boundary allows the s3:PutObject action"},
		{name: "a put into a missing bucket", call: put(admin, "no-such-bucket", "k", "x"), code: "NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.sb.Advance(tt.advance)
			got, err := tt.call()
			wantS3(t, got, err, tt.want, tt.code, tt.message)
		})
	}
	t.Run("the data folder is unchanged", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(dir, "sales", "new.csv")); !os.IsNotExist(err) {
			t.Errorf("sales/new.csv: %v, want it not to exist", err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "README.txt")); err != nil || string(b) != s3Data["README.txt"] {
			t.Errorf("README.txt = %q, %v", b, err)
		}
	})
	t.Run("puts and deletes are journalled, reads are not", func(t *testing.T) {
		var got []string
		for _, e := range c.sb.Journal() {
			if e.Service != "s3" {
				t.Errorf("journal entry %+v", e)
				continue
			}
			got = append(got, fmt.Sprintf("%s %s/%s %s %s", e.Op, e.Keys["Bucket"], e.Keys["Key"], roleName(e.Caller), e.Error))
		}
		want := []string{
			"PutObject " + stateBucket + "/exec-1/tables.json Admin ",
			"PutObject " + stateBucket + "/exec-1/tables.json Admin ",
			"DeleteObject " + stateBucket + "/exec-1/tables.json Admin ",
			"DeleteObject " + stateBucket + "/exec-1/tables.json Admin ",
			"PutObject " + dataBucket + "/sales/new.csv Admin AccessDenied",
			"DeleteObject " + dataBucket + "/README.txt Admin AccessDenied",
			"PutObject " + stateBucket + "/k " + roleName(salesUser) + " AccessDenied",
			"PutObject no-such-bucket/k Admin NoSuchBucket",
		}
		if !slices.Equal(got, want) {
			t.Errorf("journal:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestS3ListPages(t *testing.T) {
	files := map[string]string{}
	for i := range 1001 {
		files[fmt.Sprintf("t/%04d.csv", i)] = "a\n1\n"
	}
	c, _ := s3World(t, files)
	admin := s3c(c.cfg)
	for _, k := range []string{"a/1", "a/2", "b", "c/1", "d"} {
		if _, err := admin.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(stateBucket), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		in        s3.ListObjectsV2Input
		wantPages []int
		wantFirst string
		wantLast  string
	}{
		{name: "1,000 keys a page unless asked for fewer", in: s3.ListObjectsV2Input{Bucket: aws.String(dataBucket)},
			wantPages: []int{1000, 1}, wantFirst: "t/0000.csv(4)", wantLast: "t/1000.csv(4)"},
		{name: "pages of two", in: s3.ListObjectsV2Input{Bucket: aws.String(stateBucket), MaxKeys: aws.Int32(2)},
			wantPages: []int{2, 2, 1}, wantFirst: "a/1(1) a/2(1)", wantLast: "d(1)"},
		{name: "common prefixes count towards a page", in: s3.ListObjectsV2Input{Bucket: aws.String(stateBucket), MaxKeys: aws.Int32(2), Delimiter: aws.String("/")},
			wantPages: []int{2, 2}, wantFirst: "a/ b(1)", wantLast: "c/ d(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := s3.NewListObjectsV2Paginator(admin, &tt.in)
			var sizes []int
			var first, last string
			for pages.HasMorePages() {
				out, err := pages.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if n := len(out.Contents) + len(out.CommonPrefixes); int(aws.ToInt32(out.KeyCount)) != n {
					t.Errorf("KeyCount %d, %d entries", aws.ToInt32(out.KeyCount), n)
				}
				sizes = append(sizes, len(out.Contents)+len(out.CommonPrefixes))
				if first == "" {
					first = listKeys(out)
				}
				last = listKeys(out)
			}
			if !slices.Equal(sizes, tt.wantPages) {
				t.Errorf("pages of %v, want %v", sizes, tt.wantPages)
			}
			if !strings.HasPrefix(first, tt.wantFirst) || !strings.HasSuffix(last, tt.wantLast) {
				t.Errorf("first page %.60q..., last page ...%.60q; want %q..., ...%q", first, last, tt.wantFirst, tt.wantLast)
			}
		})
	}
}

func TestS3FaultsAndCredentials(t *testing.T) {
	faults, err := sandbox.ParseFaults("s3:PutObject=throttle@1,s3:GetObject=5xx@1")
	if err != nil {
		t.Fatal(err)
	}
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{Faults: faults})
	akid, secret, token, _ := sb.MintCredentials(adminRole, time.Minute)
	sb.Advance(2 * time.Minute)
	tests := []struct {
		name, code, message string
		call                func() error
	}{
		{name: "throttled put", code: "SlowDown", message: "Reduce your request rate.", call: func() error {
			_, err := s3c(cfg).PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(stateBucket), Key: aws.String("k"), Body: strings.NewReader("x")})
			return err
		}},
		{name: "failing get", code: "InternalError", message: "We encountered an internal error. Please try again.", call: func() error {
			_, err := s3c(cfg).GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(stateBucket), Key: aws.String("k")})
			return err
		}},
		{name: "expired credentials", code: "ExpiredToken", message: "The provided token has expired.", call: func() error {
			_, err := s3c(sandboxtest.As(cfg, akid, secret, token)).ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(stateBucket)})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantS3Error(t, tt.call(), tt.code, tt.message)
		})
	}
	t.Run("every attempt of the throttled put is journalled", func(t *testing.T) {
		var n int
		for _, e := range sb.Journal() {
			if e.Op == "PutObject" && e.Error == "SlowDown" {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d throttled PutObject entries, want 3 (the SDK's attempts)", n)
		}
	})
}

func TestS3NotServed(t *testing.T) {
	c := start(t, "default")
	cl := s3c(c.cfg)
	tests := []struct {
		name string
		call func() error
	}{
		{name: "CopyObject", call: func() error {
			_, err := cl.CopyObject(t.Context(), &s3.CopyObjectInput{Bucket: aws.String(stateBucket), Key: aws.String("b"), CopySource: aws.String(stateBucket + "/a")})
			return err
		}},
		{name: "CreateBucket", call: func() error {
			_, err := cl.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("new-bucket")})
			return err
		}},
		{name: "DeleteObjects", call: func() error {
			_, err := cl.DeleteObjects(t.Context(), &s3.DeleteObjectsInput{Bucket: aws.String(stateBucket),
				Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("a")}}}})
			return err
		}},
		{name: "CreateMultipartUpload", call: func() error {
			_, err := cl.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String(stateBucket), Key: aws.String("a")})
			return err
		}},
		{name: "PutObjectTagging", call: func() error {
			_, err := cl.PutObjectTagging(t.Context(), &s3.PutObjectTaggingInput{Bucket: aws.String(stateBucket), Key: aws.String("a"),
				Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantS3Error(t, tt.call(), "NotImplemented", "the sandbox serves only the S3 operations")
		})
	}
	if j := c.sb.Journal(); len(j) != 0 {
		t.Errorf("journal %+v, want nothing: refused operations never ran", j)
	}
}

func TestS3StateBucketName(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*sandbox.World)
		wantBucket string
		wantErr    string
	}{
		{name: "default", wantBucket: stateBucket},
		{name: "named by the world", edit: func(w *sandbox.World) { w.StateBucket = "my-state" }, wantBucket: "my-state"},
		{name: "a data bucket's name", edit: func(w *sandbox.World) { w.StateBucket = dataBucket }, wantErr: "also one of the world's data buckets"},
		{name: "not a bucket name", edit: func(w *sandbox.World) { w.StateBucket = "My_State" }, wantErr: "state bucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sandboxtest.World(t, "default")
			if tt.edit != nil {
				tt.edit(w)
			}
			if tt.wantErr != "" {
				if _, err := sandbox.New(w, sandbox.Options{}); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			_, cfg := sandboxtest.Start(t, w, sandbox.Options{})
			out, err := s3c(cfg).ListBuckets(t.Context(), &s3.ListBucketsInput{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, b := range out.Buckets {
				names = append(names, aws.ToString(b.Name))
			}
			if want := []string{dataBucket, tt.wantBucket}; !slices.Equal(names, want) {
				t.Errorf("buckets %v, want %v", names, want)
			}
			if w.StateBucketName() != tt.wantBucket {
				t.Errorf("StateBucketName() = %s, want %s", w.StateBucketName(), tt.wantBucket)
			}
			if _, err := s3c(cfg).HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String(tt.wantBucket)}); err != nil {
				t.Errorf("HeadBucket %s: %v", tt.wantBucket, err)
			}
		})
	}
}

// roleName is the last element of a role ARN.
func roleName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// md5Hex is the hex MD5 of s: S3's ETag of a single-part object.
func md5Hex(s string) string { return fmt.Sprintf("%x", md5.Sum([]byte(s))) }
