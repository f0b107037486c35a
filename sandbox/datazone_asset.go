package sandbox

import (
	"encoding/json"
	"time"
)

// Inventory assets: what data source runs import from Glue tables.

// Asset type and form names of Glue table assets.
const (
	dzGlueAssetType     = "amazon.datazone.GlueTableAssetType"
	dzGlueAssetTypeName = "GlueTableAssetType"
	dzGlueFormName      = "GlueTableForm"
	dzGlueFormType      = "amazon.datazone.GlueTableFormType"
)

// dzAsset is a Glue table asset of a project, with every revision it went through.
type dzAsset struct {
	id, projectID, name  string
	db, table, external  string
	revisions            []*dzAssetRevision // revisions[i].revision == i+1
	importedVersion      int                // Glue VersionID of the last import
	listing              *dzListing
	createdAt            time.Time
	createdBy, updatedBy string
}

// dzAssetRevision is the table schema an asset revision captured.
type dzAssetRevision struct {
	revision  int
	columns   []GlueColumn
	location  string
	createdAt time.Time
	createdBy string
}

// latest returns the newest revision.
func (a *dzAsset) latest() *dzAssetRevision { return a.revisions[len(a.revisions)-1] }

// revision returns revision n, or nil.
func (a *dzAsset) revision(n int) *dzAssetRevision {
	if n < 1 || n > len(a.revisions) {
		return nil
	}
	return a.revisions[n-1]
}

// dzUpsertAsset creates the asset of a Glue table in a project, or adds a revision when the table
// changed since the last import. It returns the activity status.
func (s *Sandbox) dzUpsertAsset(projectID, caller string, t *glueTable) (*dzAsset, string) {
	d := s.dz
	ext := s.dzGlueTableARN(t.Database, t.Name)
	now := s.now()
	rev := func(n int) *dzAssetRevision {
		return &dzAssetRevision{revision: n, columns: append([]GlueColumn(nil), t.Columns...), location: t.Location,
			createdAt: now, createdBy: d.callerName(caller)}
	}
	for _, a := range d.assets.all() {
		if a.projectID != projectID || a.external != ext {
			continue
		}
		if a.importedVersion == t.VersionID {
			return a, "UNCHANGED"
		}
		a.revisions = append(a.revisions, rev(len(a.revisions)+1))
		a.importedVersion, a.updatedBy = t.VersionID, d.callerName(caller)
		return a, "SUCCEEDED_UPDATED"
	}
	a := &dzAsset{
		id: s.newID(), projectID: projectID, name: t.Name, db: t.Database, table: t.Name, external: ext,
		revisions: []*dzAssetRevision{rev(1)}, importedVersion: t.VersionID, createdAt: now,
		createdBy: d.callerName(caller), updatedBy: d.callerName(caller),
	}
	d.assets.add(a.id, a)
	return a, "SUCCEEDED_CREATED"
}

type dzColumnForm struct {
	ColumnName string `json:"columnName"`
	DataType   string `json:"dataType"`
}

type dzGlueTableForm struct {
	CatalogID            string         `json:"catalogId"`
	Region               string         `json:"region"`
	DatabaseName         string         `json:"databaseName"`
	TableName            string         `json:"tableName"`
	TableARN             string         `json:"tableArn"`
	SourceClassification string         `json:"sourceClassification"`
	Columns              []dzColumnForm `json:"columns"`
}

// dzGlueForm returns the GlueTableForm content of an asset revision.
func (s *Sandbox) dzGlueForm(a *dzAsset, rev *dzAssetRevision) dzGlueTableForm {
	f := dzGlueTableForm{
		CatalogID: s.world.Account, Region: s.world.Region, DatabaseName: a.db, TableName: a.table,
		TableARN: a.external, SourceClassification: "csv", Columns: []dzColumnForm{},
	}
	for _, c := range rev.columns {
		f.Columns = append(f.Columns, dzColumnForm{ColumnName: c.Name, DataType: c.Type})
	}
	return f
}

// dzFormsOutput is the FormsOutput of an asset revision.
func (s *Sandbox) dzFormsOutput(a *dzAsset, rev *dzAssetRevision) []dzFormOut {
	b, _ := json.Marshal(s.dzGlueForm(a, rev))
	content := string(b)
	typeName, typeRev := dzGlueFormType, "1"
	return []dzFormOut{{FormName: dzGlueFormName, TypeName: &typeName, TypeRevision: &typeRev, Content: &content}}
}

// dzListingForms is the Forms string of a listing: form name -> content.
func (s *Sandbox) dzListingForms(a *dzAsset, rev *dzAssetRevision) string {
	b, _ := json.Marshal(map[string]dzGlueTableForm{dzGlueFormName: s.dzGlueForm(a, rev)})
	return string(b)
}

type dzAssetListingDetails struct {
	ListingID     string `json:"listingId"`
	ListingStatus string `json:"listingStatus"`
}

type dzGetAssetOut struct {
	ID                     string                 `json:"id"`
	DomainID               string                 `json:"domainId"`
	Name                   string                 `json:"name"`
	Revision               string                 `json:"revision"`
	OwningProjectID        string                 `json:"owningProjectId"`
	ExternalIdentifier     string                 `json:"externalIdentifier"`
	TypeIdentifier         string                 `json:"typeIdentifier"`
	TypeRevision           string                 `json:"typeRevision"`
	FormsOutput            []dzFormOut            `json:"formsOutput"`
	ReadOnlyFormsOutput    []dzFormOut            `json:"readOnlyFormsOutput,omitempty"`
	Listing                *dzAssetListingDetails `json:"listing,omitempty"`
	CreatedAt              *dzEpoch               `json:"createdAt,omitempty"`
	CreatedBy              string                 `json:"createdBy"`
	FirstRevisionCreatedAt *dzEpoch               `json:"firstRevisionCreatedAt,omitempty"`
	FirstRevisionCreatedBy string                 `json:"firstRevisionCreatedBy"`
}

