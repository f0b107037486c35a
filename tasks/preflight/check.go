package preflight

import (
	"errors"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// check is one Preflight run: what it has found so far and every problem.
type check struct {
	d  Deps
	in workflow.Input

	problems  []workflow.Problem
	notMember map[string]bool // projects already reported as lacking the caller

	caller string // the caller's role ARN (an assumed-role ARN turned into the role's)
	// readsAll: the caller is a Lake Formation administrator or read-only administrator, so it
	// sees every table and grant of the catalog.
	readsAll bool
	account  string
	region   string

	manageAccessRole string
	producer         workflow.Target
	consumers        []workflow.Target

	crawlerRole string
	database    string
	s3Location  string
}

// add records a problem.
func (c *check) add(field, problem, fix string) {
	c.problems = append(c.problems, workflow.Problem{Field: field, Problem: problem, Fix: fix})
}

// failed records an AWS error of a read as a problem, or returns it when it may go away by
// itself (throttling, 5xx): then the state machine retries Preflight rather than reporting a
// problem that is not there.
func (c *check) failed(field, doing string, err error) error {
	named := awsapi.Classify(doing, err)
	var transient *workflow.TransientError
	if errors.As(named, &transient) {
		return named
	}
	var denied *workflow.AccessDeniedError
	if errors.As(named, &denied) {
		c.add(field, "the workflow's role "+c.who()+" may not "+doing+": "+awsapi.Message(err), denied.Fix)
		return nil
	}
	c.add(field, "cannot "+doing+": "+awsapi.Message(err), "correct the value, or the account, and start again.")
	return nil
}

// who names the caller for messages.
func (c *check) who() string {
	if c.caller == "" {
		return "(unknown)"
	}
	return c.caller
}
