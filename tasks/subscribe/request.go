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

// request gives a new access a subscription request: the project's PENDING one for the listing
// when the last look found it, else a new one (paced, with a client token of the execution, the
// project and the listing, so that a lost answer or a retried invocation makes no second one).
func (tk *tick) request(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) error {
	if id := tk.pendingRequest(tg, tb.ListingID); id != "" {
		a.RequestID, a.Status = id, statusRequested
		return nil
	}
	doing := fmt.Sprintf("create subscription request of project %s to listing %s (%s)", tg.ProjectID, tb.ListingID, tb.Name)
	if err := tk.pace.Request.Wait(ctx); err != nil {
		return awsapi.Classify(doing, err)
	}
	out, err := tk.dz.CreateSubscriptionRequest(ctx, &datazone.CreateSubscriptionRequestInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID),
		RequestReason: aws.String(fmt.Sprintf("dzonboard: subscribe %s to %s so that it appears in %s",
			tg.ProjectID, tb.Name, tg.SubscriptionDatabase)),
		SubscribedListings: []types.SubscribedListingInput{{Identifier: aws.String(tb.ListingID)}},
		SubscribedPrincipals: []types.SubscribedPrincipalInput{
			&types.SubscribedPrincipalInputMemberProject{Value: types.SubscribedProjectInput{Identifier: aws.String(tg.ProjectID)}},
		},
		ClientToken: aws.String(workflow.ClientToken(tk.w.Plan.Execution, workflow.TaskSubscribe, "request", tg.ProjectID, tb.ListingID)),
	})
	if err != nil {
		if awsapi.Code(err) == "ConflictException" {
			// A PENDING request of the project for the listing exists (someone else's, made since
			// the last look): the next look finds it.
			slog.InfoContext(ctx, "subscription request already pending", "table", tb.Name, "project", tg.ProjectID,
				"unconfirmed", "CreateSubscriptionRequest answered ConflictException: "+awsapi.Message(err))
			return nil
		}
		return awsapi.Classify(doing, err)
	}
	a.RequestID, a.Status, a.RequestedAt = aws.ToString(out.Id), statusRequested, tk.clock.Now()
	slog.InfoContext(ctx, "subscription request created", "table", tb.Name, "project", tg.ProjectID,
		"listingId", tb.ListingID, "requestId", a.RequestID,
		"unconfirmed", fmt.Sprintf("CreateSubscriptionRequest returned status %s and existingSubscriptionId %q", out.Status, aws.ToString(out.ExistingSubscriptionId)))
	return nil
}

// settleRequest moves a REQUESTED access on: accept the request at once while it is PENDING
// (DataZone may approve it by itself: a refused accept is read back), and read what became of it
// otherwise. Its subscription is found by the next look. A rejected request is a problem.
func (tk *tick) settleRequest(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (*workflow.Problem, error) {
	status := types.SubscriptionRequestStatusPending
	comment := ""
	if tk.pendingRequest(tg, tb.ListingID) != a.RequestID {
		req, err := tk.dz.GetSubscriptionRequestDetails(ctx, &datazone.GetSubscriptionRequestDetailsInput{
			DomainIdentifier: aws.String(tk.w.Plan.DomainID), Identifier: aws.String(a.RequestID),
		})
		if awsapi.NotYetVisible(err, a.RequestedAt, tk.clock.Now()) {
			return nil, nil
		}
		if err != nil {
			return nil, awsapi.Classify(fmt.Sprintf("get subscription request %s (%s)", a.RequestID, tb.Name), err)
		}
		status, comment = req.Status, aws.ToString(req.DecisionComment)
	}
	if status == types.SubscriptionRequestStatusPending {
		var err error
		if status, comment, err = tk.accept(ctx, tb, tg, a); err != nil {
			return nil, err
		}
	}
	if status == types.SubscriptionRequestStatusRejected {
		a.Status = statusRejected
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
	if err := tk.pace.Accept.Wait(ctx); err != nil {
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
	if awsapi.NotYetVisible(err, a.RequestedAt, tk.clock.Now()) {
		return types.SubscriptionRequestStatusPending, "", nil // accepted on a later look
	}
	if code != "ConflictException" && code != "ValidationException" {
		return "", "", awsapi.Classify(doing, err)
	}
	req, rerr := tk.dz.GetSubscriptionRequestDetails(ctx, &datazone.GetSubscriptionRequestDetailsInput{
		DomainIdentifier: aws.String(tk.w.Plan.DomainID), Identifier: aws.String(a.RequestID),
	})
	if rerr != nil {
		return "", "", awsapi.Classify(fmt.Sprintf("get subscription request %s (%s)", a.RequestID, tb.Name), rerr)
	}
	slog.InfoContext(ctx, "accept refused; read the request back", "table", tb.Name, "requestId", a.RequestID,
		"status", string(req.Status), "unconfirmed", fmt.Sprintf("AcceptSubscriptionRequest answered %s: %s", code, awsapi.Message(err)))
	if req.Status == types.SubscriptionRequestStatusPending {
		return "", "", awsapi.Classify(doing, err)
	}
	return req.Status, aws.ToString(req.DecisionComment), nil
}
