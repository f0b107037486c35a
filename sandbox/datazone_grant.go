package sandbox

import (
	"fmt"
	"time"
)

// Subscription grants: fulfilling a subscription into an environment's subscription database.

// dzGrant is a subscription grant of one listing revision to one subscription target.
type dzGrant struct {
	id, status                 string
	targetID, envID, projectID string
	subscriptionID             string
	listing                    dzListingRef
	assets                     []*dzGrantAsset
	createdAt, updatedAt       time.Time
	createdBy, updatedBy       string
}

// dzGrantAsset is the grant state of one asset.
type dzGrantAsset struct {
	assetID             string
	assetRevision       int
	status              string
	wantName            string // requested target name, "" for the table name
	targetName, failure string
	grantedAt, failedAt time.Time
}

// dzCreateGrant creates a grant: PENDING/GRANT_PENDING, IN_PROGRESS/GRANT_IN_PROGRESS after a third
// of Durations.Grant, COMPLETED (or GRANT_FAILED) at its end.
func (s *Sandbox) dzCreateGrant(e *dzEnv, t *dzTarget, subID string, l *dzListing, listingRev int,
	names map[string]string, caller string) *dzGrant {
	now := s.now()
	rev := l.revision(listingRev)
	g := &dzGrant{
		id: s.newID(), status: "PENDING", targetID: t.id, envID: e.w.ID, projectID: e.projectID,
		subscriptionID: subID, listing: dzListingRef{listingID: l.id, revision: listingRev},
		createdAt: now, updatedAt: now, createdBy: caller, updatedBy: caller,
		assets: []*dzGrantAsset{{assetID: l.assetID, assetRevision: rev.assetRevision, status: "GRANT_PENDING",
			wantName: names[l.assetID]}},
	}
	s.dz.grants.add(g.id, g)
	d := s.world.Durations.Grant.Duration
	s.after(d/3, func() {
		if g.status != "PENDING" {
			return
		}
		g.status, g.updatedAt = "IN_PROGRESS", s.now()
		for _, ga := range g.assets {
			ga.status = "GRANT_IN_PROGRESS"
		}
	})
	s.after(d, func() { s.dzFinishGrant(g, e, t) })
	return g
}

// dzFinishGrant grants every asset and settles the overall status.
func (s *Sandbox) dzFinishGrant(g *dzGrant, e *dzEnv, t *dzTarget) {
	if g.status != "PENDING" && g.status != "IN_PROGRESS" {
		return
	}
	now := s.now()
	g.status, g.updatedAt = "COMPLETED", now
	for _, ga := range g.assets {
		if msg := s.dzGrantAsset(ga, e, t); msg != "" {
			ga.status, ga.failure, ga.failedAt = "GRANT_FAILED", msg, now
			g.status = "GRANT_FAILED"
			continue
		}
		ga.status, ga.grantedAt = "GRANTED", now
	}
}

// dzGrantAsset makes an asset readable by the environment's user role: a resource link in the
// subscription database pointing at the table, DESCRIBE on the link and SELECT/DESCRIBE on the
// table. It returns the failure cause, or "" on success.
func (s *Sandbox) dzGrantAsset(ga *dzGrantAsset, e *dzEnv, t *dzTarget) string {
	a, ok := s.dz.assets.get(ga.assetID)
	if !ok {
		return fmt.Sprintf("Asset %s was not found", ga.assetID)
	}
	db, table := a.db, a.table
	if _, ok := s.glueTable(db, table); !ok {
		return fmt.Sprintf("Table %s.%s was not found in the AWS Glue Data Catalog", db, table)
	}
	if managed, reason := s.lfManaged(db, table); !managed {
		if reason != "" {
			return "Asset is not managed by Lake Formation: " + reason
		}
		return "Asset is not managed by Lake Formation"
	}
	// The manage-access role must hold DESCRIBE with grant option on the database and DESCRIBE and
	// SELECT with grant option on the table ("Configure Lake Formation permissions for Amazon
	// DataZone"); the failure cause is the documented one (aws-reference.md §13).
	res := lfResource{Database: db, Table: table}
	if !s.dzCanDescribeDatabase(t.manageRole, db) ||
		!s.lfGrantable(t.manageRole, "DESCRIBE", res) || !s.lfGrantable(t.manageRole, "SELECT", res) {
		return "The manage access role does not have necessary Lake Formation permissions to grant access to this asset"
	}
	subDB := e.w.SubscriptionDatabase
	base := ga.wantName
	if base == "" {
		base = table
	}
	name := ""
	for n := 0; name == ""; n++ {
		candidate := base
		if n > 0 {
			candidate = fmt.Sprintf("%s_%d", base, n)
		}
		existing, exists := s.glueTable(subDB, candidate)
		switch {
		case !exists:
			if err := s.glueCreateResourceLink(subDB, candidate, db, table); err != nil {
				return fmt.Sprintf("Failed to create resource link %s.%s: %v", subDB, candidate, err)
			}
			name = candidate
		case existing.TargetDatabase == db && existing.TargetTable == table:
			name = candidate
		}
	}
	s.lfGrant(e.w.UserRoleARN, []string{"DESCRIBE"}, lfResource{Database: subDB, Table: name})
	s.lfGrant(e.w.UserRoleARN, []string{"SELECT", "DESCRIBE"}, res)
	ga.targetName = name
	return ""
}

