package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// reportAPI is the S3 call of --report: reading the full report from the state bucket.
type reportAPI interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ reportAPI = (*s3.Client)(nil)

// newS3Client builds an S3 client from the default configuration chain, as newSFNClient does.
func newS3Client(ctx context.Context) (reportAPI, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws configuration: %w", err)
	}
	return s3.NewFromConfig(cfg), nil
}

// reportInCause finds the report's URI in a failed execution's cause: Report names it in the
// last problem of its error when it fails the execution.
var reportInCause = regexp.MustCompile(`s3://[a-z0-9.-]+/reports/[^\s"\\]+\.json`)

// reportURI is where an execution's full report is: the output's reportUri when it succeeded,
// else the URI its cause names; "" when the execution ended before Report.
func reportURI(output []byte, cause string) string {
	var out struct {
		ReportURI string `json:"reportUri"`
	}
	if json.Unmarshal(output, &out) == nil && out.ReportURI != "" {
		return out.ReportURI
	}
	return reportInCause.FindString(cause)
}

// saveReport copies the full report at uri (every table, the shape of the execution output) to
// the file path.
func saveReport(ctx context.Context, api reportAPI, uri, path string) error {
	if uri == "" {
		return fmt.Errorf("--report: the execution has no report: it ended before its Report state")
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	if !ok || !strings.HasPrefix(uri, "s3://") {
		return fmt.Errorf("--report: report URI %q is not s3://bucket/key", uri)
	}
	obj, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("--report: read %s: %w", uri, err)
	}
	defer obj.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if _, err := io.Copy(f, obj.Body); err != nil {
		f.Close()
		return fmt.Errorf("--report: read %s: %w", uri, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}
