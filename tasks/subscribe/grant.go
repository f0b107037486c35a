package subscribe

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// grantAfter is how long after it saw a subscription approved the task waits for DataZone to
// grant it into an AUTOMATIC subscription target by itself (DataZone fulfils it in the
// background, after a "Subscription Grant Requested" event), before it creates the grant itself.
const grantAfter = 2 * time.Minute

// glueTargetType is the asset type a DefaultDataLake environment's subscription target accepts.
const glueTargetType = "GlueTableAssetType"

// target is an environment's subscription target, as far as this task needs it.
type target struct {
	id     string
	manual bool
}

// grantOutcome is what one subscription grant says about one asset.
type grantOutcome int

const (
	grantWaiting grantOutcome = iota
	grantDone
	grantFailed
)

// settleGrant moves an APPROVED access on: find the grant of the listing into the environment
// (by listing and target: several subscriptions can share a grant), create it when DataZone does
// not, and record its outcome.
func (tk *tick) settleGrant(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (*workflow.Problem, error) {
	var waiting, failed, stale *types.SubscriptionGrantSummary
	var failure, staleFailure string
	for _, g := range tk.grants(tg, tb.ListingID) {
		outcome, name, why := assessGrant(&g, tb.AssetID)
		switch {
		case outcome == grantDone:
			if name == "" {
				name = tb.Name
				slog.InfoContext(ctx, "completed grant names no table in the subscription database; using the source table's name",
					"grant", aws.ToString(g.Id), "table", tb.Name, "unconfirmed", "SubscribedAsset.TargetName is empty")
			}
			a.GrantID, a.SubscribedTable, a.Status = aws.ToString(g.Id), name, statusGranted
			return nil, nil
		case outcome == grantWaiting:
			waiting = &g
		case tk.current(&g):
			failed, failure = &g, why
		default:
			stale, staleFailure = &g, why
		}
	}
	switch {
	case waiting != nil:
		a.GrantID = aws.ToString(waiting.Id)
		return nil, nil
	case failed != nil:
		a.GrantID, a.Status = aws.ToString(failed.Id), statusFailed
		return tk.grantProblem(tb, tg, failed, failure), nil
	}

	// No grant is under way. DataZone makes it by itself for an AUTOMATIC target, so create it
	// only for a MANUAL one, a while after the approval, or again after a failure of an earlier
	// execution.
	st, err := tk.target(ctx, tg)
	if err != nil {
		return nil, err
	}
	if st == nil {
		a.Status = statusFailed
		return &workflow.Problem{
			Field:   fmt.Sprintf("%s for %s", tb.Name, label(tg)),
			Problem: fmt.Sprintf("%s has no subscription target for Glue tables, so DataZone cannot grant subscriptions into it.", label(tg)),
			Fix:     "use a DefaultDataLake environment that finished provisioning (its subscription target is created with it), or recreate the environment.",
		}, nil
	}
	if !st.manual && stale == nil && tk.clock.Now().Sub(a.ApprovedAt) < grantAfter {
		return nil, nil
	}
	refused, err := tk.createGrant(ctx, tb, tg, a, st)
	if refused && stale != nil {
		// DataZone will not grant again while the earlier failed grant stands.
		a.GrantID, a.Status = aws.ToString(stale.Id), statusFailed
		return tk.grantProblem(tb, tg, stale, staleFailure), nil
	}
	return nil, err
}

// current reports whether a grant was made during this execution (not left by an earlier one).
func (tk *tick) current(g *types.SubscriptionGrantSummary) bool {
	return g.CreatedAt == nil || !g.CreatedAt.Before(tk.w.Plan.StartedAt)
}

// assessGrant reads a grant's outcome for an asset (every asset when assetID is not among them):
// done with the asset's target name, still waiting, or failed with the failure causes.
func assessGrant(g *types.SubscriptionGrantSummary, assetID string) (grantOutcome, string, string) {
	assets := g.Assets
	if i := slices.IndexFunc(assets, func(sa types.SubscribedAsset) bool { return aws.ToString(sa.AssetId) == assetID }); i >= 0 {
		assets = assets[i : i+1]
	}
	var causes []string
	for _, sa := range assets {
		if msg := assetFailure(sa); msg != "" {
			causes = append(causes, msg)
		}
	}
	switch g.Status {
	case types.SubscriptionGrantOverallStatusPending, types.SubscriptionGrantOverallStatusInProgress:
		return grantWaiting, "", ""
	case types.SubscriptionGrantOverallStatusCompleted:
		if len(causes) > 0 {
			return grantFailed, "", strings.Join(causes, "; ")
		}
		for _, sa := range assets {
			if sa.Status != types.SubscriptionGrantStatusGranted {
				return grantWaiting, "", ""
			}
		}
		if len(assets) == 1 {
			return grantDone, aws.ToString(assets[0].TargetName), ""
		}
		return grantFailed, "", fmt.Sprintf("grant %s is COMPLETED but names no single table in the subscription database (%d asset(s))", aws.ToString(g.Id), len(assets))
	}
	if len(causes) == 0 {
		causes = append(causes, "no failure cause given")
	}
	return grantFailed, "", fmt.Sprintf("grant %s ended %s: %s", aws.ToString(g.Id), g.Status, strings.Join(causes, "; "))
}

// assetFailure is the failure of one asset of a grant, or "".
func assetFailure(sa types.SubscribedAsset) string {
	switch sa.Status {
	case types.SubscriptionGrantStatusGranted, types.SubscriptionGrantStatusGrantPending, types.SubscriptionGrantStatusGrantInProgress:
		return ""
	}
	msg := string(sa.Status)
	if sa.FailureCause != nil && aws.ToString(sa.FailureCause.Message) != "" {
		msg += ": " + aws.ToString(sa.FailureCause.Message)
	}
	return msg
}

// grantProblem explains a failed grant with the fix its failure cause calls for.
func (tk *tick) grantProblem(tb *workflow.Table, tg workflow.Target, g *types.SubscriptionGrantSummary, failure string) *workflow.Problem {
	p := tk.w.Plan
	fix := fmt.Sprintf("open subscription grant %s in the DataZone portal, correct its cause, and start again (every step is idempotent).", aws.ToString(g.Id))
	switch lower := strings.ToLower(failure); {
	case strings.Contains(lower, "not managed by lake formation"):
		fix = fmt.Sprintf("register %s with Lake Formation and remove IAMAllowedPrincipals from table %s.%s: start again with \"makeManaged\": true, which does both.",
			p.S3Location, p.GlueDatabase, tb.Name)
	case strings.Contains(lower, "necessary lake formation permissions"):
		fix = fmt.Sprintf("grant the manage-access role %s DESCRIBE and SELECT with grant option on table %s.%s (and DESCRIBE with grant option on database %s) in Lake Formation, then start again.",
			p.ManageAccessRoleARN, p.GlueDatabase, tb.Name, p.GlueDatabase)
	}
	return &workflow.Problem{
		Field:   fmt.Sprintf("%s for %s", tb.Name, label(tg)),
		Problem: fmt.Sprintf("the subscription grant failed: %s.", strings.TrimSuffix(failure, ".")),
		Fix:     fix,
	}
}

// target returns the environment's subscription target for Glue tables (nil if it has none),
// reading it at most once a tick.
func (tk *tick) target(ctx context.Context, tg workflow.Target) (*target, error) {
	if st, ok := tk.targets[tg.EnvironmentID]; ok {
		return st, nil
	}
	p := datazone.NewListSubscriptionTargetsPaginator(tk.dz, &datazone.ListSubscriptionTargetsInput{
		DomainIdentifier:      aws.String(tk.w.Plan.DomainID),
		EnvironmentIdentifier: aws.String(tg.EnvironmentID),
	})
	var found *types.SubscriptionTargetSummary
	for p.HasMorePages() && found == nil {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Classify("list subscription targets of environment "+tg.EnvironmentID, err)
		}
		for i := range page.Items {
			if slices.Contains(page.Items[i].ApplicableAssetTypes, glueTargetType) {
				found = &page.Items[i]
				break
			}
		}
	}
	var st *target
	if found != nil {
		st = &target{id: aws.ToString(found.Id), manual: found.SubscriptionGrantCreationMode == types.SubscriptionGrantCreationModeManual}
	}
	tk.targets[tg.EnvironmentID] = st
	return st, nil
}

