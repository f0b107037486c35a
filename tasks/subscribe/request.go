package subscribe

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// findOrRequest gives an access without status a subscription: an APPROVED one the project
// already has, else its PENDING request, else a new request. created reports a new request.
func (tk *tick) findOrRequest(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (created bool, err error) {
	sub, err := tk.findSubscription(ctx, tg, &datazone.ListSubscriptionsInput{SubscribedListingId: aws.String(tb.ListingID)})
	if err != nil || sub != nil {
		if sub != nil {
			a.SubscriptionID, a.Status = aws.ToString(sub.Id), statusApproved
		}
		return false, err
	}
	req, err := tk.findRequest(ctx, tb, tg)
	if err != nil || req != nil {
		if req != nil {
			a.RequestID, a.Status = aws.ToString(req.Id), statusRequested
		}
		return false, err
	}

	in := &datazone.CreateSubscriptionRequestInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID),
		RequestReason: aws.String(fmt.Sprintf("dzonboard: subscribe %s to %s so that it appears in %s",
			tg.ProjectID, tb.Name, tg.SubscriptionDatabase)),
		SubscribedListings: []types.SubscribedListingInput{{Identifier: aws.String(tb.ListingID)}},
		SubscribedPrincipals: []types.SubscribedPrincipalInput{
			&types.SubscribedPrincipalInputMemberProject{Value: types.SubscribedProjectInput{Identifier: aws.String(tg.ProjectID)}},
		},
		ClientToken: aws.String(workflow.ClientToken(tk.w.Plan.Execution, workflow.TaskSubscribeProjects, "request", tg.ProjectID, tb.ListingID)),
	}
	out, err := tk.dz.CreateSubscriptionRequest(ctx, in)
	if err != nil {
		if awsapi.Code(err) == "ConflictException" {
			// Someone else's request may have won the race: find it.
			req, ferr := tk.findRequest(ctx, tb, tg)
			if ferr == nil && req != nil {
				slog.InfoContext(ctx, "subscription request already exists", "table", tb.Name, "project", tg.ProjectID,
					"requestId", aws.ToString(req.Id), "unconfirmed", "CreateSubscriptionRequest answered ConflictException: "+awsapi.Message(err))
				a.RequestID, a.Status = aws.ToString(req.Id), statusRequested
				return false, nil
			}
		}
		return false, awsapi.Classify(fmt.Sprintf("create subscription request of project %s to listing %s (%s)", tg.ProjectID, tb.ListingID, tb.Name), err)
	}
	a.RequestID, a.Status = aws.ToString(out.Id), statusRequested
	slog.InfoContext(ctx, "subscription request created", "table", tb.Name, "project", tg.ProjectID,
		"listingId", tb.ListingID, "requestId", a.RequestID,
		"unconfirmed", fmt.Sprintf("CreateSubscriptionRequest returned status %s and existingSubscriptionId %q", out.Status, aws.ToString(out.ExistingSubscriptionId)))
	return out.Status == types.SubscriptionRequestStatusPending, nil
}

// findSubscription returns the project's first APPROVED subscription matching filter, or nil.
func (tk *tick) findSubscription(ctx context.Context, tg workflow.Target, filter *datazone.ListSubscriptionsInput) (*types.SubscriptionSummary, error) {
	in := *filter
	in.DomainIdentifier = aws.String(tk.w.Plan.DomainID)
	in.OwningProjectId = aws.String(tg.ProjectID)
	in.Status = types.SubscriptionStatusApproved
	p := datazone.NewListSubscriptionsPaginator(tk.dz, &in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Classify(fmt.Sprintf("list subscriptions of project %s", tg.ProjectID), err)
		}
		for i := range out.Items {
			if out.Items[i].Status == types.SubscriptionStatusApproved {
				return &out.Items[i], nil
			}
		}
	}
	return nil, nil
}

// findRequest returns the project's PENDING request for the table's listing, or nil.
func (tk *tick) findRequest(ctx context.Context, tb *workflow.Table, tg workflow.Target) (*types.SubscriptionRequestSummary, error) {
	p := datazone.NewListSubscriptionRequestsPaginator(tk.dz, &datazone.ListSubscriptionRequestsInput{
		DomainIdentifier:    aws.String(tk.w.Plan.DomainID),
		OwningProjectId:     aws.String(tg.ProjectID),
		SubscribedListingId: aws.String(tb.ListingID),
		Status:              types.SubscriptionRequestStatusPending,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Classify(fmt.Sprintf("list subscription requests of project %s for listing %s (%s)", tg.ProjectID, tb.ListingID, tb.Name), err)
		}
		for i := range out.Items {
			if out.Items[i].Status == types.SubscriptionRequestStatusPending {
				return &out.Items[i], nil
			}
		}
	}
	return nil, nil
}

