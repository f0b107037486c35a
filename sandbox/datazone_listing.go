package sandbox

import (
	"strconv"
	"strings"
	"time"
)

// Listings: publishing assets to the catalog, reading and searching listings.

// dzListing is the catalog listing of an asset; each publish of a newer asset revision adds a
// listing revision.
type dzListing struct {
	id, assetID, projectID, name string
	revisions                    []*dzListingRevision // revisions[i].revision == i+1
	status                       string               // of the latest revision
	createdAt, updatedAt         time.Time
	createdBy, updatedBy         string
}

// dzListingRevision is one published asset revision.
type dzListingRevision struct {
	revision, assetRevision int
	status                  string
	createdAt               time.Time
}

func (l *dzListing) latest() *dzListingRevision { return l.revisions[len(l.revisions)-1] }

// active returns the newest ACTIVE revision, or nil.
func (l *dzListing) active() *dzListingRevision {
	if l.status == "INACTIVE" {
		return nil
	}
	for i := len(l.revisions) - 1; i >= 0; i-- {
		if l.revisions[i].status == "ACTIVE" {
			return l.revisions[i]
		}
	}
	return nil
}

// revision returns listing revision n, or nil.
func (l *dzListing) revision(n int) *dzListingRevision {
	if n < 1 || n > len(l.revisions) {
		return nil
	}
	return l.revisions[n-1]
}

// dzPublish lists revision assetRev of a: a new listing, or a new listing revision when the listing
// shows another asset revision (or was unpublished). Publishing what is already listed returns the
// existing revision. A new revision is CREATING for Durations.Listing, then ACTIVE.
func (s *Sandbox) dzPublish(a *dzAsset, assetRev int, caller string) (*dzListing, *dzListingRevision) {
	d := s.dz
	now := s.now()
	l := a.listing
	if l != nil {
		if cur := l.latest(); cur.assetRevision == assetRev && l.status != "INACTIVE" {
			return l, cur
		}
	} else {
		l = &dzListing{id: s.newID(), assetID: a.id, projectID: a.projectID, name: a.name,
			createdAt: now, createdBy: d.callerName(caller)}
		d.listings.add(l.id, l)
		a.listing = l
	}
	rev := &dzListingRevision{revision: len(l.revisions) + 1, assetRevision: assetRev, status: "CREATING", createdAt: now}
	l.revisions = append(l.revisions, rev)
	l.status, l.updatedAt, l.updatedBy = "CREATING", now, d.callerName(caller)
	s.after(s.world.Durations.Listing.Duration, func() {
		if rev.status != "CREATING" {
			return
		}
		rev.status = "ACTIVE"
		if l.latest() == rev {
			l.status, l.updatedAt = "ACTIVE", s.now()
		}
	})
	return l, rev
}

type dzChangeSetIn struct {
	Action           string  `json:"action"`
	EntityIdentifier *string `json:"entityIdentifier"`
	EntityRevision   *string `json:"entityRevision"`
	EntityType       string  `json:"entityType"`
	ClientToken      *string `json:"clientToken"`
}

type dzChangeSetOut struct {
	ListingID       string `json:"listingId"`
	ListingRevision string `json:"listingRevision"`
	Status          string `json:"status"`
}