type dzFailureCause struct {
	Message string `json:"message"`
}

type dzSubscribedAssetOut struct {
	AssetID          string          `json:"assetId"`
	AssetRevision    string          `json:"assetRevision"`
	Status           string          `json:"status"`
	TargetName       *string         `json:"targetName,omitempty"`
	FailureCause     *dzFailureCause `json:"failureCause,omitempty"`
	GrantedTimestamp *dzEpoch        `json:"grantedTimestamp,omitempty"`
	FailureTimestamp *dzEpoch        `json:"failureTimestamp,omitempty"`
}

type dzGrantOut struct {
	ID                   string `json:"id"`
	DomainID             string `json:"domainId"`
	Status               string `json:"status"`
	SubscriptionTargetID string `json:"subscriptionTargetId"`
	EnvironmentID        string `json:"environmentId"`
	SubscriptionID       string `json:"subscriptionId,omitempty"`
	GrantedEntity        struct {
		Listing struct {
			ID       string `json:"id"`
			Revision string `json:"revision"`
		} `json:"listing"`
	} `json:"grantedEntity"`
	Assets    []dzSubscribedAssetOut `json:"assets"`
	CreatedAt *dzEpoch               `json:"createdAt,omitempty"`
	CreatedBy string                 `json:"createdBy"`
	UpdatedAt *dzEpoch               `json:"updatedAt,omitempty"`
	UpdatedBy string                 `json:"updatedBy"`
}

func (s *Sandbox) dzGrantOut(g *dzGrant) dzGrantOut {
	o := dzGrantOut{
		ID: g.id, DomainID: s.dz.domain.ID, Status: g.status, SubscriptionTargetID: g.targetID,
		EnvironmentID: g.envID, SubscriptionID: g.subscriptionID, Assets: []dzSubscribedAssetOut{},
		CreatedAt: ep(g.createdAt), CreatedBy: g.createdBy, UpdatedAt: ep(g.updatedAt), UpdatedBy: g.updatedBy,
	}
	o.GrantedEntity.Listing.ID = g.listing.listingID
	o.GrantedEntity.Listing.Revision = dzRevision(g.listing.revision)
	for _, ga := range g.assets {
		a := dzSubscribedAssetOut{
			AssetID: ga.assetID, AssetRevision: dzRevision(ga.assetRevision), Status: ga.status,
			TargetName: str(ga.targetName), GrantedTimestamp: ep(ga.grantedAt), FailureTimestamp: ep(ga.failedAt),
		}
		if ga.failure != "" {
			a.FailureCause = &dzFailureCause{Message: ga.failure}
		}
		o.Assets = append(o.Assets, a)
	}
	return o
}

type dzCreateGrantIn struct {
	EnvironmentIdentifier        *string `json:"environmentIdentifier"`
	SubscriptionTargetIdentifier *string `json:"subscriptionTargetIdentifier"`
	GrantedEntity                struct {
		Listing *struct {
			Identifier *string `json:"identifier"`
			Revision   *string `json:"revision"`
		} `json:"listing"`
	} `json:"grantedEntity"`
	AssetTargetNames []struct {
		AssetID    string `json:"assetId"`
		TargetName string `json:"targetName"`
	} `json:"assetTargetNames"`
	ClientToken *string `json:"clientToken"`
}

