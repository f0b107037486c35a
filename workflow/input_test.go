package workflow_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/workflow"
)

const validInput = `{"domainId":"dzd_5xk2q8m1v3c9tb","projectId":"b3n7k2q9x1m4zd","environmentId":"c8m2v7k4q1x9tn","crawlerName":"acme-sales-orders"}`

func TestParseInputReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		fields []string // the fields of the problems, in order
		fixes  []string // a fragment of some problem's text or fix
	}{
		{name: "valid", input: validInput},
		{
			name: "five mistakes at once",
			input: `{"domainId":"sales-domain","projectId":"b3n7k2q9x1m4zd","environmentId":"c8m2v7k4q1x9tn",
				"s3Location":"s3://acme-sales-data/sales","tables":[""],"verify":{"minRows":-1},"crawlername":"x"}`,
			fields: []string{"crawlername", "domainId", "crawlerName", "s3Location", "tables[0]", "verify.minRows"},
			fixes:  []string{`did you mean "crawlerName"?`, "starts with dzd_", "must end with /", "cannot be negative"},
		},
		{
			name:   "wrong types are reported per field",
			input:  `{"domainId":"dzd_5xk2q8m1v3c9tb","projectId":7,"environmentId":"c8m2v7k4q1x9tn","crawlerName":"c","skipCrawl":"yes","tables":"orders"}`,
			fields: []string{"projectId", "skipCrawl", "tables"},
			fixes:  []string{"must be a string", "must be true or false", "must be an array of strings"},
		},
		{
			name:   "nested unknown fields and consumer mistakes",
			input:  `{"domainId":"dzd_5xk2q8m1v3c9tb","projectId":"p","environmentId":"e1","crawlerName":"c","consumers":[{"projectId":"q","environmentId":"e1"},{"projectId":"r","envId":"x"}]}`,
			fields: []string{"consumers[1].envId", "consumers[0].environmentId", "consumers[1].environmentId"},
			fixes:  []string{"always subscribed", "is required"},
		},
		{
			name:   "queries must be single read-only statements",
			input:  `{"domainId":"dzd_5xk2q8m1v3c9tb","projectId":"p","environmentId":"e","crawlerName":"c","verify":{"sampleRows":0,"queries":["DROP TABLE x","SELECT 1; SELECT 2","SELECT 1;"]}}`,
			fields: []string{"verify.sampleRows", "verify.queries[0]", "verify.queries[1]"},
			fixes:  []string{"1-100", "read-only", "more than one statement"},
		},
		{name: "not an object", input: `[1]`, fields: []string{"input"}, fixes: []string{"JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := workflow.ParseInput([]byte(tt.input))
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("ParseInput: %v", err)
				}
				return
			}
			var ie *workflow.InvalidInputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InvalidInputError", err)
			}
			var got []string
			for _, p := range ie.Problems {
				got = append(got, p.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
			for _, f := range tt.fixes {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error text lacks %q:\n%s", f, err)
				}
			}
		})
	}
}

func TestExamplesAreValidInputs(t *testing.T) {
	files, err := filepath.Glob("../examples/*.json")
	if err != nil {
		t.Fatal(err)
	}
	var inputs int
	for _, f := range files {
		if strings.HasSuffix(f, "world.json") {
			continue
		}
		inputs++
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := workflow.ParseInput(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if inputs < 2 {
		t.Fatalf("found %d example inputs, want sandbox.json and real-account.json", inputs)
	}
}

func TestParseS3Location(t *testing.T) {
	tests := []struct {
		in, bucket, prefix, arn, err string
	}{
		{in: "s3://acme-sales-data/sales/", bucket: "acme-sales-data", prefix: "sales/", arn: "arn:aws:s3:::acme-sales-data/sales"},
		{in: "s3://acme-sales-data/", bucket: "acme-sales-data", prefix: "", arn: "arn:aws:s3:::acme-sales-data"},
		{in: "s3://Bad_Bucket/x/", err: "not a valid S3 bucket"},
		{in: "https://acme/x/", err: "not an s3://"},
		{in: "s3://acme-sales-data/sales/*/", err: "wildcard"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b, p, err := workflow.ParseS3Location(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || b != tt.bucket || p != tt.prefix {
				t.Fatalf("= %q, %q, %v", b, p, err)
			}
			if got := workflow.LocationARN("aws", tt.in); got != tt.arn {
				t.Errorf("LocationARN = %q, want %q", got, tt.arn)
			}
		})
	}
}

func TestLocationARNPartition(t *testing.T) {
	for partition, want := range map[string]string{
		"aws":        "arn:aws:s3:::b/p",
		"aws-cn":     "arn:aws-cn:s3:::b/p",
		"aws-us-gov": "arn:aws-us-gov:s3:::b/p",
	} {
		if got := workflow.LocationARN(partition, "s3://b/p/"); got != want {
			t.Errorf("LocationARN(%s) = %q, want %q", partition, got, want)
		}
	}
}
