package awsapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

func opErr(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    string // workflow error name
		fixPart string
	}{
		{name: "nil", err: nil, want: ""},
		{name: "lake formation throttles with ThrottledException", err: opErr("LakeFormation", "GrantPermissions", &lftypes.ThrottledException{Message: strPtr("slow down")}), want: "TransientError"},
		{name: "datazone throttling", err: opErr("DataZone", "AcceptSubscriptionRequest", &dztypes.ThrottlingException{Message: strPtr("rate")}), want: "TransientError"},
		{name: "concurrent modification", err: opErr("LakeFormation", "GrantPermissions", &lftypes.ConcurrentModificationException{}), want: "TransientError"},
		{name: "IAM propagation shows as invalid principal", err: opErr("LakeFormation", "GrantPermissions", &lftypes.InvalidInputException{Message: strPtr("Invalid principal arn:aws:iam::1:role/x")}), want: "TransientError"},
		{name: "other invalid input is terminal", err: opErr("LakeFormation", "GrantPermissions", &lftypes.InvalidInputException{Message: strPtr("bad arn")}), want: "ServiceError"},
		{name: "not a project member", err: opErr("DataZone", "GetEnvironment", &dztypes.AccessDeniedException{Message: strPtr("User is not permitted to perform operation: GetEnvironment")}), want: "AccessDeniedError", fixPart: "create-project-membership"},
		{name: "IAM denial names the action", err: opErr("Glue", "StartCrawler", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}), want: "AccessDeniedError", fixPart: "glue:StartCrawler"},
		{name: "datazone denial names the datazone action", err: opErr("DataZone", "CreateDataSource", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}), want: "AccessDeniedError", fixPart: "datazone:CreateDataSource"},
		{name: "unknown 5xx", err: opErr("Glue", "GetCrawler", &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}}, Err: errors.New("unavailable")}), want: "TransientError"},
		{name: "not found is terminal", err: opErr("DataZone", "GetEnvironment", &dztypes.ResourceNotFoundException{Message: strPtr("gone")}), want: "ServiceError"},
		{name: "s3 throttles with SlowDown", err: opErr("S3", "PutObject", &smithy.GenericAPIError{Code: "SlowDown", Message: "Reduce your request rate."}), want: "TransientError"},
		{name: "s3 expired credentials", err: opErr("S3", "GetObject", &smithy.GenericAPIError{Code: "ExpiredToken", Message: "The provided token has expired."}), want: "TransientError"},
		{name: "s3 denial names the s3 action", err: opErr("S3", "PutObject", &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}), want: "AccessDeniedError", fixPart: "s3:PutObject"},
		{name: "a body cut short", err: fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), want: "TransientError"},
		{name: "deadline", err: fmt.Errorf("call: %w", context.DeadlineExceeded), want: "TransientError"},
		{name: "named errors pass through", err: &workflow.CrawlFailedError{Crawler: "c"}, want: "CrawlFailedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := awsapi.Classify("do the thing", tt.err)
			if name := workflow.ErrorName(got); name != tt.want {
				t.Fatalf("Classify = %T (%v), want %s", got, got, tt.want)
			}
			if got == nil {
				return
			}
			if tt.err != nil && !errors.Is(got, tt.err) {
				t.Errorf("the cause is not kept: errors.Is failed")
			}
			if tt.fixPart != "" && !strings.Contains(got.Error(), tt.fixPart) {
				t.Errorf("error %q lacks the fix %q", got, tt.fixPart)
			}
		})
	}
}

func strPtr(s string) *string { return &s }

func TestNotYetVisible(t *testing.T) {
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	notFound := opErr("DataZone", "GetListing", &dztypes.ResourceNotFoundException{Message: strPtr("Listing x not found")})
	tests := []struct {
		name    string
		err     error
		created time.Time
		want    bool
	}{
		{"not found right after our create", notFound, now.Add(-10 * time.Second), true},
		{"not found long after our create", notFound, now.Add(-10 * time.Minute), false},
		{"not found of something we did not create", notFound, time.Time{}, false},
		{"another error right after our create", opErr("DataZone", "GetListing", &dztypes.AccessDeniedException{Message: strPtr("no")}), now, false},
		{"no error", nil, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := awsapi.NotYetVisible(tt.err, tt.created, now); got != tt.want {
				t.Errorf("NotYetVisible = %v, want %v", got, tt.want)
			}
		})
	}
}