// dzGetAsset serves GetAsset.
// GetAsset returns an asset (optionally a given revision) to any member of its owning project.
func dzGetAsset(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	a, err := dzAccessible(d, r, "identifier", dzRead, d.asset)
	if err != nil {
		return nil, err
	}
	rev := a.latest()
	if v := r.query.Get("revision"); v != "" {
		n, ok := dzParseRevision(v)
		if rev = a.revision(n); !ok || rev == nil {
			return nil, dzNotFound("Revision %s of asset %s not found", v, a.id)
		}
	}
	o := dzGetAssetOut{
		ID: a.id, DomainID: d.domain.ID, Name: a.name, Revision: dzRevision(rev.revision),
		OwningProjectID: a.projectID, ExternalIdentifier: a.external,
		TypeIdentifier: dzGlueAssetType, TypeRevision: "1",
		FormsOutput: s.dzFormsOutput(a, rev),
		CreatedAt:   ep(rev.createdAt), CreatedBy: rev.createdBy,
		FirstRevisionCreatedAt: ep(a.createdAt), FirstRevisionCreatedBy: a.createdBy,
	}
	if a.listing != nil {
		o.Listing = &dzAssetListingDetails{ListingID: a.listing.id, ListingStatus: a.listing.status}
	}
	return o, nil
}

// asset returns the asset named by a path parameter.
func (d *dzState) asset(field, id string) (*dzAsset, error) {
	return d.assets.lookup(field, id, "Asset")
}

type dzSearchIn struct {
	SearchScope             string          `json:"searchScope"`
	OwningProjectIdentifier *string         `json:"owningProjectIdentifier"`
	SearchText              *string         `json:"searchText"`
	Filters                 *dzFilterClause `json:"filters"`
	AdditionalAttributes    []string        `json:"additionalAttributes"`
	MaxResults              *int32          `json:"maxResults"`
	NextToken               *string         `json:"nextToken"`
}

type dzAssetItem struct {
	Identifier             string   `json:"identifier"`
	DomainID               string   `json:"domainId"`
	Name                   string   `json:"name"`
	OwningProjectID        string   `json:"owningProjectId"`
	ExternalIdentifier     string   `json:"externalIdentifier"`
	TypeIdentifier         string   `json:"typeIdentifier"`
	TypeRevision           string   `json:"typeRevision"`
	CreatedAt              *dzEpoch `json:"createdAt,omitempty"`
	CreatedBy              string   `json:"createdBy"`
	FirstRevisionCreatedAt *dzEpoch `json:"firstRevisionCreatedAt,omitempty"`
	FirstRevisionCreatedBy string   `json:"firstRevisionCreatedBy"`
	AdditionalAttributes   *struct {
		FormsOutput []dzFormOut `json:"formsOutput"`
	} `json:"additionalAttributes,omitempty"`
}

type dzSearchItem struct {
	AssetItem *dzAssetItem `json:"assetItem,omitempty"`
}

// dzSearch serves Search.
// Search searches the inventory. Scope ASSET returns the assets of OwningProjectIdentifier (its
// members only) or, without it, of every project the caller belongs to; other scopes are empty.
// The operation models no ResourceNotFoundException, so an unknown project is AccessDeniedException.
func dzSearch(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var in dzSearchIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	switch in.SearchScope {
	case "ASSET", "GLOSSARY", "GLOSSARY_TERM", "DATA_PRODUCT":
	default:
		return nil, dzValidation("1 validation error detected: Value '%s' at 'searchScope' failed to satisfy "+
			"constraint: Member must satisfy enum value set: [ASSET, GLOSSARY, GLOSSARY_TERM, DATA_PRODUCT]", in.SearchScope)
	}
	owning := deref(in.OwningProjectIdentifier)
	if owning != "" {
		if err := dzCheckID("owningProjectIdentifier", owning); err != nil {
			return nil, err
		}
		if !d.isMember(r, owning) {
			return nil, dzDenied(r.op)
		}
	}
	forms := false
	for _, a := range in.AdditionalAttributes {
		forms = forms || a == "FORMS"
	}
	var items []dzSearchItem
	if in.SearchScope == "ASSET" {
		for _, a := range d.assets.all() {
			if (owning != "" && a.projectID != owning) || (owning == "" && !d.isMember(r, a.projectID)) {
				continue
			}
			if !dzTextMatch(deref(in.SearchText), a.name, a.external) {
				continue
			}
			ok, err := in.Filters.match(map[string]string{
				"owningProjectId": a.projectID, "name": a.name, "typeIdentifier": dzGlueAssetType,
				"typeName": dzGlueAssetTypeName, "externalIdentifier": a.external,
				"amazonmetadata.sourceCategory": "asset",
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			rev := a.latest()
			it := &dzAssetItem{
				Identifier: a.id, DomainID: d.domain.ID, Name: a.name, OwningProjectID: a.projectID,
				ExternalIdentifier: a.external, TypeIdentifier: dzGlueAssetType, TypeRevision: "1",
				CreatedAt: ep(rev.createdAt), CreatedBy: rev.createdBy,
				FirstRevisionCreatedAt: ep(a.createdAt), FirstRevisionCreatedBy: a.createdBy,
			}
			if forms {
				it.AdditionalAttributes = &struct {
					FormsOutput []dzFormOut `json:"formsOutput"`
				}{FormsOutput: s.dzFormsOutput(a, rev)}
			}
			items = append(items, dzSearchItem{AssetItem: it})
		}
	}
	return dzSearchPage(in.MaxResults, in.NextToken, items)
}
