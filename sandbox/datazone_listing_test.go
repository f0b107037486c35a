package sandbox_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/sandbox"
)

// glueTableForm is the part of the GlueTableForm content the tests read.
type glueTableForm struct {
	DatabaseName string `json:"databaseName"`
	TableName    string `json:"tableName"`
	Columns      []struct {
		ColumnName string `json:"columnName"`
		DataType   string `json:"dataType"`
	} `json:"columns"`
}

func columnsOf(t *testing.T, forms []dztypes.FormOutput) []string {
	t.Helper()
	for _, f := range forms {
		if aws.ToString(f.FormName) != "GlueTableForm" {
			continue
		}
		var c glueTableForm
		if err := json.Unmarshal([]byte(aws.ToString(f.Content)), &c); err != nil {
			t.Fatalf("GlueTableForm content: %v", err)
		}
		var cols []string
		for _, col := range c.Columns {
			cols = append(cols, col.ColumnName+":"+col.DataType)
		}
		return cols
	}
	t.Fatalf("no GlueTableForm in %+v", forms)
	return nil
}

func TestDataZoneAssetRevisions(t *testing.T) {
	h := startDZ(t)
	dsID, run1 := h.firstRun("revisions", false, glueConfig("shop_db", include("orders")))
	assetID := h.assets(run1)["orders"]
	if !sandbox.ChangeGlueTableForTest(h.s, "shop_db", "orders", []sandbox.GlueColumn{
		{Name: "order_id", Type: "bigint"}, {Name: "customer", Type: "string"}, {Name: "region", Type: "string"}}) {
		t.Fatal("orders table not found")
	}
	rerun := func() (string, dztypes.DataSourceRunActivity) {
		out, err := h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{
			DomainIdentifier: aws.String(dzDomain), DataSourceIdentifier: aws.String(dsID)})
		if err != nil {
			t.Fatal(err)
		}
		h.advance(dzRun)
		acts, err := h.admin.ListDataSourceRunActivities(h.ctx, &datazone.ListDataSourceRunActivitiesInput{
			DomainIdentifier: aws.String(dzDomain), Identifier: out.Id})
		if err != nil || len(acts.Items) != 1 {
			t.Fatalf("activities: %v (%d)", err, len(acts.Items))
		}
		return aws.ToString(out.Id), acts.Items[0]
	}
	run2, act2 := rerun()
	_, act3 := rerun()
	runs := []struct {
		name    string
		act     dztypes.DataSourceRunActivity
		want    dztypes.DataAssetActivityStatus
		revison string
	}{
		{"changed table is updated", act2, dztypes.DataAssetActivityStatusSucceededUpdated, "2"},
		{"unchanged table", act3, dztypes.DataAssetActivityStatusUnchanged, "2"},
	}
	for _, tt := range runs {
		t.Run(tt.name, func(t *testing.T) {
			if tt.act.DataAssetStatus != tt.want || aws.ToString(tt.act.DataAssetId) != assetID {
				t.Errorf("activity = %s asset %s, want %s asset %s", tt.act.DataAssetStatus,
					aws.ToString(tt.act.DataAssetId), tt.want, assetID)
			}
		})
	}
	r2, err := h.admin.GetDataSourceRun(h.ctx, &datazone.GetDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: aws.String(run2)})
	if err != nil || aws.ToInt32(r2.RunStatisticsForAssets.Updated) != 1 || r2.Status != dztypes.DataSourceRunStatusSuccess {
		t.Errorf("second run = %v %+v", err, r2)
	}

	revisions := []struct {
		name     string
		revision *string
		want     string
		columns  int
	}{
		{"latest", nil, "2", 3},
		{"first", aws.String("1"), "1", 2},
		{"second", aws.String("2"), "2", 3},
	}
	for _, tt := range revisions {
		t.Run("GetAsset "+tt.name, func(t *testing.T) {
			a, err := h.viewer.GetAsset(h.ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(dzDomain),
				Identifier: aws.String(assetID), Revision: tt.revision})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(a.Revision) != tt.want || len(columnsOf(t, a.FormsOutput)) != tt.columns {
				t.Errorf("revision %s with %v, want %s with %d columns", aws.ToString(a.Revision),
					columnsOf(t, a.FormsOutput), tt.want, tt.columns)
			}
		})
	}
	_, err = h.admin.GetAsset(h.ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: aws.String(assetID), Revision: aws.String("3")})
	wantErrorKind(t, err, "notfound", "Revision 3")
}

