package sandbox

import "fmt"

// apiError is an AWS error response: HTTP status, error code (the SDK's exception type name) and
// message.
type apiError struct {
	status int
	code   string
	msg    string
	// fields are extra members of the error body (e.g. Athena's AthenaErrorCode).
	fields map[string]any
}

// Error implements error.
func (e *apiError) Error() string { return fmt.Sprintf("%s: %s", e.code, e.msg) }

// errorf returns an apiError with a formatted message.
func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// throttleError is each service's real throttling error.
func throttleError(service string) *apiError {
	switch service {
	case "lakeformation":
		return errorf(400, "ThrottledException", "Rate exceeded")
	case "datazone":
		return errorf(429, "ThrottlingException", "Rate exceeded")
	case "athena":
		e := errorf(400, "TooManyRequestsException", "Rate exceeded")
		e.fields = map[string]any{"Reason": "CONCURRENT_QUERY_LIMIT_EXCEEDED"}
		return e
	case "sts":
		return errorf(400, "Throttling", "Rate exceeded")
	case "s3":
		// S3 API reference, error codes: "SlowDown: Reduce your request rate. 503 Slow Down".
		return errorf(503, "SlowDown", "Reduce your request rate.")
	default:
		return errorf(400, "ThrottlingException", "Rate exceeded")
	}
}

// serverError is each service's 5xx error.
func serverError(service string) *apiError {
	switch service {
	case "glue", "lakeformation":
		return errorf(500, "InternalServiceException", "An internal service error occurred (injected fault)")
	case "sts":
		return errorf(500, "InternalFailure", "An internal error occurred (injected fault)")
	case "s3":
		return errorf(500, "InternalError", "We encountered an internal error. Please try again. (injected fault)")
	default:
		return errorf(500, "InternalServerException", "An internal server error occurred (injected fault)")
	}
}

// expiredTokenError is returned when a caller uses minted credentials after they expired.
func expiredTokenError(service string) *apiError {
	if service == "s3" {
		// S3 API reference, error codes: "ExpiredToken: The provided token has expired. 400".
		return errorf(400, "ExpiredToken", "The provided token has expired.")
	}
	// every other service, STS included, reports ExpiredTokenException
	return errorf(403, "ExpiredTokenException", "The security token included in the request is expired")
}