// dzCreateListingChangeSet serves CreateListingChangeSet.
// CreateListingChangeSet publishes (or unpublishes) an asset, at its newest revision only. The
// caller must be an owner or contributor of the asset's project; the same ClientToken returns the
// first call's listing.
func dzCreateListingChangeSet(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var in dzChangeSetIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := dzRequired("entityIdentifier", in.EntityIdentifier); err != nil {
		return nil, err
	}
	if in.EntityType != "ASSET" {
		return nil, dzValidation("Entity type %s is not supported in this domain", in.EntityType)
	}
	if in.Action != "PUBLISH" && in.Action != "UNPUBLISH" {
		return nil, dzValidation("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [PUBLISH, UNPUBLISH]", in.Action)
	}
	a, err := d.asset("entityIdentifier", *in.EntityIdentifier)
	if err != nil {
		return nil, err
	}
	if err := d.requireMember(r, d.projectOf(a.projectID), dzWrite); err != nil {
		return nil, err
	}
	if id, ok := d.token(r, r.op, in.ClientToken); ok {
		lid, n, _ := strings.Cut(id, "#")
		l, _ := d.listings.get(lid)
		rn, _ := strconv.Atoi(n)
		rev := l.revision(rn)
		st := rev.status
		if l.status == "INACTIVE" {
			st = "INACTIVE"
		}
		return dzChangeSetOut{ListingID: l.id, ListingRevision: dzRevision(rev.revision), Status: st}, nil
	}
	if in.Action == "UNPUBLISH" {
		l := a.listing
		if l == nil {
			return nil, dzValidation("Asset %s is not published", a.id)
		}
		r.key("assetId", a.id)
		r.key("action", in.Action)
		l.status, l.updatedAt, l.updatedBy = "INACTIVE", s.now(), d.callerName(r.caller)
		l.latest().status = "INACTIVE"
		d.remember(r, r.op, in.ClientToken, l.id+"#"+strconv.Itoa(l.latest().revision))
		return dzChangeSetOut{ListingID: l.id, ListingRevision: dzRevision(l.latest().revision), Status: "INACTIVE"}, nil
	}
	assetRev := len(a.revisions)
	if in.EntityRevision != nil {
		n, ok := dzParseRevision(*in.EntityRevision)
		if !ok || a.revision(n) == nil {
			return nil, dzNotFound("Revision %s of asset %s not found", *in.EntityRevision, a.id)
		}
		// Only the newest revision of an asset can be published: a listing shows the asset as
		// it is (UNCONFIRMED: the error AWS answers for an older revision is not documented;
		// the operation models ValidationException and ConflictException, aws-reference.md §13).
		if n != assetRev {
			return nil, dzValidation("Revision %s of asset %s is not its latest revision (%s); only the latest "+
				"revision can be published", *in.EntityRevision, a.id, dzRevision(assetRev))
		}
	}
	l, rev := s.dzPublish(a, assetRev, r.caller)
	d.remember(r, r.op, in.ClientToken, l.id+"#"+strconv.Itoa(rev.revision))
	r.key("assetId", a.id)
	r.key("action", in.Action)
	r.key("listingId", l.id)
	r.key("listingRevision", dzRevision(rev.revision))
	return dzChangeSetOut{ListingID: l.id, ListingRevision: dzRevision(rev.revision), Status: rev.status}, nil
}

type dzAssetListingOut struct {
	AssetID         string   `json:"assetId"`
	AssetRevision   string   `json:"assetRevision"`
	AssetType       string   `json:"assetType"`
	OwningProjectID string   `json:"owningProjectId"`
	Forms           string   `json:"forms"`
	CreatedAt       *dzEpoch `json:"createdAt,omitempty"`
}

type dzGetListingOut struct {
	ID              string   `json:"id"`
	DomainID        string   `json:"domainId"`
	ListingRevision string   `json:"listingRevision"`
	Name            string   `json:"name"`
	Status          string   `json:"status"`
	CreatedAt       *dzEpoch `json:"createdAt,omitempty"`
	CreatedBy       string   `json:"createdBy"`
	UpdatedAt       *dzEpoch `json:"updatedAt,omitempty"`
	UpdatedBy       string   `json:"updatedBy"`
	Item            struct {
		AssetListing dzAssetListingOut `json:"assetListing"`
	} `json:"item"`
}

// listing returns the listing named by a path parameter.
func (d *dzState) listing(field, id string) (*dzListing, error) {
	return d.listings.lookup(field, id, "Listing")
}