func TestDataZoneGetAssetAndSearch(t *testing.T) {
	h := startDZ(t)
	_, runID := h.firstRun("search", false, glueConfig("shop_db"))
	assets := h.assets(runID)
	a, err := h.admin.GetAsset(h.ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: aws.String(assets["orders"])})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(a.Name) != "orders" || aws.ToString(a.Revision) != "1" || aws.ToString(a.OwningProjectId) != dzSales ||
		aws.ToString(a.ExternalIdentifier) != "arn:aws:glue:us-east-1:111122223333:table/shop_db/orders" ||
		aws.ToString(a.TypeIdentifier) != "amazon.datazone.GlueTableAssetType" || a.Listing != nil {
		t.Errorf("GetAsset = name %s rev %s project %s external %s type %s listing %+v", aws.ToString(a.Name),
			aws.ToString(a.Revision), aws.ToString(a.OwningProjectId), aws.ToString(a.ExternalIdentifier),
			aws.ToString(a.TypeIdentifier), a.Listing)
	}
	if cols := columnsOf(t, a.FormsOutput); len(cols) != 2 || cols[0] != "order_id:bigint" || cols[1] != "customer:string" {
		t.Errorf("columns = %v", cols)
	}

	tests := []struct {
		name  string
		c     *datazone.Client
		in    datazone.SearchInput
		want  []string
		kind  string
		forms bool
	}{
		{"project inventory", h.admin, datazone.SearchInput{SearchScope: dztypes.InventorySearchScopeAsset,
			OwningProjectIdentifier: aws.String(dzSales)}, []string{"orders", "orders_archive", "customers", "legacy"}, "", false},
		{"search text", h.viewer, datazone.SearchInput{SearchScope: dztypes.InventorySearchScopeAsset,
			OwningProjectIdentifier: aws.String(dzSales), SearchText: aws.String("orders"),
			AdditionalAttributes: []dztypes.SearchOutputAdditionalAttribute{dztypes.SearchOutputAdditionalAttributeForms}},
			[]string{"orders", "orders_archive"}, "", true},
		{"other project's inventory is empty", h.analyst, datazone.SearchInput{SearchScope: dztypes.InventorySearchScopeAsset,
			OwningProjectIdentifier: aws.String(dzMarketing)}, nil, "", false},
		{"without a project, the caller's projects", h.analyst, datazone.SearchInput{
			SearchScope: dztypes.InventorySearchScopeAsset}, nil, "", false},
		{"glossary scope", h.admin, datazone.SearchInput{SearchScope: dztypes.InventorySearchScopeGlossary,
			OwningProjectIdentifier: aws.String(dzSales)}, nil, "", false},
		{"non-member", h.outsider, datazone.SearchInput{SearchScope: dztypes.InventorySearchScopeAsset,
			OwningProjectIdentifier: aws.String(dzSales)}, nil, "denied", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.DomainIdentifier, in.MaxResults = aws.String(dzDomain), aws.Int32(3)
			pager := datazone.NewSearchPaginator(tt.c, &in)
			got := map[string]bool{}
			for pager.HasMorePages() {
				page, err := pager.NextPage(h.ctx)
				if tt.kind != "" {
					wantErrorKind(t, err, tt.kind, "Search")
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range page.Items {
					item, ok := it.(*dztypes.SearchInventoryResultItemMemberAssetItem)
					if !ok {
						t.Fatalf("item %T", it)
					}
					got[aws.ToString(item.Value.Name)] = true
					if aws.ToString(item.Value.Identifier) != assets[aws.ToString(item.Value.Name)] {
						t.Errorf("%s identifier = %s", aws.ToString(item.Value.Name), aws.ToString(item.Value.Identifier))
					}
					if hasForms := item.Value.AdditionalAttributes != nil && len(item.Value.AdditionalAttributes.FormsOutput) > 0; hasForms != tt.forms {
						t.Errorf("forms returned = %v, want %v", hasForms, tt.forms)
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("found %v, want %v", got, tt.want)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("missing %s in %v", w, got)
				}
			}
		})
	}
}

