package sandbox

import (
	"time"
)

// Subscription requests and subscriptions.

// dzRequest is a subscription request of one project to one or more listings.
type dzRequest struct {
	id, status, reason    string
	projectID, approverID string
	listings              []dzListingRef
	decisionComment       string
	reviewerID            string
	autoApproved          bool
	existingSubID         string
	createdAt, updatedAt  time.Time
	createdBy, updatedBy  string
}

// dzListingRef is a listing at a revision.
type dzListingRef struct {
	listingID string
	revision  int
}

// dzSubscription is an approved subscription of a project to a listing.
type dzSubscription struct {
	id, status, projectID, requestID string
	listing                          dzListingRef
	createdAt, updatedAt             time.Time
	createdBy, updatedBy             string
}

type dzSubscribedAssetListing struct {
	EntityID       string `json:"entityId"`
	EntityRevision string `json:"entityRevision"`
	EntityType     string `json:"entityType"`
	Forms          string `json:"forms"`
}

type dzSubscribedListingOut struct {
	ID               string `json:"id"`
	Revision         string `json:"revision"`
	Name             string `json:"name"`
	OwnerProjectID   string `json:"ownerProjectId"`
	OwnerProjectName string `json:"ownerProjectName"`
	Item             struct {
		AssetListing dzSubscribedAssetListing `json:"assetListing"`
	} `json:"item"`
}

