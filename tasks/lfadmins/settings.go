package lfadmins

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// Retry policy for transient failures: IAM propagation of a new role ("Invalid principal"),
// concurrent modification, throttling beyond the SDK's own retries.
const (
	retryFor     = 2 * time.Minute
	firstBackoff = 2 * time.Second
	maxBackoff   = 16 * time.Second
	// deadlineMargin is left of the Lambda's time so that cfn.LambdaWrap can still report the
	// failure to CloudFormation (which would otherwise wait for its own timeout).
	deadlineMargin = 15 * time.Second
)

// plan is what one read-modify-write changes in DataLakeAdmins.
type plan struct {
	add, remove []string
}

func (p plan) empty() bool { return len(p.add) == 0 && len(p.remove) == 0 }

// change reads the data lake settings, asks decide what to change given the current
// administrators, and puts the settings back with only DataLakeAdmins edited. It makes no Put
// when there is nothing to change. Each retry reads again, so a concurrent change made between
// two attempts is kept. It returns the plan of the attempt that succeeded.
func (h *Handler) change(ctx context.Context, doing string, decide func(current []string) plan) (plan, error) {
	stop := h.now().Add(retryFor)
	if d, ok := ctx.Deadline(); ok && d.Add(-deadlineMargin).Before(stop) {
		stop = d.Add(-deadlineMargin)
	}
	backoff := firstBackoff
	for {
		p, err := h.changeOnce(ctx, decide)
		if err == nil {
			return p, nil
		}
		err = awsapi.Classify(doing, err)
		var transient *workflow.TransientError
		if !errors.As(err, &transient) || h.now().Add(backoff).After(stop) {
			return plan{}, err
		}
		if serr := h.sleep(ctx, backoff); serr != nil {
			return plan{}, err
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (h *Handler) changeOnce(ctx context.Context, decide func(current []string) plan) (plan, error) {
	out, err := h.lf.GetDataLakeSettings(ctx, &lakeformation.GetDataLakeSettingsInput{})
	if err != nil {
		return plan{}, err
	}
	settings := out.DataLakeSettings
	if settings == nil {
		settings = &lftypes.DataLakeSettings{}
	}
	current := identifiers(settings.DataLakeAdmins)
	p := decide(current)
	if p.empty() {
		return p, nil
	}
	settings.DataLakeAdmins = edit(settings.DataLakeAdmins, p)
	if _, err := h.lf.PutDataLakeSettings(ctx, &lakeformation.PutDataLakeSettingsInput{DataLakeSettings: settings}); err != nil {
		return plan{}, err
	}
	return p, nil
}

// edit returns admins without p.remove and with p.add appended; the others keep their order.
func edit(admins []lftypes.DataLakePrincipal, p plan) []lftypes.DataLakePrincipal {
	out := make([]lftypes.DataLakePrincipal, 0, len(admins)+len(p.add))
	for _, a := range admins {
		if !contains(p.remove, aws.ToString(a.DataLakePrincipalIdentifier)) {
			out = append(out, a)
		}
	}
	for _, id := range p.add {
		out = append(out, lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(id)})
	}
	return out
}

func identifiers(admins []lftypes.DataLakePrincipal) []string {
	ids := make([]string, 0, len(admins))
	for _, a := range admins {
		ids = append(ids, aws.ToString(a.DataLakePrincipalIdentifier))
	}
	return ids
}
