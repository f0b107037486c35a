package lfadmins

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
)

// ResourceType is the CloudFormation type of the custom resource.
const ResourceType = "Custom::DataLakeAdmins"

// AdminsProperty is the resource property that lists the principals (IAM role ARNs) to make data
// lake administrators (DataLakeSettings.DataLakeAdmins).
const AdminsProperty = "Admins"

// ReadOnlyAdminsProperty is the resource property that lists the principals to make read-only
// administrators (DataLakeSettings.ReadOnlyAdmins): they may read all catalog metadata and every
// Lake Formation grant, and grant nothing.
const ReadOnlyAdminsProperty = "ReadOnlyAdmins"

// SkippedPrincipalsKey is the key of the response Data that lists, comma-separated, the entries of
// the data lake settings that Lake Formation rejected as invalid principals (deleted roles) and
// that the handler therefore left out of the settings it wrote. It is absent when none was.
const SkippedPrincipalsKey = "SkippedPrincipals"

// maxDataLength bounds the skipped list in the response: CloudFormation takes at most 4,096 bytes
// of response, physical ID included.
const maxDataLength = 2048

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
// Create and Update add the Admins and ReadOnlyAdmins principals that are not in those lists yet,
// Update also removes the ones it added that are no longer listed, and Delete removes the ones it
// added. The physical ID records what was added. data holds SkippedPrincipalsKey when entries of
// someone else were left out as invalid principals, and is nil otherwise.
func (h *Handler) Handle(ctx context.Context, ev cfn.Event) (physicalID string, data map[string]interface{}, err error) {
	var skipped []stale
	switch ev.RequestType {
	case cfn.RequestCreate:
		physicalID, skipped, err = h.create(ctx, ev)
	case cfn.RequestUpdate:
		physicalID, skipped, err = h.update(ctx, ev)
	case cfn.RequestDelete:
		physicalID, skipped, err = h.delete(ctx, ev)
	default:
		return ev.PhysicalResourceID, nil, fmt.Errorf("data lake admins: unknown request type %q", ev.RequestType)
	}
	return physicalID, responseData(skipped), err
}

func (h *Handler) create(ctx context.Context, ev cfn.Event) (string, []stale, error) {
	want, err := readProperties(ev.ResourceProperties)
	if err != nil {
		return "", nil, err
	}
	if err := checkIDLength(want); err != nil {
		return "", nil, err
	}
	p, skipped, err := h.change(ctx, "add "+want.String()+" to the data lake settings", func(cur principals) plan {
		return plan{add: want.zip(cur, missing)}
	})
	if err != nil {
		return "", skipped, err
	}
	slog.InfoContext(ctx, "data lake admins created", "added", p.add.String(), "alreadyThere", want.zip(p.add, minus).String())
	return formatID(p.add), skipped, nil
}

func (h *Handler) update(ctx context.Context, ev cfn.Event) (string, []stale, error) {
	want, err := readProperties(ev.ResourceProperties)
	if err != nil {
		return ev.PhysicalResourceID, nil, err
	}
	if err := checkIDLength(want); err != nil {
		return ev.PhysicalResourceID, nil, err
	}
	record, ours := parseID(ev.PhysicalResourceID)
	unwanted := record.zip(want, minus) // added by us, no longer wanted
	p, skipped, err := h.change(ctx, "update the data lake settings to include "+want.String(), func(cur principals) plan {
		return plan{add: want.zip(cur, missing), remove: unwanted.zip(cur, intersect)}
	})
	if err != nil {
		return ev.PhysicalResourceID, skipped, err
	}
	kept := record.zip(want, intersect)
	next := kept.zip(p.add, union)
	id := ev.PhysicalResourceID
	switch {
	case ours && next.sameAs(record):
		// Nothing new to remember: keep the ID, so CloudFormation sends no Delete.
	case kept.empty():
		// A new ID makes CloudFormation delete the old one after the update; that Delete
		// removes only principals of the old record, none of which is still wanted.
		id = formatID(next)
	default:
		// A new ID would make CloudFormation's clean-up Delete remove the principals we keep,
		// so the old ID stays and the principals added now will outlive the resource.
		slog.WarnContext(ctx, "data lake admins added by an update are not recorded and will not be removed on delete",
			"principals", p.add.String())
	}
	slog.InfoContext(ctx, "data lake admins updated", "added", p.add.String(), "removed", p.remove.String(), "physicalId", id)
	return id, skipped, nil
}

func (h *Handler) delete(ctx context.Context, ev cfn.Event) (string, []stale, error) {
	record, ours := parseID(ev.PhysicalResourceID)
	if !ours || record.empty() {
		// Nothing was added, or the Create failed before it added anything.
		return ev.PhysicalResourceID, nil, nil
	}
	p, skipped, err := h.change(ctx, "remove "+record.String()+" from the data lake settings", func(cur principals) plan {
		return plan{remove: record.zip(cur, intersect)}
	})
	if err != nil {
		return ev.PhysicalResourceID, skipped, err
	}
	slog.InfoContext(ctx, "data lake admins deleted", "removed", p.remove.String())
	return ev.PhysicalResourceID, skipped, nil
}

// responseData reports the skipped entries, within CloudFormation's response size.
func responseData(skipped []stale) map[string]interface{} {
	if len(skipped) == 0 {
		return nil
	}
	var b strings.Builder
	for i, s := range skipped {
		next := s.Principal
		if i > 0 {
			next = "," + next
		}
		if b.Len()+len(next) > maxDataLength {
			fmt.Fprintf(&b, " and %d more (see the function's log)", len(skipped)-i)
			break
		}
		b.WriteString(next)
	}
	return map[string]interface{}{SkippedPrincipalsKey: b.String()}
}
