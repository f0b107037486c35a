package subscribe

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// listing is what one look found for one target, by listing ID: the project's APPROVED
// subscriptions, its PENDING requests, and the grants into its environment. Listing once per
// look costs a page per 50 items, where reading each access would cost a call per access.
type listing struct {
	subs     map[string]string
	requests map[string]string
	grants   map[string][]types.SubscriptionGrantSummary
}

// look lists, for every target with an access not granted yet, what the accesses read.
func (tk *tick) look(ctx context.Context, targets []workflow.Target) error {
	tk.lists = map[string]*listing{}
	for j, tg := range targets {
		if !tk.waitingFor(j) {
			continue
		}
		l := &listing{subs: map[string]string{}, requests: map[string]string{}, grants: map[string][]types.SubscriptionGrantSummary{}}
		if err := tk.listSubscriptions(ctx, tg, l); err != nil {
			return err
		}
		if err := tk.listRequests(ctx, tg, l); err != nil {
			return err
		}
		if err := tk.listGrants(ctx, tg, l); err != nil {
			return err
		}
		tk.lists[tg.EnvironmentID] = l
	}
	return nil
}

// waitingFor reports whether some table still onboarding has an access of target j not granted.
func (tk *tick) waitingFor(j int) bool {
	for _, tb := range tk.w.Tables {
		if tb.Onboarding() && tb.ListingID != "" && (j >= len(tb.Access) || tb.Access[j].Status != statusGranted) {
			return true
		}
	}
	return false
}

// approved is the project's APPROVED subscription to a listing, as the last look found it, or "".
func (tk *tick) approved(tg workflow.Target, listingID string) string {
	if l := tk.lists[tg.EnvironmentID]; l != nil {
		return l.subs[listingID]
	}
	return ""
}

// pendingRequest is the project's PENDING request for a listing, as the last look found it, or "".
func (tk *tick) pendingRequest(tg workflow.Target, listingID string) string {
	if l := tk.lists[tg.EnvironmentID]; l != nil {
		return l.requests[listingID]
	}
	return ""
}

// grants are the grants of a listing into the target's environment, as the last look found them.
func (tk *tick) grants(tg workflow.Target, listingID string) []types.SubscriptionGrantSummary {
	if l := tk.lists[tg.EnvironmentID]; l != nil {
		return l.grants[listingID]
	}
	return nil
}

func (tk *tick) listSubscriptions(ctx context.Context, tg workflow.Target, l *listing) error {
	p := datazone.NewListSubscriptionsPaginator(tk.dz, &datazone.ListSubscriptionsInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID),
		OwningProjectId:  aws.String(tg.ProjectID),
		Status:           types.SubscriptionStatusApproved,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return awsapi.Classify("list the subscriptions of project "+tg.ProjectID, err)
		}
		for _, s := range out.Items {
			if s.Status == types.SubscriptionStatusApproved && s.SubscribedListing != nil {
				if id := aws.ToString(s.SubscribedListing.Id); l.subs[id] == "" {
					l.subs[id] = aws.ToString(s.Id)
				}
			}
		}
	}
	return nil
}

func (tk *tick) listRequests(ctx context.Context, tg workflow.Target, l *listing) error {
	p := datazone.NewListSubscriptionRequestsPaginator(tk.dz, &datazone.ListSubscriptionRequestsInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID),
		OwningProjectId:  aws.String(tg.ProjectID),
		Status:           types.SubscriptionRequestStatusPending,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return awsapi.Classify("list the pending subscription requests of project "+tg.ProjectID, err)
		}
		for _, r := range out.Items {
			if r.Status != types.SubscriptionRequestStatusPending {
				continue
			}
			for _, sl := range r.SubscribedListings {
				if id := aws.ToString(sl.Id); l.requests[id] == "" {
					l.requests[id] = aws.ToString(r.Id)
				}
			}
		}
	}
	return nil
}

// listGrants lists the grants into the target's environment by the listing they grant, not by
// subscription (SubscriptionGrantSummary.SubscriptionId is deprecated: several subscriptions can
// share a grant; aws-reference §14.2).
func (tk *tick) listGrants(ctx context.Context, tg workflow.Target, l *listing) error {
	p := datazone.NewListSubscriptionGrantsPaginator(tk.dz, &datazone.ListSubscriptionGrantsInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID),
		EnvironmentId:    aws.String(tg.EnvironmentID),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return awsapi.Classify(fmt.Sprintf("list the subscription grants into environment %s", tg.EnvironmentID), err)
		}
		for _, g := range out.Items {
			if e, ok := g.GrantedEntity.(*types.GrantedEntityMemberListing); ok {
				id := aws.ToString(e.Value.Id)
				l.grants[id] = append(l.grants[id], g)
			}
		}
	}
	return nil
}