// createGrant grants the table's listing into the target's environment. refused reports a
// ConflictException: another grant of the listing into the environment stands.
func (tk *tick) createGrant(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access, st *target) (refused bool, err error) {
	in := &datazone.CreateSubscriptionGrantInput{
		DomainIdentifier:      aws.String(tk.w.Plan.DomainID),
		EnvironmentIdentifier: aws.String(tg.EnvironmentID),
		GrantedEntity: &types.GrantedEntityInputMemberListing{Value: types.ListingRevisionInput{
			Identifier: aws.String(tb.ListingID),
			Revision:   nonEmpty(tb.ListingRevision),
		}},
		SubscriptionTargetIdentifier: aws.String(st.id),
		ClientToken:                  aws.String(workflow.ClientToken(tk.w.Plan.Execution, workflow.TaskSubscribe, "grant", tg.EnvironmentID, tb.ListingID)),
	}
	doing := fmt.Sprintf("create subscription grant of %s into environment %s", tb.Name, tg.EnvironmentID)
	if err := tk.pace.Grant.Wait(ctx); err != nil {
		return false, awsapi.Classify(doing, err)
	}
	out, err := tk.dz.CreateSubscriptionGrant(ctx, in)
	if err != nil {
		if awsapi.Code(err) == "ConflictException" {
			// A grant appeared meanwhile (DataZone's own): the next look reads it.
			slog.InfoContext(ctx, "subscription grant already exists", "table", tb.Name, "environment", tg.EnvironmentID,
				"unconfirmed", "CreateSubscriptionGrant answered ConflictException: "+awsapi.Message(err))
			return true, nil
		}
		return false, awsapi.Classify(doing, err)
	}
	a.GrantID, a.GrantedAt = aws.ToString(out.Id), tk.clock.Now()
	slog.InfoContext(ctx, "subscription grant created", "table", tb.Name, "environment", tg.EnvironmentID,
		"grantId", a.GrantID, "status", string(out.Status), "manualTarget", st.manual)
	return false, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