func TestDataZonePublish(t *testing.T) {
	h := startDZ(t)
	dsID, runID := h.firstRun("publish", false, glueConfig("shop_db"))
	assets := h.assets(runID)
	publish := func(c *datazone.Client, asset, token string, rev *string) (*datazone.CreateListingChangeSetOutput, error) {
		in := &datazone.CreateListingChangeSetInput{DomainIdentifier: aws.String(dzDomain),
			EntityIdentifier: aws.String(asset), EntityType: dztypes.EntityTypeAsset, Action: dztypes.ChangeActionPublish,
			EntityRevision: rev}
		if token != "" {
			in.ClientToken = aws.String(token)
		}
		return c.CreateListingChangeSet(h.ctx, in)
	}
	first, err := publish(h.workflow, assets["orders"], "pub-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	listingID := aws.ToString(first.ListingId)
	getListing := func() *datazone.GetListingOutput {
		l, err := h.outsider.GetListing(h.ctx, &datazone.GetListingInput{DomainIdentifier: aws.String(dzDomain),
			Identifier: aws.String(listingID)})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if first.Status != dztypes.ListingStatusCreating || aws.ToString(first.ListingRevision) != "1" ||
		getListing().Status != dztypes.ListingStatusCreating {
		t.Fatalf("publish = %s rev %s", first.Status, aws.ToString(first.ListingRevision))
	}
	h.advance(dzList)
	l := getListing()
	item, ok := l.Item.(*dztypes.ListingItemMemberAssetListing)
	if l.Status != dztypes.ListingStatusActive || !ok || aws.ToString(item.Value.AssetId) != assets["orders"] ||
		aws.ToString(item.Value.AssetRevision) != "1" || aws.ToString(item.Value.OwningProjectId) != dzSales {
		t.Fatalf("GetListing = %s %+v", l.Status, l.Item)
	}
	var forms map[string]glueTableForm
	if err := json.Unmarshal([]byte(aws.ToString(item.Value.Forms)), &forms); err != nil || forms["GlueTableForm"].TableName != "orders" {
		t.Errorf("listing forms = %s (%v)", aws.ToString(item.Value.Forms), err)
	}
	a, err := h.admin.GetAsset(h.ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: aws.String(assets["orders"])})
	if err != nil || a.Listing == nil || aws.ToString(a.Listing.ListingId) != listingID || a.Listing.ListingStatus != dztypes.ListingStatusActive {
		t.Fatalf("asset listing = %+v (%v)", a.Listing, err)
	}

	sandbox.ChangeGlueTableForTest(h.s, "shop_db", "orders", []sandbox.GlueColumn{{Name: "order_id", Type: "bigint"}})
	if _, err := h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
		DataSourceIdentifier: aws.String(dsID)}); err != nil {
		t.Fatal(err)
	}
	h.advance(dzRun)

	tests := []struct {
		name       string
		c          *datazone.Client
		asset      string
		token      string
		rev        *string
		kind       string
		wantID     string // "" for a new listing
		wantRev    string
		wantStatus dztypes.ListingStatus
	}{
		{"same token", h.workflow, assets["orders"], "pub-1", nil, "", listingID, "1", dztypes.ListingStatusActive},
		{"older asset revision, although listed", h.admin, assets["orders"], "", aws.String("1"), "validation", "", "", ""},
		{"newer asset revision", h.admin, assets["orders"], "pub-2", nil, "", listingID, "2", dztypes.ListingStatusCreating},
		{"same newer revision again", h.admin, assets["orders"], "", aws.String("2"), "", listingID, "2", dztypes.ListingStatusCreating},
		{"viewer may not publish", h.viewer, assets["customers"], "", nil, "denied", "", "", ""},
		{"unknown revision", h.admin, assets["customers"], "", aws.String("7"), "notfound", "", "", ""},
		{"another asset", h.admin, assets["customers"], "", nil, "", "", "1", dztypes.ListingStatusCreating},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := publish(tt.c, tt.asset, tt.token, tt.rev)
			wantErrorKind(t, err, tt.kind, "")
			if err != nil {
				return
			}
			if (tt.wantID != "" && aws.ToString(out.ListingId) != tt.wantID) || (tt.wantID == "" && aws.ToString(out.ListingId) == listingID) ||
				aws.ToString(out.ListingRevision) != tt.wantRev || out.Status != tt.wantStatus {
				t.Errorf("publish = %s rev %s %s, want %s rev %s %s", aws.ToString(out.ListingId),
					aws.ToString(out.ListingRevision), out.Status, tt.wantID, tt.wantRev, tt.wantStatus)
			}
		})
	}
	h.advance(dzList)
	if l := getListing(); l.Status != dztypes.ListingStatusActive || aws.ToString(l.ListingRevision) != "2" {
		t.Errorf("listing after republish = %s rev %s", l.Status, aws.ToString(l.ListingRevision))
	}
	old, err := h.admin.GetListing(h.ctx, &datazone.GetListingInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: aws.String(listingID), ListingRevision: aws.String("1")})
	if err != nil || aws.ToString(old.ListingRevision) != "1" {
		t.Errorf("listing revision 1 = %+v (%v)", old, err)
	}
}

