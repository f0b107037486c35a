package lfadmins

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// Retry policy. Transient failures (IAM propagation of a role this resource adds, concurrent
// modification, throttling beyond the SDK's own retries) are retried for retryFor; AccessDenied,
// which a function whose role policy is seconds old can get before IAM has propagated that policy,
// only for accessRetryFor. Both end at the Lambda deadline less deadlineMargin.
const (
	retryFor       = 2 * time.Minute
	accessRetryFor = time.Minute
	firstBackoff   = 2 * time.Second
	maxBackoff     = 16 * time.Second
	// deadlineMargin is left of the Lambda's time so that cfn.LambdaWrap can still report the
	// failure to CloudFormation (which would otherwise wait for its own timeout).
	deadlineMargin = 15 * time.Second
)

// accessFix is the fix of an AccessDenied that outlived accessRetryFor. The AWS managed policy
// AWSLakeFormationDataAdmin explicitly denies lakeformation:PutDataLakeSettings (Lake Formation
// developer guide, "AWS managed policies for Lake Formation"), so a role carrying it cannot do
// this even with the stack's own statement.
const accessFix = "the custom resource's role (DataLakeAdminsRole) needs lakeformation:GetDataLakeSettings and lakeformation:PutDataLakeSettings (the stack grants both); " +
	"check that no permissions boundary, SCP or the AWSLakeFormationDataAdmin managed policy (which denies PutDataLakeSettings) takes them away, then deploy again"

// plan is what one read-modify-write changes in the administrator lists.
type plan struct {
	add, remove principals
}

func (p plan) empty() bool { return p.add.empty() && p.remove.empty() }

// stale is an entry of the data lake settings that Lake Formation rejected as an invalid
// principal (a role deleted from IAM) and that this resource therefore dropped from the settings
// it wrote.
type stale struct {
	Principal string
	Fields    []string // where it was: DataLakeAdmins, ReadOnlyAdmins, ...
}

