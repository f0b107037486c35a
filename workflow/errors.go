package workflow

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Step Functions matches Retry and Catch on the Go type name of the outermost error a handler
// returns (aws-lambda-go reports the element name of a pointer). Every error below is returned
// unwrapped by the tasks, and its name is part of the state machine's contract.

// Problem is one thing wrong, where it is, and how to fix it.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Problem string `json:"problem"`
	Fix     string `json:"fix,omitempty"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Problem)
	if p.Fix != "" {
		b.WriteString(" Fix: ")
		b.WriteString(p.Fix)
	}
	return b.String()
}

func listProblems(head string, ps []Problem) string {
	if len(ps) == 1 {
		return head + ": " + ps[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d problems):", head, len(ps))
	for _, p := range ps {
		b.WriteString("\n- ")
		b.WriteString(p.String())
	}
	return b.String()
}

// InvalidInputError lists every problem found in the execution input.
type InvalidInputError struct{ Problems []Problem }

func (e *InvalidInputError) Error() string {
	return listProblems("invalid execution input", e.Problems)
}

// PreflightError lists every reason the account is not ready for onboarding, each with its fix.
// Preflight changes nothing, so fixing the problems and starting again is always safe.
type PreflightError struct{ Problems []Problem }

func (e *PreflightError) Error() string {
	return listProblems("the account is not ready for onboarding", e.Problems)
}

// TransientError is an AWS failure that may go away by itself: throttling, a 5xx, a concurrent
// modification, IAM propagation. The state machine retries it with backoff.
type TransientError struct {
	Op  string
	Err error
}

func (e *TransientError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// AccessDeniedError is a call the workflow's role may not make; Fix says what to grant.
type AccessDeniedError struct {
	Op  string
	Fix string
	Err error
}

func (e *AccessDeniedError) Error() string {
	return e.Op + ": " + e.Err.Error() + " Fix: " + e.Fix
}
func (e *AccessDeniedError) Unwrap() error { return e.Err }

// ServiceError is an AWS error that retrying will not fix (validation, not found, ...).
type ServiceError struct {
	Op  string
	Err error
}

func (e *ServiceError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *ServiceError) Unwrap() error { return e.Err }

// CrawlFailedError is a crawl that ended FAILED or CANCELLED.
type CrawlFailedError struct {
	Crawler string
	Status  string
	Message string
}

func (e *CrawlFailedError) Error() string {
	return fmt.Sprintf("crawler %s ended %s: %s Fix: read the crawler's CloudWatch log stream, correct the crawler or its role, and start again", e.Crawler, e.Status, e.Message)
}

// NoTablesError is an onboarding with nothing to onboard: no table of the database matches.
type NoTablesError struct {
	Database string
	Filters  []string
}

func (e *NoTablesError) Error() string {
	return fmt.Sprintf("no table in Glue database %s matches %q Fix: check that the crawler's S3 target holds data in folders (one table per folder) and that \"tables\" matches their names", e.Database, e.Filters)
}

// TablesNotManagedError lists tables that still grant IAMAllowedPrincipals, so Lake Formation
// does not manage them and DataZone cannot grant subscriptions to them.
type TablesNotManagedError struct {
	Database string
	Tables   []string
}

func (e *TablesNotManagedError) Error() string {
	return fmt.Sprintf("tables %s of database %s still grant IAMAllowedPrincipals, so Lake Formation does not manage them and DataZone cannot grant subscriptions Fix: start again with \"makeManaged\": true, or revoke ALL from IAM_ALLOWED_PRINCIPALS on them in Lake Formation", someOf(e.Tables), e.Database)
}

// DataSourceFailedError is a DataZone data source or data source run that failed.
type DataSourceFailedError struct {
	DataSourceID string
	RunID        string
	Status       string
	Message      string
}

func (e *DataSourceFailedError) Error() string {
	what := "data source " + e.DataSourceID
	if e.RunID != "" {
		what += " run " + e.RunID
	}
	return fmt.Sprintf("%s ended %s: %s", what, e.Status, e.Message)
}

// TableImportError lists the tables a data source run did not turn into assets, each with its fix.
type TableImportError struct {
	RunID    string
	Problems []Problem
}

func (e *TableImportError) Error() string {
	return listProblems("data source run "+e.RunID+" did not import every table", e.Problems)
}

// PublishFailedError lists assets whose listing did not become ACTIVE.
type PublishFailedError struct{ Problems []Problem }

func (e *PublishFailedError) Error() string {
	return listProblems("publishing failed", e.Problems)
}

// SubscriptionFailedError lists subscriptions that were rejected or whose grant failed.
type SubscriptionFailedError struct{ Problems []Problem }

func (e *SubscriptionFailedError) Error() string {
	return listProblems("subscription failed", e.Problems)
}

// VerificationFailedError lists Athena checks that failed.
type VerificationFailedError struct{ Problems []Problem }

func (e *VerificationFailedError) Error() string {
	return listProblems("verification failed", e.Problems)
}

// WaitTimeoutError is a wait loop that went its policy's Timeout without progress, or that would
// outlive the execution (ExecutionLimit).
type WaitTimeoutError struct {
	Stage string
	// Waited is how long nothing settled.
	Waited time.Duration
	Still  string // what was still not done
	// ExecutionLimit is true when the stage stopped because the execution's ExecutionTimeout is
	// near, while it still made progress.
	ExecutionLimit bool
}

func (e *WaitTimeoutError) Error() string {
	if e.ExecutionLimit {
		return fmt.Sprintf("gave up waiting for %s: the execution reaches its %s limit: %s Fix: start the same input again: every step is idempotent, and a new execution goes on from what this one finished", e.Stage, ExecutionTimeout, e.Still)
	}
	return fmt.Sprintf("gave up waiting for %s: nothing finished for %s: %s Fix: look at it in the console; start again once it has settled (every step is idempotent)", e.Stage, e.Waited.Round(time.Second), e.Still)
}

// Errors has one value of every named error: the state machine may name exactly these.
var Errors = []error{
	&InvalidInputError{}, &PreflightError{}, &TransientError{}, &AccessDeniedError{},
	&ServiceError{}, &CrawlFailedError{}, &NoTablesError{}, &TablesNotManagedError{},
	&DataSourceFailedError{}, &TableImportError{}, &PublishFailedError{},
	&SubscriptionFailedError{}, &VerificationFailedError{}, &WaitTimeoutError{},
}

// ErrorName is the name Step Functions gives err when a Lambda handler returns it: the type name
// of the outermost value (of its element, for a pointer), as aws-lambda-go reports it.
func ErrorName(err error) string {
	t := reflect.TypeOf(err)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// namedAtMost is how many names an error spells out: a Cause keeps 32 KiB, and a database may have
// thousands of tables.
const namedAtMost = 20

// someOf joins the first namedAtMost names, saying how many more there are.
func someOf(names []string) string {
	if len(names) <= namedAtMost {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:namedAtMost], ", "), len(names)-namedAtMost)
}