func TestDataZonePublishOnImportAndSearchListings(t *testing.T) {
	h := startDZ(t)
	_, runID := h.firstRun("auto-publish", true, glueConfig("shop_db", include("orders*")))
	assets := h.assets(runID)
	for table, id := range assets {
		a, err := h.admin.GetAsset(h.ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(id)})
		if err != nil || a.Listing == nil || a.Listing.ListingStatus != dztypes.ListingStatusCreating {
			t.Fatalf("%s listing right after the run = %+v (%v), want CREATING", table, a.Listing, err)
		}
	}
	search := func(in *datazone.SearchListingsInput) []string {
		in.DomainIdentifier = aws.String(dzDomain)
		out, err := h.outsider.SearchListings(h.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, it := range out.Items {
			names = append(names, aws.ToString(it.(*dztypes.SearchResultItemMemberAssetListing).Value.Name))
		}
		return names
	}
	if got := search(&datazone.SearchListingsInput{}); len(got) != 0 {
		t.Errorf("CREATING listings are searchable: %v", got)
	}
	h.advance(dzList)
	filter := func(attr, value string) dztypes.FilterClause {
		return &dztypes.FilterClauseMemberFilter{Value: dztypes.Filter{Attribute: aws.String(attr), Value: aws.String(value)}}
	}
	tests := []struct {
		name string
		in   datazone.SearchListingsInput
		want int
		kind string
	}{
		{"all", datazone.SearchListingsInput{}, 2, ""},
		{"text", datazone.SearchListingsInput{SearchText: aws.String("archive")}, 1, ""},
		{"owning project", datazone.SearchListingsInput{Filters: filter("owningProjectId", dzSales)}, 2, ""},
		{"other project", datazone.SearchListingsInput{Filters: filter("owningProjectId", dzMarketing)}, 0, ""},
		{"and", datazone.SearchListingsInput{Filters: &dztypes.FilterClauseMemberAnd{Value: []dztypes.FilterClause{
			filter("owningProjectId", dzSales), filter("amazonmetadata.sourceCategory", "asset"),
			filter("typeName", "GlueTableAssetType")}}}, 2, ""},
		{"unknown attribute", datazone.SearchListingsInput{Filters: filter("color", "blue")}, 0, "validation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.DomainIdentifier = aws.String(dzDomain)
			out, err := h.outsider.SearchListings(h.ctx, &in)
			wantErrorKind(t, err, tt.kind, "")
			if err == nil && len(out.Items) != tt.want {
				t.Errorf("got %d listings, want %d", len(out.Items), tt.want)
			}
		})
	}
	out, err := h.admin.SearchListings(h.ctx, &datazone.SearchListingsInput{DomainIdentifier: aws.String(dzDomain),
		SearchText:           aws.String("orders_archive"),
		AdditionalAttributes: []dztypes.SearchOutputAdditionalAttribute{dztypes.SearchOutputAdditionalAttributeForms}})
	if err != nil || len(out.Items) != 1 {
		t.Fatalf("search = %v (%v)", out, err)
	}
	it := out.Items[0].(*dztypes.SearchResultItemMemberAssetListing).Value
	if aws.ToString(it.EntityId) != assets["orders_archive"] || aws.ToString(it.EntityRevision) != "1" ||
		aws.ToString(it.OwningProjectId) != dzSales || it.AdditionalAttributes == nil || aws.ToString(it.AdditionalAttributes.Forms) == "" {
		t.Errorf("listing item = %+v", it)
	}

	// Unpublishing makes the listing INACTIVE and unsearchable.
	unpub, err := h.admin.CreateListingChangeSet(h.ctx, &datazone.CreateListingChangeSetInput{DomainIdentifier: aws.String(dzDomain),
		EntityIdentifier: aws.String(assets["orders_archive"]), EntityType: dztypes.EntityTypeAsset, Action: dztypes.ChangeActionUnpublish})
	if err != nil || unpub.Status != dztypes.ListingStatusInactive {
		t.Fatalf("unpublish = %+v (%v)", unpub, err)
	}
	if got := search(&datazone.SearchListingsInput{}); len(got) != 1 || got[0] != "orders" {
		t.Errorf("listings after unpublish = %v, want [orders]", got)
	}
}