// settleRequest moves a REQUESTED access on: accept the request while it is PENDING, then find
// the subscription its approval made. A rejected request is a problem.
func (tk *tick) settleRequest(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (*workflow.Problem, error) {
	req, err := tk.getRequest(ctx, tb, a)
	if err != nil {
		return nil, err
	}
	status, comment := req.Status, aws.ToString(req.DecisionComment)
	if status == types.SubscriptionRequestStatusPending {
		status, comment, err = tk.accept(ctx, tb, tg, a)
		if err != nil {
			return nil, err
		}
	}
	switch status {
	case types.SubscriptionRequestStatusAccepted:
		sub, err := tk.findSubscription(ctx, tg, &datazone.ListSubscriptionsInput{SubscriptionRequestIdentifier: aws.String(a.RequestID)})
		if err == nil && sub == nil {
			// Approval reuses a subscription the project already had.
			sub, err = tk.findSubscription(ctx, tg, &datazone.ListSubscriptionsInput{SubscribedListingId: aws.String(tb.ListingID)})
		}
		if err != nil || sub == nil {
			return nil, err
		}
		a.SubscriptionID, a.Status = aws.ToString(sub.Id), statusApproved
	case types.SubscriptionRequestStatusRejected:
		return tk.rejected(tb, tg, a, comment), nil
	}
	return nil, nil
}

// rejected explains a request a reviewer of the producer project rejected. Starting again makes a
// new request, which this task accepts itself; a consumer can also be left out instead.
func (tk *tick) rejected(tb *workflow.Table, tg workflow.Target, a *workflow.Access, comment string) *workflow.Problem {
	why := "no comment was given"
	if comment != "" {
		why = fmt.Sprintf("the reviewer wrote %q", comment)
	}
	owner := tk.w.Plan.Producer.ProjectID
	fix := fmt.Sprintf("settle the reviewer's objection with the owners of project %s, then start again: a new request is made and accepted.", owner)
	if tg.EnvironmentID != tk.w.Plan.Producer.EnvironmentID {
		fix = fmt.Sprintf("settle the reviewer's objection with the owners of project %s and start again (a new request is made and accepted), or remove project %s from \"consumers\" in the input.",
			owner, tg.ProjectID)
	}
	return &workflow.Problem{
		Field:   fmt.Sprintf("%s for %s", tb.Name, label(tg)),
		Problem: fmt.Sprintf("subscription request %s of project %s was rejected (%s).", a.RequestID, tg.ProjectID, why),
		Fix:     fix,
	}
}

// accept accepts a PENDING request (paced) and returns its status afterwards. A refusal because
// the request is no longer PENDING (DataZone approved it, or a reviewer rejected it, meanwhile) is
// read back, not failed.
func (tk *tick) accept(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (types.SubscriptionRequestStatus, string, error) {
	doing := fmt.Sprintf("accept subscription request %s of project %s to %s", a.RequestID, tg.ProjectID, tb.Name)
	if err := tk.pace.Wait(ctx); err != nil {
		return "", "", awsapi.Classify(doing, err)
	}
	out, err := tk.dz.AcceptSubscriptionRequest(ctx, &datazone.AcceptSubscriptionRequestInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID),
		Identifier:       aws.String(a.RequestID),
		DecisionComment:  aws.String("dzonboard: accepted for execution " + tk.w.Plan.Execution),
	})
	if err == nil {
		return out.Status, aws.ToString(out.DecisionComment), nil
	}
	code := awsapi.Code(err)
	if code != "ConflictException" && code != "ValidationException" {
		return "", "", awsapi.Classify(doing, err)
	}
	req, rerr := tk.getRequest(ctx, tb, a)
	if rerr != nil {
		return "", "", rerr
	}
	slog.InfoContext(ctx, "accept refused; read the request back", "table", tb.Name, "requestId", a.RequestID,
		"status", string(req.Status),
		"unconfirmed", fmt.Sprintf("AcceptSubscriptionRequest answered %s: %s", code, awsapi.Message(err)))
	if req.Status == types.SubscriptionRequestStatusPending {
		return "", "", awsapi.Classify(doing, err)
	}
	return req.Status, aws.ToString(req.DecisionComment), nil
}

func (tk *tick) getRequest(ctx context.Context, tb *workflow.Table, a *workflow.Access) (*datazone.GetSubscriptionRequestDetailsOutput, error) {
	out, err := tk.dz.GetSubscriptionRequestDetails(ctx, &datazone.GetSubscriptionRequestDetailsInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID),
		Identifier:       aws.String(a.RequestID),
	})
	if err != nil {
		return nil, awsapi.Classify(fmt.Sprintf("get subscription request %s (%s)", a.RequestID, tb.Name), err)
	}
	return out, nil
}