// change reads the data lake settings, asks decide what to change given the current
// administrators, and puts the settings back with only the administrator lists edited, less the
// entries Lake Formation rejects as invalid principals that were there before (skipped, and
// returned). It makes no Put when there is nothing to change. Each retry reads again, so a
// concurrent change made between two attempts is kept. It returns the plan of the attempt that
// succeeded.
func (h *Handler) change(ctx context.Context, doing string, decide func(current principals) plan) (plan, []stale, error) {
	start := h.now()
	stop := start.Add(retryFor)
	if d, ok := ctx.Deadline(); ok && d.Add(-deadlineMargin).Before(stop) {
		stop = d.Add(-deadlineMargin)
	}
	accessStop := start.Add(accessRetryFor)
	if stop.Before(accessStop) {
		accessStop = stop
	}
	var skipped []stale
	backoff := firstBackoff
	for {
		p, err := h.changeOnce(ctx, decide, &skipped)
		if err == nil {
			return p, skipped, nil
		}
		err = awsapi.Classify(doing, err) // it takes "Invalid principal" for IAM propagation
		var transient *workflow.TransientError
		var denied *workflow.AccessDeniedError
		retry, until := false, stop
		switch {
		case errors.As(err, &transient):
			retry = true
		case errors.As(err, &denied):
			retry, until = true, accessStop
		}
		if !retry || h.now().Add(backoff).After(until) {
			return plan{}, skipped, final(err, h.now().Sub(start))
		}
		if serr := h.sleep(ctx, backoff); serr != nil {
			return plan{}, skipped, final(err, h.now().Sub(start))
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// changeOnce is one read-modify-write. An entry Lake Formation rejects as an invalid principal
// that this resource does not add is dropped from the settings and the Put is made again at once
// (each round drops at least one entry, so the rounds are bounded); skipped collects them across
// attempts, so a later attempt drops them before its first Put.
func (h *Handler) changeOnce(ctx context.Context, decide func(current principals) plan, skipped *[]stale) (plan, error) {
	out, err := h.lf.GetDataLakeSettings(ctx, &lakeformation.GetDataLakeSettingsInput{})
	if err != nil {
		return plan{}, err
	}
	settings := out.DataLakeSettings
	if settings == nil {
		settings = &lftypes.DataLakeSettings{}
	}
	for _, s := range *skipped {
		drop(settings, s.Principal)
	}
	p := decide(current(settings))
	if p.empty() {
		return p, nil
	}
	settings.DataLakeAdmins = edit(settings.DataLakeAdmins, p.add.Admins, p.remove.Admins)
	settings.ReadOnlyAdmins = edit(settings.ReadOnlyAdmins, p.add.ReadOnly, p.remove.ReadOnly)
	for {
		_, err := h.lf.PutDataLakeSettings(ctx, &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: settings})
		if err == nil {
			return p, nil
		}
		principal, ok := rejectedPrincipal(err, settings)
		if !ok {
			return plan{}, err
		}
		if contains(p.add.all(), principal) {
			// A role this resource adds: most likely IAM has not propagated it yet.
			return plan{}, &ownPrincipalError{principal: principal, err: err}
		}
		s := stale{Principal: principal, Fields: drop(settings, principal)}
		slog.WarnContext(ctx, "data lake settings name a principal IAM does not know (a deleted role?): it is left out of the settings written",
			"principal", s.Principal, "fields", s.Fields, "error", awsapi.Message(err))
		*skipped = append(*skipped, s)
	}
}

// ownPrincipalError is Lake Formation rejecting a principal this resource adds.
type ownPrincipalError struct {
	principal string
	err       error
}

func (e *ownPrincipalError) Error() string { return e.err.Error() }
func (e *ownPrincipalError) Unwrap() error { return e.err }

// InvalidPrincipalError is the final answer when Lake Formation kept rejecting a principal as
// invalid for the whole retry window: a principal this resource adds (Principal set), or one the
// error message does not let the handler find in the settings (Principal empty).
type InvalidPrincipalError struct {
	Op        string
	Principal string
	Waited    time.Duration
	Err       error
}

func (e *InvalidPrincipalError) Error() string {
	if e.Principal != "" {
		return fmt.Sprintf("%s: Lake Formation still rejects %s, a principal this stack adds, as an invalid principal after %s: %v. "+
			"Fix: check that the role exists (aws iam get-role --role-name %s); a role created seconds ago can take longer to reach Lake Formation, so deploy again",
			e.Op, e.Principal, e.Waited.Round(time.Second), awsapi.Message(e.Err), roleName(e.Principal))
	}
	return fmt.Sprintf("%s: Lake Formation rejects the data lake settings as naming an invalid principal after %s: %v. "+
		"Fix: look for a deleted role in the settings (aws lakeformation get-data-lake-settings), remove it with put-data-lake-settings, then deploy again",
		e.Op, e.Waited.Round(time.Second), awsapi.Message(e.Err))
}

func (e *InvalidPrincipalError) Unwrap() error { return e.Err }

// final turns the last error of the retry loop into the answer CloudFormation shows.
func final(err error, waited time.Duration) error {
	var own *ownPrincipalError
	var denied *workflow.AccessDeniedError
	var transient *workflow.TransientError
	switch {
	case errors.As(err, &own) && errors.As(err, &transient):
		return &InvalidPrincipalError{Op: transient.Op, Principal: own.principal, Waited: waited, Err: own.err}
	case errors.As(err, &transient) && strings.Contains(awsapi.Message(err), "Invalid principal"):
		return &InvalidPrincipalError{Op: transient.Op, Waited: waited, Err: transient.Err}
	case errors.As(err, &denied):
		return &workflow.AccessDeniedError{Op: denied.Op, Fix: accessFix + fmt.Sprintf(" (denied for %s)", waited.Round(time.Second)), Err: denied.Err}
	}
	return err
}

func roleName(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// arnInMessage finds the ARNs an error message names. Lake Formation answers a principal IAM does
// not know with InvalidInputException "Invalid principal, arn: <arn>" (quoted in
// aws/aws-cdk#19492 for PutDataLakeSettings with a deleted administrator).
var arnInMessage = regexp.MustCompile(`arn:[A-Za-z0-9-]+:iam::[0-9]{12}:[^\s,;"'()]+`)

// rejectedPrincipal returns the entry of settings that an "Invalid principal" error names. IAM
// role names are unique ignoring case, so the comparison ignores case.
func rejectedPrincipal(err error, settings *lftypes.DataLakeSettings) (string, bool) {
	if awsapi.Code(err) != "InvalidInputException" || !strings.Contains(awsapi.Message(err), "Invalid principal") {
		return "", false
	}
	named := arnInMessage.FindAllString(awsapi.Message(err), -1)
	for _, p := range entries(settings) {
		for _, n := range named {
			if strings.EqualFold(strings.TrimRight(n, "."), p) {
				return p, true
			}
		}
	}
	return "", false
}

// entries returns every principal the settings name, in the fields Lake Formation validates.
func entries(s *lftypes.DataLakeSettings) []string {
	var out []string
	visit(s, func(_ string, id string) bool {
		if !contains(out, id) {
			out = append(out, id)
		}
		return true
	})
	return out
}

// drop removes every entry naming principal from the settings and returns the fields it was in.
func drop(s *lftypes.DataLakeSettings, principal string) []string {
	var fields []string
	visit(s, func(field, id string) bool {
		if !strings.EqualFold(id, principal) {
			return true
		}
		if !contains(fields, field) {
			fields = append(fields, field)
		}
		return false
	})
	return fields
}

// visit calls f with every principal of the settings' principal lists and keeps the entries for
// which f returns true.
func visit(s *lftypes.DataLakeSettings, f func(field, id string) bool) {
	keep := func(field string, list []lftypes.DataLakePrincipal) []lftypes.DataLakePrincipal {
		if list == nil {
			return nil
		}
		out := list[:0:0]
		for _, p := range list {
			if f(field, aws.ToString(p.DataLakePrincipalIdentifier)) {
				out = append(out, p)
			}
		}
		return out
	}
	keepPerms := func(field string, list []lftypes.PrincipalPermissions) []lftypes.PrincipalPermissions {
		if list == nil {
			return nil
		}
		out := list[:0:0]
		for _, p := range list {
			if p.Principal == nil || f(field, aws.ToString(p.Principal.DataLakePrincipalIdentifier)) {
				out = append(out, p)
			}
		}
		return out
	}
	s.DataLakeAdmins = keep("DataLakeAdmins", s.DataLakeAdmins)
	s.ReadOnlyAdmins = keep("ReadOnlyAdmins", s.ReadOnlyAdmins)
	s.CreateDatabaseDefaultPermissions = keepPerms("CreateDatabaseDefaultPermissions", s.CreateDatabaseDefaultPermissions)
	s.CreateTableDefaultPermissions = keepPerms("CreateTableDefaultPermissions", s.CreateTableDefaultPermissions)
}

// current is what the administrator lists hold.
func current(s *lftypes.DataLakeSettings) principals {
	return principals{Admins: identifiers(s.DataLakeAdmins), ReadOnly: identifiers(s.ReadOnlyAdmins)}
}

// edit returns list without remove and with add appended; the others keep their order.
func edit(list []lftypes.DataLakePrincipal, add, remove []string) []lftypes.DataLakePrincipal {
	if len(add) == 0 && len(remove) == 0 {
		return list
	}
	out := make([]lftypes.DataLakePrincipal, 0, len(list)+len(add))
	for _, a := range list {
		if !contains(remove, aws.ToString(a.DataLakePrincipalIdentifier)) {
			out = append(out, a)
		}
	}
	for _, id := range add {
		out = append(out, lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(id)})
	}
	return out
}

func identifiers(list []lftypes.DataLakePrincipal) []string {
	ids := make([]string, 0, len(list))
	for _, a := range list {
		ids = append(ids, aws.ToString(a.DataLakePrincipalIdentifier))
	}
	return ids
}