type dzSubscribedPrincipalOut struct {
	Project struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"project"`
}

type dzRequestOut struct {
	ID                     string                     `json:"id"`
	DomainID               string                     `json:"domainId"`
	Status                 string                     `json:"status"`
	RequestReason          string                     `json:"requestReason"`
	SubscribedListings     []dzSubscribedListingOut   `json:"subscribedListings"`
	SubscribedPrincipals   []dzSubscribedPrincipalOut `json:"subscribedPrincipals"`
	ReviewerID             *string                    `json:"reviewerId,omitempty"`
	DecisionComment        *string                    `json:"decisionComment,omitempty"`
	ExistingSubscriptionID *string                    `json:"existingSubscriptionId,omitempty"`
	AutoApproved           bool                       `json:"autoApproved"`
	CreatedAt              *dzEpoch                   `json:"createdAt,omitempty"`
	CreatedBy              string                     `json:"createdBy"`
	UpdatedAt              *dzEpoch                   `json:"updatedAt,omitempty"`
	UpdatedBy              *string                    `json:"updatedBy,omitempty"`
}

func (s *Sandbox) dzSubscribedListing(ref dzListingRef) dzSubscribedListingOut {
	d := s.dz
	l, _ := d.listings.get(ref.listingID)
	a, _ := d.assets.get(l.assetID)
	rev := l.revision(ref.revision)
	o := dzSubscribedListingOut{
		ID: l.id, Revision: dzRevision(ref.revision), Name: l.name,
		OwnerProjectID: l.projectID, OwnerProjectName: d.projectOf(l.projectID).name,
	}
	o.Item.AssetListing = dzSubscribedAssetListing{
		EntityID: a.id, EntityRevision: dzRevision(rev.assetRevision), EntityType: dzGlueAssetType,
		Forms: s.dzListingForms(a, a.revision(rev.assetRevision)),
	}
	return o
}

func (d *dzState) principalOut(projectID string) dzSubscribedPrincipalOut {
	var p dzSubscribedPrincipalOut
	p.Project.ID, p.Project.Name = projectID, d.projectOf(projectID).name
	return p
}

func (s *Sandbox) dzRequestOut(q *dzRequest) dzRequestOut {
	d := s.dz
	o := dzRequestOut{
		ID: q.id, DomainID: d.domain.ID, Status: q.status, RequestReason: q.reason,
		SubscribedPrincipals: []dzSubscribedPrincipalOut{d.principalOut(q.projectID)},
		ReviewerID:           str(q.reviewerID), DecisionComment: str(q.decisionComment),
		ExistingSubscriptionID: str(q.existingSubID), AutoApproved: q.autoApproved,
		CreatedAt: ep(q.createdAt), CreatedBy: q.createdBy, UpdatedAt: ep(q.updatedAt), UpdatedBy: str(q.updatedBy),
	}
	for _, ref := range q.listings {
		o.SubscribedListings = append(o.SubscribedListings, s.dzSubscribedListing(ref))
	}
	return o
}

type dzCreateRequestIn struct {
	RequestReason      *string `json:"requestReason"`
	SubscribedListings []struct {
		Identifier *string `json:"identifier"`
	} `json:"subscribedListings"`
	SubscribedPrincipals []struct {
		Project *struct {
			Identifier *string `json:"identifier"`
		} `json:"project"`
	} `json:"subscribedPrincipals"`
	ClientToken *string `json:"clientToken"`
}

// approvedSub returns the APPROVED subscription of a project to a listing.
func (d *dzState) approvedSub(projectID, listingID string) *dzSubscription {
	for _, sub := range d.subs.all() {
		if sub.projectID == projectID && sub.listing.listingID == listingID && sub.status == "APPROVED" {
			return sub
		}
	}
	return nil
}

// dzLengthOne checks a list member whose model shape allows exactly one item (@length min 1,
// max 1), in the wording of AWS's request validation (the offending value left out).
func dzLengthOne(field string, n int) error {
	switch {
	case n < 1:
		return dzValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: "+
			"Member must have length greater than or equal to 1", field)
	case n > 1:
		return dzValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: "+
			"Member must have length less than or equal to 1", field)
	}
	return nil
}

// pendingRequest returns the PENDING request of a project for a listing, or nil.
func (d *dzState) pendingRequest(projectID, listingID string) *dzRequest {
	for _, q := range d.requests.all() {
		if q.status == "PENDING" && q.projectID == projectID && q.hasListing(listingID) {
			return q
		}
	}
	return nil
}

// dzCreateSubscriptionRequest serves CreateSubscriptionRequest.
// CreateSubscriptionRequest creates a PENDING request of one project (owner or contributor
// caller) to one ACTIVE listing: subscribedListings and subscribedPrincipals take exactly one item
// each (the SubscribedListingInputs and SubscribedPrincipalInputs shapes of the DataZone model
// carry @length min 1, max 1: aws-sdk-go-v2 codegen/sdk-codegen/aws-models/datazone.json), and
// only a project principal is emulated. A second PENDING request of the project for the listing
// is a ConflictException (UNCONFIRMED wording; the operation models ConflictException). With the
// world's AutoApproveSubscriptions, DataZone accepts it by itself after Durations.AutoApprove.
// The same ClientToken returns the first call's request.
func dzCreateSubscriptionRequest(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var in dzCreateRequestIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := dzRequired("requestReason", in.RequestReason); err != nil {
		return nil, err
	}
	if err := dzLengthOne("subscribedPrincipals", len(in.SubscribedPrincipals)); err != nil {
		return nil, err
	}
	if err := dzLengthOne("subscribedListings", len(in.SubscribedListings)); err != nil {
		return nil, err
	}
	if in.SubscribedPrincipals[0].Project == nil {
		return nil, dzValidation("Only a project subscribed principal is supported in this domain")
	}
	p, err := d.project("subscribedPrincipals.project.identifier", deref(in.SubscribedPrincipals[0].Project.Identifier))
	if err != nil {
		return nil, err
	}
	if err := d.requireMember(r, p, dzWrite); err != nil {
		return nil, err
	}
	if id, ok := d.token(r, r.op, in.ClientToken); ok {
		q, _ := d.requests.get(id)
		return s.dzRequestOut(q), nil
	}
	l, err := d.listing("subscribedListings.identifier", deref(in.SubscribedListings[0].Identifier))
	if err != nil {
		return nil, err
	}
	rev := l.active()
	if rev == nil {
		return nil, dzValidation("Listing %s is not ACTIVE", l.id)
	}
	if other := d.pendingRequest(p.id, l.id); other != nil {
		return nil, dzConflict("Subscription request %s of project %s for listing %s is already PENDING", other.id, p.id, l.id)
	}
	q := &dzRequest{reason: *in.RequestReason, projectID: p.id, status: "PENDING", approverID: l.projectID,
		listings: []dzListingRef{{listingID: l.id, revision: rev.revision}}}
	if sub := d.approvedSub(p.id, l.id); sub != nil {
		q.existingSubID = sub.id
	}
	now := s.now()
	q.id, q.createdAt, q.updatedAt, q.createdBy = s.newID(), now, now, d.callerName(r.caller)
	d.requests.add(q.id, q)
	d.remember(r, r.op, in.ClientToken, q.id)
	r.key("subscriptionRequestId", q.id)
	r.key("projectId", p.id)
	r.key("listingId", l.id)
	if s.world.DataZone.AutoApproveSubscriptions {
		s.after(s.world.Durations.AutoApprove.Duration, func() {
			if q.status == "PENDING" {
				q.autoApproved = true
				s.dzApprove(q, "", "Automatically approved", "SYSTEM")
				s.recordBackground("AcceptSubscriptionRequest", q.id, map[string]string{"subscriptionRequestId": q.id})
			}
		})
	}
	return s.dzRequestOut(q), nil
}

// dzApprove accepts a request: one APPROVED subscription per listing (an existing one is reused),
// each fulfilled in the background after Durations.Fulfilment (dzFulfil). In AWS the grants are
// not made inside AcceptSubscriptionRequest: approval emits "Subscription Request Accepted" and
// the fulfilment runs on its own, announced by "Subscription Grant Requested" (the DataZone event
// list of the EventBridge user guide, aws-reference.md §10), so a caller that reads the grants
// right after accepting finds none yet.
func (s *Sandbox) dzApprove(q *dzRequest, reviewerID, comment, caller string) {
	d := s.dz
	now := s.now()
	q.status, q.reviewerID, q.decisionComment, q.updatedAt, q.updatedBy = "ACCEPTED", reviewerID, comment, now, caller
	for _, ref := range q.listings {
		if d.approvedSub(q.projectID, ref.listingID) != nil {
			continue
		}
		sub := &dzSubscription{
			id: s.newID(), status: "APPROVED", projectID: q.projectID, requestID: q.id, listing: ref,
			createdAt: now, updatedAt: now, createdBy: q.createdBy, updatedBy: caller,
		}
		d.subs.add(sub.id, sub)
		s.after(s.world.Durations.Fulfilment.Duration, func() { s.dzFulfil(sub, caller) })
	}
}

// dzFulfil is DataZone's background fulfilment of an approved subscription: a grant of the
// subscribed listing revision into each ACTIVE data lake environment of the subscribing project
// whose subscription target is AUTOMATIC ("Grant access to managed AWS Glue Data Catalog assets",
// aws-reference.md §6.4), journalled as DataZone's own CreateSubscriptionGrant. A target that
// already holds a live grant of the listing (one a caller made with CreateSubscriptionGrant while
// the fulfilment was pending) is left alone, so DataZone's fulfilment and a caller's grant never
// make two live grants, nor two resource links (UNCONFIRMED: what AWS does in that race is not
// documented; a second live grant is what a caller's CreateSubscriptionGrant is refused).
func (s *Sandbox) dzFulfil(sub *dzSubscription, caller string) {
	d := s.dz
	l, ok := d.listings.get(sub.listing.listingID)
	if !ok || sub.status != "APPROVED" {
		return
	}
	for _, e := range d.envs.all() {
		if e.projectID != sub.projectID || !e.isDataLake() || e.target.mode != "AUTOMATIC" || d.liveGrant(e.target.id, l.id) != nil {
			continue
		}
		g := s.dzCreateGrant(e, e.target, sub.id, l, sub.listing.revision, nil, caller)
		s.recordBackground("CreateSubscriptionGrant", g.id, map[string]string{
			"subscriptionGrantId": g.id, "environmentId": e.w.ID, "listingId": l.id, "subscriptionId": sub.id,
		})
	}
}

// request returns the subscription request named by a path parameter.
func (d *dzState) request(field, id string) (*dzRequest, error) {
	return d.requests.lookup(field, id, "Subscription request")
}

// dzDecisionIn is the body of AcceptSubscriptionRequest and RejectSubscriptionRequest.
type dzDecisionIn struct {
	DecisionComment *string `json:"decisionComment"`
}

// dzAcceptSubscriptionRequest serves AcceptSubscriptionRequest: the request is approved, which
// creates its subscriptions and grants.
func dzAcceptSubscriptionRequest(s *Sandbox, r *request) (any, error) {
	return s.dzDecide(r, "accepted", func(d *dzState, q *dzRequest, comment string) {
		s.dzApprove(q, d.userID(r.caller), comment, d.callerName(r.caller))
	})
}

// dzRejectSubscriptionRequest serves RejectSubscriptionRequest: the request becomes REJECTED with
// the caller as reviewer and the decision comment; no subscription or grant is made.
func dzRejectSubscriptionRequest(s *Sandbox, r *request) (any, error) {
	return s.dzDecide(r, "rejected", func(d *dzState, q *dzRequest, comment string) {
		q.status, q.reviewerID, q.decisionComment = "REJECTED", d.userID(r.caller), comment
		q.updatedAt, q.updatedBy = s.now(), d.callerName(r.caller)
	})
}

// dzDecide is what accepting and rejecting share: the caller must be an owner or contributor of
// the approver (listing owner) project, and only a PENDING request can be decided; deciding
// another is a ValidationException (UNCONFIRMED: the real service may answer ConflictException).
func (s *Sandbox) dzDecide(r *request, verb string, decide func(d *dzState, q *dzRequest, comment string)) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	q, err := d.request("identifier", r.params["identifier"])
	if err != nil {
		return nil, err
	}
	if err := d.requireMember(r, d.projectOf(q.approverID), dzWrite); err != nil {
		return nil, err
	}
	var in dzDecisionIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if q.status != "PENDING" {
		return nil, dzValidation("Subscription request %s is in status %s and cannot be %s", q.id, q.status, verb)
	}
	r.key("subscriptionRequestId", q.id)
	decide(d, q, deref(in.DecisionComment))
	return s.dzRequestOut(q), nil
}

// canSee reports whether the caller belongs to the subscribing or the approving project.
func (d *dzState) canSee(r *request, projectID, approverID string) bool {
	return d.isMember(r, projectID) || d.isMember(r, approverID)
}

// dzGetSubscriptionRequestDetails serves GetSubscriptionRequestDetails: members of the subscribing or the
// approver project.
func dzGetSubscriptionRequestDetails(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	q, err := d.request("identifier", r.params["identifier"])
	if err != nil {
		return nil, err
	}
	if !d.canSee(r, q.projectID, q.approverID) {
		return nil, dzDenied(r.op)
	}
	return s.dzRequestOut(q), nil
}

// projectFilters validates owningProjectId / approverProjectId query filters: each must be a
// project the caller belongs to.
func (d *dzState) projectFilters(r *request, names ...string) error {
	for _, n := range names {
		v := r.query.Get(n)
		if v == "" {
			continue
		}
		p, err := d.project(n, v)
		if err != nil {
			return err
		}
		if err := d.requireMember(r, p, dzRead); err != nil {
			return err
		}
	}
	return nil
}

// dzSubscriptionQuery is the filtering ListSubscriptionRequests and ListSubscriptions share.
type dzSubscriptionQuery struct {
	d      *dzState
	r      *request
	status string
}

// subscriptionQuery validates the owningProjectId and approverProjectId filters and reads the
// status filter, defaultStatus when absent.
func (d *dzState) subscriptionQuery(r *request, defaultStatus string) (dzSubscriptionQuery, error) {
	if err := d.projectFilters(r, "owningProjectId", "approverProjectId"); err != nil {
		return dzSubscriptionQuery{}, err
	}
	f := dzSubscriptionQuery{d: d, r: r, status: r.query.Get("status")}
	if f.status == "" {
		f.status = defaultStatus
	}
	return f, nil
}

// hides reports whether an item in status, of subscribing project projectID and approving project
// approverID, is left out: its status is not the one asked for, the caller belongs to neither
// project, or the owningProjectId or approverProjectId filter excludes it.
func (f dzSubscriptionQuery) hides(status, projectID, approverID string) bool {
	q := f.r.query
	return status != f.status || !f.d.canSee(f.r, projectID, approverID) ||
		dzMismatch(q, "owningProjectId", projectID) || dzMismatch(q, "approverProjectId", approverID)
}

// dzListSubscriptionRequests serves ListSubscriptionRequests.
// ListSubscriptionRequests lists the requests the caller can see, by default only PENDING ones,
// filtered by status, owningProjectId, approverProjectId and subscribedListingId.
func dzListSubscriptionRequests(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	f, err := d.subscriptionQuery(r, "PENDING")
	if err != nil {
		return nil, err
	}
	q := r.query
	var items []dzRequestOut
	for _, rq := range dzSorted(r, d.requests.all()) {
		switch {
		case f.hides(rq.status, rq.projectID, rq.approverID),
			q.Get("subscribedListingId") != "" && !rq.hasListing(q.Get("subscribedListingId")):
			continue
		}
		items = append(items, s.dzRequestOut(rq))
	}
	return dzListPage(r, items)
}

func (q *dzRequest) hasListing(id string) bool {
	for _, ref := range q.listings {
		if ref.listingID == id {
			return true
		}
	}
	return false
}

type dzSubscriptionOut struct {
	ID                    string                   `json:"id"`
	DomainID              string                   `json:"domainId"`
	Status                string                   `json:"status"`
	SubscribedListing     dzSubscribedListingOut   `json:"subscribedListing"`
	SubscribedPrincipal   dzSubscribedPrincipalOut `json:"subscribedPrincipal"`
	SubscriptionRequestID string                   `json:"subscriptionRequestId"`
	RetainPermissions     bool                     `json:"retainPermissions"`
	CreatedAt             *dzEpoch                 `json:"createdAt,omitempty"`
	CreatedBy             string                   `json:"createdBy"`
	UpdatedAt             *dzEpoch                 `json:"updatedAt,omitempty"`
	UpdatedBy             string                   `json:"updatedBy"`
}

func (s *Sandbox) dzSubscriptionOut(sub *dzSubscription) dzSubscriptionOut {
	return dzSubscriptionOut{
		ID: sub.id, DomainID: s.dz.domain.ID, Status: sub.status,
		SubscribedListing:     s.dzSubscribedListing(sub.listing),
		SubscribedPrincipal:   s.dz.principalOut(sub.projectID),
		SubscriptionRequestID: sub.requestID,
		CreatedAt:             ep(sub.createdAt), CreatedBy: sub.createdBy,
		UpdatedAt: ep(sub.updatedAt), UpdatedBy: sub.updatedBy,
	}
}

// ownerOf returns the project that owns a listing.
func (d *dzState) ownerOf(listingID string) string {
	if l, ok := d.listings.get(listingID); ok {
		return l.projectID
	}
	return ""
}

// dzListSubscriptions serves ListSubscriptions.
// ListSubscriptions lists the subscriptions the caller can see, by default only APPROVED ones,
// filtered by status, owningProjectId, approverProjectId, subscribedListingId and
// subscriptionRequestIdentifier.
func dzListSubscriptions(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	f, err := d.subscriptionQuery(r, "APPROVED")
	if err != nil {
		return nil, err
	}
	q := r.query
	var items []dzSubscriptionOut
	for _, sub := range dzSorted(r, d.subs.all()) {
		owner := d.ownerOf(sub.listing.listingID)
		switch {
		case f.hides(sub.status, sub.projectID, owner),
			dzMismatch(q, "subscribedListingId", sub.listing.listingID),
			dzMismatch(q, "subscriptionRequestIdentifier", sub.requestID):
			continue
		}
		items = append(items, s.dzSubscriptionOut(sub))
	}
	return dzListPage(r, items)
}

// dzGetSubscription serves GetSubscription: members of the subscribing or the listing's project.
func dzGetSubscription(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	sub, err := d.subs.lookup("identifier", r.params["identifier"], "Subscription")
	if err != nil {
		return nil, err
	}
	if !d.canSee(r, sub.projectID, d.ownerOf(sub.listing.listingID)) {
		return nil, dzDenied(r.op)
	}
	return s.dzSubscriptionOut(sub), nil
}
