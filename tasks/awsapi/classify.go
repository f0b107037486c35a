package awsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/dzonboard/dzonboard/workflow"
)

// class is what an AWS error means for the workflow.
type class int

const (
	terminal  class = iota // retrying will not help: *workflow.ServiceError
	transient              // may go away by itself: *workflow.TransientError (the ASL retries it)
	denied                 // the role may not do it: *workflow.AccessDeniedError
)

// codes is the one table of AWS error codes the workflow treats specially; any other code is
// terminal, as is any 4xx. Lake Formation throttles with ThrottledException, Athena with
// TooManyRequestsException, S3 with SlowDown (503); S3's expired credentials are ExpiredToken
// and its timed-out upload RequestTimeout (400), which the SDK's standard retryer retries too.
var codes = map[string]class{
	"ThrottlingException":                  transient,
	"ThrottledException":                   transient,
	"Throttling":                           transient,
	"TooManyRequestsException":             transient,
	"RequestLimitExceeded":                 transient,
	"ConcurrentModificationException":      transient,
	"OperationTimeoutException":            transient,
	"ResourceNotReadyException":            transient,
	"CrawlerStoppingException":             transient,
	"InternalServerException":              transient,
	"InternalServiceException":             transient,
	"InternalFailure":                      transient,
	"ServiceUnavailableException":          transient,
	"ServiceUnavailable":                   transient,
	"TransactionCommitInProgressException": transient,
	"AccessDeniedException":                denied,
	"AccessDenied":                         denied,
	"UnauthorizedException":                denied,
	"UnrecognizedClientException":          denied,
	"ExpiredTokenException":                transient,
	"SlowDown":                             transient,
	"ExpiredToken":                         transient,
	"RequestTimeout":                       transient,
}

// Classify turns an AWS SDK error into the workflow's named error, adding what was being done:
// Classify("register arn:aws:s3:::b/p with lake formation", err). It returns nil for nil, and a
// named error unchanged. Callers first handle the codes that mean something for their step
// (AlreadyExists, EntityNotFound, CrawlerRunning, ...) and classify the rest.
func Classify(doing string, err error) error {
	if err == nil {
		return nil
	}
	if isNamed(err) {
		return err
	}
	switch classOf(err) {
	case transient:
		return &workflow.TransientError{Op: doing, Err: err}
	case denied:
		return &workflow.AccessDeniedError{Op: doing, Fix: accessFix(err), Err: err}
	}
	return &workflow.ServiceError{Op: doing, Err: err}
}

func classOf(err error) class {
	// A response cut short (a dropped connection while a body is read) ends in io.ErrUnexpectedEOF,
	// which is no net.Error.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return transient
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		if c, ok := codes[code]; ok {
			return c
		}
		// Lake Formation rejects a principal IAM has not propagated yet as invalid input.
		if code == "InvalidInputException" && strings.Contains(ae.ErrorMessage(), "Invalid principal") {
			return transient
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return transient
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return transient
	}
	return terminal
}

func isNamed(err error) bool {
	name := workflow.ErrorName(err)
	for _, e := range workflow.Errors {
		if workflow.ErrorName(e) == name {
			return true
		}
	}
	return false
}

// accessFix says what to grant for a denied call.
func accessFix(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "User is not permitted to perform operation") {
		return "DataZone checks project membership as well as IAM: add the workflow's role to the project as a contributor (the stack's ProjectMembership, or aws datazone create-project-membership --designation PROJECT_CONTRIBUTOR --member userIdentifier=<role ARN>)."
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return fmt.Sprintf("allow %s:%s to the role that runs this task (the stack's policies derive from tasks/awsapi).", iamPrefix(oe.ServiceID), oe.OperationName)
	}
	return "allow the call to the role that runs this task."
}

func iamPrefix(serviceID string) string {
	switch serviceID {
	case "DataZone":
		return "datazone"
	case "LakeFormation":
		return "lakeformation"
	}
	return strings.ToLower(serviceID)
}

// Code is the AWS error code of err ("EntityNotFoundException"), or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Message is the AWS error message of err, or err.Error().
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}