// dzGetListing serves GetListing.
// GetListing returns a listing (latest or a given revision). Any caller may read the catalog.
func dzGetListing(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	l, err := d.listing("identifier", r.params["identifier"])
	if err != nil {
		return nil, err
	}
	rev := l.latest()
	if v := r.query.Get("listingRevision"); v != "" {
		n, ok := dzParseRevision(v)
		if rev = l.revision(n); !ok || rev == nil {
			return nil, dzNotFound("Revision %s of listing %s not found", v, l.id)
		}
	}
	a, _ := d.assets.get(l.assetID)
	status := rev.status
	if l.status == "INACTIVE" {
		status = "INACTIVE"
	}
	o := dzGetListingOut{
		ID: l.id, DomainID: d.domain.ID, ListingRevision: dzRevision(rev.revision), Name: l.name, Status: status,
		CreatedAt: ep(l.createdAt), CreatedBy: l.createdBy, UpdatedAt: ep(l.updatedAt), UpdatedBy: l.updatedBy,
	}
	arev := a.revision(rev.assetRevision)
	o.Item.AssetListing = dzAssetListingOut{
		AssetID: a.id, AssetRevision: dzRevision(rev.assetRevision), AssetType: dzGlueAssetType,
		OwningProjectID: a.projectID, Forms: s.dzListingForms(a, arev), CreatedAt: ep(rev.createdAt),
	}
	return o, nil
}

type dzSearchListingsIn struct {
	SearchText           *string         `json:"searchText"`
	Filters              *dzFilterClause `json:"filters"`
	AdditionalAttributes []string        `json:"additionalAttributes"`
	MaxResults           *int32          `json:"maxResults"`
	NextToken            *string         `json:"nextToken"`
}

type dzAssetListingItem struct {
	ListingID            string   `json:"listingId"`
	ListingRevision      string   `json:"listingRevision"`
	EntityID             string   `json:"entityId"`
	EntityRevision       string   `json:"entityRevision"`
	EntityType           string   `json:"entityType"`
	Name                 string   `json:"name"`
	OwningProjectID      string   `json:"owningProjectId"`
	ListingCreatedBy     string   `json:"listingCreatedBy"`
	ListingUpdatedBy     string   `json:"listingUpdatedBy"`
	CreatedAt            *dzEpoch `json:"createdAt,omitempty"`
	AdditionalAttributes *struct {
		Forms string `json:"forms"`
	} `json:"additionalAttributes,omitempty"`
}

type dzSearchListingsItem struct {
	AssetListing *dzAssetListingItem `json:"assetListing,omitempty"`
}

// dzSearchListings serves SearchListings.
// SearchListings searches the catalog: every listing with an ACTIVE revision, matched on name by
// searchText and on owningProjectId, name, typeName, entityId, listingId and
// amazonmetadata.sourceCategory by filters. Any caller may search.
func dzSearchListings(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var in dzSearchListingsIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	forms := false
	for _, a := range in.AdditionalAttributes {
		forms = forms || a == "FORMS"
	}
	var items []dzSearchListingsItem
	for _, l := range d.listings.all() {
		rev := l.active()
		if rev == nil || !dzTextMatch(deref(in.SearchText), l.name) {
			continue
		}
		ok, err := in.Filters.match(map[string]string{
			"owningProjectId": l.projectID, "name": l.name, "typeName": dzGlueAssetTypeName,
			"typeIdentifier": dzGlueAssetType, "entityId": l.assetID, "listingId": l.id,
			"amazonmetadata.sourceCategory": "asset",
		})
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		it := &dzAssetListingItem{
			ListingID: l.id, ListingRevision: dzRevision(rev.revision), EntityID: l.assetID,
			EntityRevision: dzRevision(rev.assetRevision), EntityType: dzGlueAssetType, Name: l.name,
			OwningProjectID: l.projectID, ListingCreatedBy: l.createdBy, ListingUpdatedBy: l.updatedBy,
			CreatedAt: ep(rev.createdAt),
		}
		if forms {
			a, _ := d.assets.get(l.assetID)
			it.AdditionalAttributes = &struct {
				Forms string `json:"forms"`
			}{Forms: s.dzListingForms(a, a.revision(rev.assetRevision))}
		}
		items = append(items, dzSearchListingsItem{AssetListing: it})
	}
	return dzSearchPage(in.MaxResults, in.NextToken, items)
}
