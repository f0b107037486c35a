package lfadmins

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
)

// ResourceType is the CloudFormation type of the custom resource.
const ResourceType = "Custom::DataLakeAdmins"

// AdminsProperty is the resource property that lists the principals (IAM role ARNs) to make data
// lake administrators.
const AdminsProperty = "Admins"

// Handler handles the custom resource's Create, Update and Delete requests.
type Handler struct {
	lf awsapi.DataLakeAdminsAPI

	// now and sleep are the clock of the retry loop (tests replace them).
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a Handler that reads and writes the data lake settings through lf.
func New(lf awsapi.DataLakeAdminsAPI) *Handler {
	return &Handler{lf: lf, now: time.Now, sleep: pace.Sleep}
}

// Handle is a cfn.CustomResourceFunction: start it with lambda.Start(cfn.LambdaWrap(h.Handle)).
// Create and Update add the Admins principals that are not administrators yet, Update also
// removes the ones it added that are no longer listed, and Delete removes the ones it added. The
// physical ID records what was added. data is always nil.
func (h *Handler) Handle(ctx context.Context, ev cfn.Event) (physicalID string, data map[string]interface{}, err error) {
	switch ev.RequestType {
	case cfn.RequestCreate:
		physicalID, err = h.create(ctx, ev)
	case cfn.RequestUpdate:
		physicalID, err = h.update(ctx, ev)
	case cfn.RequestDelete:
		physicalID, err = h.delete(ctx, ev)
	default:
		return ev.PhysicalResourceID, nil, fmt.Errorf("data lake admins: unknown request type %q", ev.RequestType)
	}
	return physicalID, nil, err
}

func (h *Handler) create(ctx context.Context, ev cfn.Event) (string, error) {
	want, err := principals(ev.ResourceProperties)
	if err != nil {
		return "", err
	}
	if err := checkIDLength(want); err != nil {
		return "", err
	}
	p, err := h.change(ctx, "add "+list(want)+" to the data lake administrators", func(current []string) plan {
		return plan{add: missing(want, current)}
	})
	if err != nil {
		return "", err
	}
	slog.InfoContext(ctx, "data lake admins created", "added", p.add, "alreadyAdmins", minus(want, p.add))
	return formatID(p.add), nil
}

func (h *Handler) update(ctx context.Context, ev cfn.Event) (string, error) {
	want, err := principals(ev.ResourceProperties)
	if err != nil {
		return ev.PhysicalResourceID, err
	}
	if err := checkIDLength(want); err != nil {
		return ev.PhysicalResourceID, err
	}
	record, ours := parseID(ev.PhysicalResourceID)
	drop := minus(record, want) // added by us, no longer wanted
	p, err := h.change(ctx, "update the data lake administrators to include "+list(want), func(current []string) plan {
		return plan{add: missing(want, current), remove: intersect(drop, current)}
	})
	if err != nil {
		return ev.PhysicalResourceID, err
	}
	kept := intersect(record, want)
	next := append(kept, missing(p.add, kept)...)
	id := ev.PhysicalResourceID
	switch {
	case ours && sameSet(next, record):
		// Nothing new to remember: keep the ID, so CloudFormation sends no Delete.
	case len(kept) == 0:
		// A new ID makes CloudFormation delete the old one after the update; that Delete
		// removes only principals of the old record, none of which is still wanted.
		id = formatID(next)
	default:
		// A new ID would make CloudFormation's clean-up Delete remove the principals we keep,
		// so the old ID stays and the principals added now will outlive the resource.
		slog.WarnContext(ctx, "data lake admins added by an update are not recorded and will not be removed on delete",
			"principals", p.add)
	}
	slog.InfoContext(ctx, "data lake admins updated", "added", p.add, "removed", p.remove, "physicalId", id)
	return id, nil
}

func (h *Handler) delete(ctx context.Context, ev cfn.Event) (string, error) {
	record, ours := parseID(ev.PhysicalResourceID)
	if !ours || len(record) == 0 {
		// Nothing was added, or the Create failed before it added anything.
		return ev.PhysicalResourceID, nil
	}
	p, err := h.change(ctx, "remove "+list(record)+" from the data lake administrators", func(current []string) plan {
		return plan{remove: intersect(record, current)}
	})
	if err != nil {
		return ev.PhysicalResourceID, err
	}
	slog.InfoContext(ctx, "data lake admins deleted", "removed", p.remove)
	return ev.PhysicalResourceID, nil
}
