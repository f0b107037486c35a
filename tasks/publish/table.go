package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

const statusActive = string(dztypes.ListingStatusActive)

// table brings one table's listing up to its asset's current revision and records it in tb
// (tb.ListingStatus is then the status to report). It returns the table's problem when its
// listing failed or it has no asset.
func (t *Task) table(ctx context.Context, p workflow.Plan, tb *workflow.Table) (*workflow.Problem, error) {
	if tb.ListingStatus == statusActive && tb.ListingID != "" {
		return nil, nil // found ACTIVE by an earlier look
	}
	if tb.AssetID == "" {
		tb.ListingStatus = noAsset
		return &workflow.Problem{
			Field:   p.GlueDatabase + "." + tb.Name,
			Problem: "the table has no DataZone asset to publish.",
			Fix:     "the data source run records each table's asset: start again so that it runs.",
		}, nil
	}
	rev, listed, err := t.current(ctx, p, tb)
	if err != nil {
		return nil, err
	}
	if !listed {
		if err := t.publish(ctx, p, tb, rev); err != nil {
			return nil, err
		}
	}
	return t.judge(ctx, p, tb), nil
}

// current reads the asset's revision and its listing, and reports whether the listing already
// shows that revision (then tb holds the listing's ID, revision and status).
func (t *Task) current(ctx context.Context, p workflow.Plan, tb *workflow.Table) (rev string, listed bool, err error) {
	a, err := t.dz.GetAsset(ctx, &datazone.GetAssetInput{
		DomainIdentifier: aws.String(p.DomainID), Identifier: aws.String(tb.AssetID),
	})
	if err != nil {
		return "", false, awsapi.Classify(fmt.Sprintf("get asset %s of table %s", tb.AssetID, tb.Name), err)
	}
	rev = aws.ToString(a.Revision)
	tb.AssetRevision = rev
	if a.Listing == nil || aws.ToString(a.Listing.ListingId) == "" {
		return rev, false, nil
	}
	id := aws.ToString(a.Listing.ListingId)
	l, err := t.dz.GetListing(ctx, &datazone.GetListingInput{
		DomainIdentifier: aws.String(p.DomainID), Identifier: aws.String(id),
	})
	if awsapi.NotYetVisible(err, tb.PublishedAt, t.clock.Now()) {
		tb.ListingID, tb.ListingStatus = id, notVisible
		return rev, true, nil
	}
	if err != nil {
		return rev, false, awsapi.Classify(fmt.Sprintf("get listing %s of table %s", id, tb.Name), err)
	}
	if older(listedRevision(l.Item), rev) {
		return rev, false, nil
	}
	tb.ListingID, tb.ListingRevision, tb.ListingStatus = aws.ToString(l.Id), aws.ToString(l.ListingRevision), string(l.Status)
	if tb.ListingID == "" {
		tb.ListingID = id
	}
	return rev, true, nil
}

// publish lists revision rev of the table's asset. A Conflict or Validation error may mean the
// revision is already listed (the semantics are unconfirmed): the asset is read again, and the
// error stands only when no listing shows rev.
func (t *Task) publish(ctx context.Context, p workflow.Plan, tb *workflow.Table, rev string) error {
	out, err := t.dz.CreateListingChangeSet(ctx, &datazone.CreateListingChangeSetInput{
		DomainIdentifier: aws.String(p.DomainID),
		EntityIdentifier: aws.String(tb.AssetID),
		EntityType:       dztypes.EntityTypeAsset,
		EntityRevision:   aws.String(rev),
		Action:           dztypes.ChangeActionPublish,
		ClientToken:      aws.String(workflow.ClientToken(p.Execution, workflow.TaskPublish, tb.AssetID, rev)),
	})
	if err == nil {
		tb.ListingID, tb.ListingRevision, tb.ListingStatus = aws.ToString(out.ListingId), aws.ToString(out.ListingRevision), string(out.Status)
		tb.PublishedAt = t.clock.Now()
		slog.InfoContext(ctx, "published", "table", tb.Name, "asset", tb.AssetID, "assetRevision", rev,
			"listing", tb.ListingID, "listingRevision", tb.ListingRevision, "status", tb.ListingStatus)
		return nil
	}
	op := fmt.Sprintf("publish revision %s of asset %s (table %s)", rev, tb.AssetID, tb.Name)
	var ce *dztypes.ConflictException
	var ve *dztypes.ValidationException
	if !errors.As(err, &ce) && !errors.As(err, &ve) {
		return awsapi.Classify(op, err)
	}
	slog.InfoContext(ctx, "publish refused; reading the asset again", "table", tb.Name, "asset", tb.AssetID,
		"unconfirmed", awsapi.Code(err)+": "+awsapi.Message(err))
	_, listed, rerr := t.current(ctx, p, tb)
	if rerr != nil {
		return rerr
	}
	if !listed {
		return awsapi.Classify(op, err)
	}
	return nil
}

// judge returns the problem of a table whose recorded listing status is a failure.
func (t *Task) judge(ctx context.Context, p workflow.Plan, tb *workflow.Table) *workflow.Problem {
	switch dztypes.ListingStatus(tb.ListingStatus) {
	case dztypes.ListingStatusInactive:
		return &workflow.Problem{
			Field: p.GlueDatabase + "." + tb.Name,
			Problem: fmt.Sprintf("listing %s (revision %s) of asset %s is INACTIVE: it was unpublished, or publishing did not complete.",
				tb.ListingID, tb.ListingRevision, tb.AssetID),
			Fix: "look at the listing in the DataZone portal, publish the asset again, and start again.",
		}
	case dztypes.ListingStatusActive, dztypes.ListingStatusCreating:
	default:
		if tb.ListingStatus != notVisible {
			slog.InfoContext(ctx, "listing in an unknown status; waiting", "listing", tb.ListingID, "unconfirmed", tb.ListingStatus)
		}
	}
	return nil
}

// listedRevision is the asset revision a listing shows, or "" when it is not an asset listing.
func listedRevision(item dztypes.ListingItem) string {
	if a, ok := item.(*dztypes.ListingItemMemberAssetListing); ok {
		return aws.ToString(a.Value.AssetRevision)
	}
	return ""
}