// dzCreateSubscriptionGrant serves CreateSubscriptionGrant.
// CreateSubscriptionGrant grants a listing to an environment (for MANUAL targets, environments
// added after the subscription, or an AUTOMATIC target whose fulfilment is still pending). The
// environment's project needs an APPROVED subscription to the listing and the caller must be its
// owner or contributor. A second live grant of the same listing to the same target, whoever made
// the first (a caller or DataZone's fulfilment), is a ConflictException (UNCONFIRMED: what
// DataZone answers a duplicate is not documented; the operation models ConflictException); the
// same ClientToken returns the first call's grant.
func dzCreateSubscriptionGrant(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var in dzCreateGrantIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := dzRequired("environmentIdentifier", in.EnvironmentIdentifier); err != nil {
		return nil, err
	}
	e, err := d.env("environmentIdentifier", *in.EnvironmentIdentifier)
	if err != nil {
		return nil, err
	}
	if err := d.requireMember(r, d.projectOf(e.projectID), dzWrite); err != nil {
		return nil, err
	}
	if id, ok := d.token(r, r.op, in.ClientToken); ok {
		g, _ := d.grants.get(id)
		return s.dzGrantOut(g), nil
	}
	if in.GrantedEntity.Listing == nil {
		return nil, dzValidation("grantedEntity.listing is required")
	}
	l, err := d.listing("grantedEntity.listing.identifier", deref(in.GrantedEntity.Listing.Identifier))
	if err != nil {
		return nil, err
	}
	rev := l.active()
	if v := in.GrantedEntity.Listing.Revision; v != nil {
		n, ok := dzParseRevision(*v)
		if rev = l.revision(n); !ok || rev == nil {
			return nil, dzNotFound("Revision %s of listing %s not found", *v, l.id)
		}
	}
	if rev == nil {
		return nil, dzValidation("Listing %s is not ACTIVE", l.id)
	}
	t := e.target
	if id := deref(in.SubscriptionTargetIdentifier); id != "" {
		if err := dzCheckID("subscriptionTargetIdentifier", id); err != nil {
			return nil, err
		}
		if id != t.id {
			return nil, dzNotFound("Subscription target %s not found in environment %s", id, e.w.ID)
		}
	}
	sub := d.approvedSub(e.projectID, l.id)
	if sub == nil {
		return nil, dzValidation("Project %s has no approved subscription to listing %s", e.projectID, l.id)
	}
	if g := d.liveGrant(t.id, l.id); g != nil {
		return nil, dzConflict("Listing %s is already granted to subscription target %s by grant %s", l.id, t.id, g.id)
	}
	names := map[string]string{}
	for _, n := range in.AssetTargetNames {
		names[n.AssetID] = n.TargetName
	}
	g := s.dzCreateGrant(e, t, sub.id, l, rev.revision, names, d.callerName(r.caller))
	d.remember(r, r.op, in.ClientToken, g.id)
	r.key("subscriptionGrantId", g.id)
	r.key("environmentId", e.w.ID)
	r.key("listingId", l.id)
	return s.dzGrantOut(g), nil
}

// liveGrant returns a grant of the listing to the subscription target that has not failed, or
// nil: there is at most one, whoever made it.
func (d *dzState) liveGrant(targetID, listingID string) *dzGrant {
	for _, g := range d.grants.all() {
		if g.targetID == targetID && g.listing.listingID == listingID && g.status != "GRANT_FAILED" {
			return g
		}
	}
	return nil
}

// grantVisible reports whether the caller belongs to the grant's project or the listing's owner.
func (d *dzState) grantVisible(r *request, g *dzGrant) bool {
	return d.canSee(r, g.projectID, d.ownerOf(g.listing.listingID))
}

// dzGetSubscriptionGrant serves GetSubscriptionGrant: members of the subscribing or the listing's project.
func dzGetSubscriptionGrant(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	g, err := d.grants.lookup("identifier", r.params["identifier"], "Subscription grant")
	if err != nil {
		return nil, err
	}
	if !d.grantVisible(r, g) {
		return nil, dzDenied(r.op)
	}
	return s.dzGrantOut(g), nil
}

// dzListSubscriptionGrants serves ListSubscriptionGrants.
// ListSubscriptionGrants lists the grants the caller can see, filtered by environmentId,
// subscribedListingId, subscriptionId, subscriptionTargetId and owningProjectId.
func dzListSubscriptionGrants(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	if err := d.projectFilters(r, "owningProjectId"); err != nil {
		return nil, err
	}
	q := r.query
	var items []dzGrantOut
	for _, g := range dzSorted(r, d.grants.all()) {
		switch {
		case !d.grantVisible(r, g),
			dzMismatch(q, "environmentId", g.envID),
			dzMismatch(q, "subscribedListingId", g.listing.listingID),
			dzMismatch(q, "subscriptionId", g.subscriptionID),
			dzMismatch(q, "subscriptionTargetId", g.targetID),
			dzMismatch(q, "owningProjectId", g.projectID):
			continue
		}
		items = append(items, s.dzGrantOut(g))
	}
	return dzListPage(r, items)
}
