package sandbox_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/sandbox"
)

func TestDataZoneRejectSubscriptionRequest(t *testing.T) {
	h := startDZ(t)
	listings := h.catalog()
	reject := func(c *datazone.Client, id string, comment *string) (*datazone.RejectSubscriptionRequestOutput, error) {
		return c.RejectSubscriptionRequest(h.ctx, &datazone.RejectSubscriptionRequestInput{
			DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id), DecisionComment: comment})
	}
	tests := []struct {
		name    string
		listing string                        // Marketing requests it (approver: Sales)
		before  func(t *testing.T, id string) // what happens to the request before the call
		c       *datazone.Client
		id      string // the request to reject, when not the new one
		comment *string
		// kind and msg are the error (see wantErrorKind), code the journalled error code.
		kind, msg, code string
	}{
		{
			name: "approver contributor rejects with a comment", listing: "legacy",
			c: h.workflow, comment: aws.String("legacy is being retired"),
		},
		{
			name: "approver owner rejects without a comment", listing: "customers", c: h.admin,
		},
		{
			name: "subscriber that is no approver", listing: "orders", c: h.analyst,
			kind: "denied", msg: "RejectSubscriptionRequest", code: "AccessDeniedException",
		},
		{
			name: "viewer of the approver project", listing: "orders", c: h.viewer,
			kind: "denied", msg: "RejectSubscriptionRequest", code: "AccessDeniedException",
		},
		{
			name: "unknown request", listing: "orders", c: h.admin, id: "nosuchrequest1",
			kind: "notfound", msg: "nosuchrequest1", code: "ResourceNotFoundException",
		},
		{
			name: "already rejected", listing: "orders", c: h.admin,
			before: func(t *testing.T, id string) {
				if _, err := reject(h.admin, id, nil); err != nil {
					t.Fatal(err)
				}
			},
			kind: "validation", msg: "in status REJECTED and cannot be rejected", code: "ValidationException",
		},
		{
			name: "already accepted", listing: "orders", c: h.admin,
			before: func(_ *testing.T, id string) { h.accept(id) },
			kind:   "validation", msg: "in status ACCEPTED and cannot be rejected", code: "ValidationException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := h.subscribe(h.analyst, dzMarketing, listings[tt.listing])
			// A request the case leaves PENDING would make the next request for the listing a
			// conflict: reject it afterwards (an error here only means it is decided already).
			defer func(created string) { _, _ = reject(h.admin, created, nil) }(id)
			if tt.before != nil {
				tt.before(t, id)
			}
			if tt.id != "" {
				id = tt.id
			}
			out, err := reject(tt.c, id, tt.comment)
			j := h.s.Journal()
			if last := j[len(j)-1]; last.Op != "RejectSubscriptionRequest" || last.Error != tt.code ||
				(tt.code == "" && last.Keys["subscriptionRequestId"] != id) {
				t.Errorf("journal ends with %s %v (error %q), want RejectSubscriptionRequest of %s (error %q)",
					last.Op, last.Keys, last.Error, id, tt.code)
			}
			wantErrorKind(t, err, tt.kind, tt.msg)
			if err != nil {
				return
			}
			if out.Status != dztypes.SubscriptionRequestStatusRejected || aws.ToString(out.DecisionComment) != aws.ToString(tt.comment) ||
				aws.ToString(out.ReviewerId) == "" || aws.ToString(out.Id) != id || len(out.SubscribedListings) != 1 {
				t.Errorf("reject = %s comment %q reviewer %q id %s", out.Status, aws.ToString(out.DecisionComment), aws.ToString(out.ReviewerId), aws.ToString(out.Id))
			}
			// The subscriber reads the decision; the request is no longer PENDING and nothing was granted.
			got, err := h.analyst.GetSubscriptionRequestDetails(h.ctx, &datazone.GetSubscriptionRequestDetailsInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != dztypes.SubscriptionRequestStatusRejected || aws.ToString(got.DecisionComment) != aws.ToString(tt.comment) {
				t.Errorf("details = %s %q", got.Status, aws.ToString(got.DecisionComment))
			}
			if ids := h.requestIDs(dztypes.SubscriptionRequestStatusPending, listings[tt.listing]); slices.Contains(ids, id) {
				t.Errorf("PENDING requests %v hold the rejected one", ids)
			}
			if ids := h.requestIDs(dztypes.SubscriptionRequestStatusRejected, listings[tt.listing]); !slices.Equal(ids, []string{id}) {
				t.Errorf("REJECTED requests = %v, want [%s]", ids, id)
			}
			_, err = h.admin.AcceptSubscriptionRequest(h.ctx, &datazone.AcceptSubscriptionRequestInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id)})
			wantErrorKind(t, err, "validation", "in status REJECTED and cannot be accepted")
			subs, err := h.admin.ListSubscriptions(h.ctx, &datazone.ListSubscriptionsInput{DomainIdentifier: aws.String(dzDomain),
				SubscriptionRequestIdentifier: aws.String(id)})
			if err != nil || len(subs.Items) != 0 {
				t.Errorf("subscriptions of the rejected request = %+v (%v)", subs, err)
			}
			h.advance(dzFulfil + dzGrant)
			if g := h.grants(dzMktgEnv, listings[tt.listing]); len(g) != 0 {
				t.Errorf("grants after a rejection = %+v", g)
			}
		})
	}
}

// requestIDs lists, as Admin, the IDs of the requests in status for a listing.
func (h *dzHarness) requestIDs(status dztypes.SubscriptionRequestStatus, listing string) []string {
	h.t.Helper()
	out, err := h.admin.ListSubscriptionRequests(h.ctx, &datazone.ListSubscriptionRequestsInput{DomainIdentifier: aws.String(dzDomain),
		Status: status, SubscribedListingId: aws.String(listing)})
	if err != nil {
		h.t.Fatal(err)
	}
	var ids []string
	for _, it := range out.Items {
		ids = append(ids, aws.ToString(it.Id))
	}
	return ids
}

func TestDataZoneRejectBeforeAutoApprove(t *testing.T) {
	h := startDZ(t, func(w *sandbox.World) { w.DataZone.AutoApproveSubscriptions = true })
	listings := h.catalog()
	tests := []struct {
		name   string
		reject bool
		want   dztypes.SubscriptionRequestStatus
		grants int
	}{
		{"rejected while PENDING: never approved", true, dztypes.SubscriptionRequestStatusRejected, 0},
		{"left alone: approved by DataZone", false, dztypes.SubscriptionRequestStatusAccepted, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listing := listings["orders"]
			if tt.reject {
				listing = listings["legacy"]
			}
			id := h.subscribe(h.analyst, dzMarketing, listing)
			if tt.reject {
				if _, err := h.admin.RejectSubscriptionRequest(h.ctx, &datazone.RejectSubscriptionRequestInput{
					DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id), DecisionComment: aws.String("no")}); err != nil {
					t.Fatal(err)
				}
			}
			h.advance(dzAuto + dzGrant)
			got, err := h.analyst.GetSubscriptionRequestDetails(h.ctx, &datazone.GetSubscriptionRequestDetailsInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.want {
				t.Errorf("request = %s, want %s", got.Status, tt.want)
			}
			if g := h.grants(dzMktgEnv, listing); len(g) != tt.grants {
				t.Errorf("%d grants, want %d", len(g), tt.grants)
			}
		})
	}
}
