package sandbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
)

// catalog imports every shop_db table into Sales and publishes orders, customers and legacy; it
// returns table -> listing ID.
func (h *dzHarness) catalog() map[string]string {
	h.t.Helper()
	_, runID := h.firstRun("catalog", false, glueConfig("shop_db"))
	assets := h.assets(runID)
	listings := map[string]string{}
	for _, table := range []string{"orders", "customers", "legacy"} {
		listings[table] = h.publish(assets[table])
	}
	return listings
}

// grants lists the grants of a listing to an environment.
func (h *dzHarness) grants(env, listing string) []dztypes.SubscriptionGrantSummary {
	h.t.Helper()
	out, err := h.admin.ListSubscriptionGrants(h.ctx, &datazone.ListSubscriptionGrantsInput{DomainIdentifier: aws.String(dzDomain),
		EnvironmentId: aws.String(env), SubscribedListingId: aws.String(listing)})
	if err != nil {
		h.t.Fatal(err)
	}
	return out.Items
}

func TestDataZoneSubscribeAndGrant(t *testing.T) {
	h := startDZ(t)
	listings := h.catalog()
	reqID := h.subscribe(h.workflow, dzSales, listings["orders"])
	req, err := h.viewer.GetSubscriptionRequestDetails(h.ctx, &datazone.GetSubscriptionRequestDetailsInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(reqID)})
	if err != nil {
		t.Fatal(err)
	}
	if req.Status != dztypes.SubscriptionRequestStatusPending || len(req.SubscribedListings) != 1 ||
		aws.ToString(req.SubscribedListings[0].Id) != listings["orders"] || aws.ToString(req.SubscribedListings[0].OwnerProjectId) != dzSales {
		t.Fatalf("request = %s %+v", req.Status, req.SubscribedListings)
	}
	if p, ok := req.SubscribedPrincipals[0].(*dztypes.SubscribedPrincipalMemberProject); !ok || aws.ToString(p.Value.Id) != dzSales ||
		aws.ToString(p.Value.Name) != "Sales" {
		t.Errorf("principal = %#v", req.SubscribedPrincipals[0])
	}
	if len(h.grants(dzSalesEnv, listings["orders"])) != 0 {
		t.Fatal("grant exists before the request is accepted")
	}

	// Only members of the approver (listing owner) project may accept.
	_, err = h.analyst.AcceptSubscriptionRequest(h.ctx, &datazone.AcceptSubscriptionRequestInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(reqID)})
	wantErrorKind(t, err, "denied", "User is not permitted to perform operation: AcceptSubscriptionRequest")
	acc, err := h.workflow.AcceptSubscriptionRequest(h.ctx, &datazone.AcceptSubscriptionRequestInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(reqID), DecisionComment: aws.String("ok")})
	if err != nil || acc.Status != dztypes.SubscriptionRequestStatusAccepted || aws.ToString(acc.ReviewerId) == "" {
		t.Fatalf("accept = %+v (%v)", acc, err)
	}
	_, err = h.admin.AcceptSubscriptionRequest(h.ctx, &datazone.AcceptSubscriptionRequestInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(reqID)})
	wantErrorKind(t, err, "validation", "ACCEPTED")

	subs, err := h.admin.ListSubscriptions(h.ctx, &datazone.ListSubscriptionsInput{DomainIdentifier: aws.String(dzDomain),
		OwningProjectId: aws.String(dzSales), SubscribedListingId: aws.String(listings["orders"])})
	if err != nil || len(subs.Items) != 1 || subs.Items[0].Status != dztypes.SubscriptionStatusApproved ||
		aws.ToString(subs.Items[0].SubscriptionRequestId) != reqID {
		t.Fatalf("subscriptions = %+v (%v)", subs, err)
	}
	subID := aws.ToString(subs.Items[0].Id)

	steps := []struct {
		name     string
		advance  func()
		overall  dztypes.SubscriptionGrantOverallStatus // "" for no grant yet
		asset    dztypes.SubscriptionGrantStatus
		wantName string
	}{
		{"accepted: fulfilment still to come", func() {}, "", "", ""},
		{"fulfilment a second early", func() { h.advance(dzFulfil - time.Second) }, "", "", ""},
		{"pending", func() { h.advance(time.Second) }, dztypes.SubscriptionGrantOverallStatusPending, dztypes.SubscriptionGrantStatusGrantPending, ""},
		{"in progress", func() { h.advance(dzGrant / 3) }, dztypes.SubscriptionGrantOverallStatusInProgress,
			dztypes.SubscriptionGrantStatusGrantInProgress, ""},
		{"completed", func() { h.advance(dzGrant - dzGrant/3) }, dztypes.SubscriptionGrantOverallStatusCompleted,
			dztypes.SubscriptionGrantStatusGranted, "orders"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.advance()
			grants := h.grants(dzSalesEnv, listings["orders"])
			if st.overall == "" {
				if len(grants) != 0 {
					t.Fatalf("grants = %+v, want none before DataZone's fulfilment", grants)
				}
				return
			}
			if len(grants) != 1 {
				t.Fatalf("got %d grants, want 1", len(grants))
			}
			g := grants[0]
			if g.Status != st.overall || len(g.Assets) != 1 || g.Assets[0].Status != st.asset ||
				aws.ToString(g.Assets[0].TargetName) != st.wantName || aws.ToString(g.SubscriptionId) != subID {
				t.Errorf("grant = %s asset %+v", g.Status, g.Assets)
			}
		})
	}

	// The resource link exists in the subscription database and the user role may read through it.
	tbl, err := glue.NewFromConfig(h.cfg).GetTable(h.ctx, &glue.GetTableInput{DatabaseName: aws.String("sales_env_sub_db"),
		Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Table.TargetTable == nil || aws.ToString(tbl.Table.TargetTable.DatabaseName) != "shop_db" ||
		aws.ToString(tbl.Table.TargetTable.Name) != "orders" {
		t.Errorf("sales_env_sub_db.orders = %+v, want a link to shop_db.orders", tbl.Table.TargetTable)
	}
	perms, err := lakeformation.NewFromConfig(h.cfg).ListPermissions(h.ctx, &lakeformation.ListPermissionsInput{
		Principal: &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(dzSalesUser)}})
	if err != nil {
		t.Fatal(err)
	}
	var selectOnTarget, describeOnLink bool
	for _, p := range perms.PrincipalResourcePermissions {
		if p.Resource == nil || p.Resource.Table == nil {
			continue
		}
		db, name := aws.ToString(p.Resource.Table.DatabaseName), aws.ToString(p.Resource.Table.Name)
		for _, perm := range p.Permissions {
			selectOnTarget = selectOnTarget || (db == "shop_db" && name == "orders" && perm == lftypes.PermissionSelect)
			describeOnLink = describeOnLink || (db == "sales_env_sub_db" && name == "orders" && perm == lftypes.PermissionDescribe)
		}
	}
	if !selectOnTarget || !describeOnLink {
		t.Errorf("user role grants: SELECT on shop_db.orders %v, DESCRIBE on the link %v", selectOnTarget, describeOnLink)
	}
}

func TestDataZoneGrantOutcomes(t *testing.T) {
	h := startDZ(t)
	listings := h.catalog()
	tests := []struct {
		name    string
		client  *datazone.Client
		project string
		env     string
		table   string
		overall dztypes.SubscriptionGrantOverallStatus
		target  string
		failure string
	}{
		{"managed table into the producer", h.workflow, dzSales, dzSalesEnv, "orders",
			dztypes.SubscriptionGrantOverallStatusCompleted, "orders", ""},
		{"name taken in the consumer's sub db", h.analyst, dzMarketing, dzMktgEnv, "orders",
			dztypes.SubscriptionGrantOverallStatusCompleted, "orders_1", ""},
		{"manage-access role without grant option", h.workflow, dzSales, dzSalesEnv, "customers",
			dztypes.SubscriptionGrantOverallStatusGrantFailed, "",
			"The manage access role does not have necessary Lake Formation permissions to grant access to this asset"},
		{"table still granting IAMAllowedPrincipals", h.workflow, dzSales, dzSalesEnv, "legacy",
			dztypes.SubscriptionGrantOverallStatusGrantFailed, "", "Asset is not managed by Lake Formation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := h.subscribe(tt.client, tt.project, listings[tt.table])
			h.accept(req)
			h.advance(dzFulfil + dzGrant)
			grants := h.grants(tt.env, listings[tt.table])
			if len(grants) != 1 || len(grants[0].Assets) != 1 {
				t.Fatalf("grants = %+v", grants)
			}
			g, a := grants[0], grants[0].Assets[0]
			if g.Status != tt.overall || aws.ToString(a.TargetName) != tt.target {
				t.Errorf("grant %s, target %q; want %s, %q", g.Status, aws.ToString(a.TargetName), tt.overall, tt.target)
			}
			if tt.failure == "" {
				if a.Status != dztypes.SubscriptionGrantStatusGranted || a.GrantedTimestamp == nil {
					t.Errorf("asset = %s granted at %v", a.Status, a.GrantedTimestamp)
				}
				return
			}
			if a.Status != dztypes.SubscriptionGrantStatusGrantFailed || a.FailureCause == nil ||
				!strings.HasPrefix(aws.ToString(a.FailureCause.Message), tt.failure) || a.FailureTimestamp == nil {
				t.Errorf("asset = %s cause %+v, want GRANT_FAILED %q", a.Status, a.FailureCause, tt.failure)
			}
		})
	}
}

func TestDataZoneCreateSubscriptionGrant(t *testing.T) {
	h := startDZ(t)
	listings := h.catalog()
	h.accept(h.subscribe(h.workflow, dzSales, listings["customers"]))
	h.accept(h.subscribe(h.workflow, dzSales, listings["orders"]))
	h.advance(dzFulfil + dzGrant)
	if g := h.grants(dzSalesEnv, listings["customers"]); len(g) != 1 || g[0].Status != dztypes.SubscriptionGrantOverallStatusGrantFailed {
		t.Fatalf("customers grant = %+v", g)
	}
	// Fix the cause: give the manage-access role the grant option, then grant again by hand.
	if _, err := lakeformation.NewFromConfig(h.cfg).GrantPermissions(h.ctx, &lakeformation.GrantPermissionsInput{
		Principal: &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(dzManageRole)},
		Resource: &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String("shop_db"),
			Name: aws.String("customers")}},
		Permissions:                []lftypes.Permission{lftypes.PermissionDescribe, lftypes.PermissionSelect},
		PermissionsWithGrantOption: []lftypes.Permission{lftypes.PermissionDescribe, lftypes.PermissionSelect},
	}); err != nil {
		t.Fatal(err)
	}
	assetOf := func(listing string) string {
		l, err := h.admin.GetListing(h.ctx, &datazone.GetListingInput{DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(listing)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(l.Item.(*dztypes.ListingItemMemberAssetListing).Value.AssetId)
	}
	grant := func(c *datazone.Client, env, listing, token, target string) (*datazone.CreateSubscriptionGrantOutput, error) {
		in := &datazone.CreateSubscriptionGrantInput{DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(env),
			GrantedEntity: &dztypes.GrantedEntityInputMemberListing{Value: dztypes.ListingRevisionInput{
				Identifier: aws.String(listing), Revision: aws.String("1")}}}
		if token != "" {
			in.ClientToken = aws.String(token)
		}
		if target != "" {
			in.AssetTargetNames = []dztypes.AssetTargetNameMap{{AssetId: aws.String(assetOf(listing)), TargetName: aws.String(target)}}
		}
		return c.CreateSubscriptionGrant(h.ctx, in)
	}
	first, err := grant(h.workflow, dzSalesEnv, listings["customers"], "grant-1", "cust")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		c         *datazone.Client
		env       string
		listing   string
		token     string
		kind, msg string
		sameID    bool
	}{
		{"same token", h.workflow, dzSalesEnv, listings["customers"], "grant-1", "", "", true},
		{"live grant exists", h.workflow, dzSalesEnv, listings["customers"], "grant-2", "conflict", "already granted", false},
		{"completed grant exists", h.workflow, dzSalesEnv, listings["orders"], "", "conflict", "already granted", false},
		{"no subscription", h.analyst, dzMktgEnv, listings["customers"], "", "validation", "no approved subscription", false},
		{"viewer", h.viewer, dzSalesEnv, listings["customers"], "", "denied", "CreateSubscriptionGrant", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := grant(tt.c, tt.env, tt.listing, tt.token, "")
			wantErrorKind(t, err, tt.kind, tt.msg)
			if err == nil && (aws.ToString(out.Id) == aws.ToString(first.Id)) != tt.sameID {
				t.Errorf("grant id = %s, first %s", aws.ToString(out.Id), aws.ToString(first.Id))
			}
		})
	}
	h.advance(dzGrant)
	g, err := h.viewer.GetSubscriptionGrant(h.ctx, &datazone.GetSubscriptionGrantInput{DomainIdentifier: aws.String(dzDomain),
		Identifier: first.Id})
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != dztypes.SubscriptionGrantOverallStatusCompleted || aws.ToString(g.Assets[0].TargetName) != "cust" {
		t.Errorf("manual grant = %s %+v", g.Status, g.Assets)
	}
}

func TestDataZoneAutoApprove(t *testing.T) {
	h := startDZ(t, func(w *sandbox.World) { w.DataZone.AutoApproveSubscriptions = true })
	listings := h.catalog()
	reqID := h.subscribe(h.analyst, dzMarketing, listings["orders"])
	get := func() *datazone.GetSubscriptionRequestDetailsOutput {
		out, err := h.analyst.GetSubscriptionRequestDetails(h.ctx, &datazone.GetSubscriptionRequestDetailsInput{
			DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(reqID)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if st := get().Status; st != dztypes.SubscriptionRequestStatusPending {
		t.Fatalf("new request status = %s, want PENDING", st)
	}
	h.advance(dzAuto)
	if st := get().Status; st != dztypes.SubscriptionRequestStatusAccepted {
		t.Fatalf("status after %v = %s, want ACCEPTED", dzAuto, st)
	}
	_, err := h.admin.AcceptSubscriptionRequest(h.ctx, &datazone.AcceptSubscriptionRequestInput{
		DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(reqID)})
	wantErrorKind(t, err, "validation", "cannot be accepted")
	h.advance(dzFulfil + dzGrant)
	g := h.grants(dzMktgEnv, listings["orders"])
	if len(g) != 1 || g[0].Status != dztypes.SubscriptionGrantOverallStatusCompleted {
		t.Errorf("grants = %+v", g)
	}
}

func TestDataZoneSubscriptionLists(t *testing.T) {
	h := startDZ(t)
	listings := h.catalog()
	accepted := h.subscribe(h.workflow, dzSales, listings["orders"])
	h.accept(accepted)
	pendingSales := h.subscribe(h.workflow, dzSales, listings["legacy"])
	pendingMktg := h.subscribe(h.analyst, dzMarketing, listings["orders"])
	h.advance(dzFulfil + dzGrant)

	requests := []struct {
		name string
		c    *datazone.Client
		in   datazone.ListSubscriptionRequestsInput
		want []string
		kind string
	}{
		{"default is PENDING", h.admin, datazone.ListSubscriptionRequestsInput{}, []string{pendingSales, pendingMktg}, ""},
		{"accepted", h.admin, datazone.ListSubscriptionRequestsInput{Status: dztypes.SubscriptionRequestStatusAccepted},
			[]string{accepted}, ""},
		{"owning project", h.admin, datazone.ListSubscriptionRequestsInput{OwningProjectId: aws.String(dzMarketing)},
			[]string{pendingMktg}, ""},
		{"approver project", h.analyst, datazone.ListSubscriptionRequestsInput{ApproverProjectId: aws.String(dzSales)},
			nil, "denied"},
		{"listing", h.admin, datazone.ListSubscriptionRequestsInput{SubscribedListingId: aws.String(listings["legacy"])},
			[]string{pendingSales}, ""},
		{"visible to the subscriber only", h.analyst, datazone.ListSubscriptionRequestsInput{}, []string{pendingMktg}, ""},
		{"one per page", h.admin, datazone.ListSubscriptionRequestsInput{MaxResults: aws.Int32(1)}, []string{pendingSales, pendingMktg}, ""},
	}
	for _, tt := range requests {
		t.Run("requests "+tt.name, func(t *testing.T) {
			in := tt.in
			in.DomainIdentifier = aws.String(dzDomain)
			var got []string
			pager := datazone.NewListSubscriptionRequestsPaginator(tt.c, &in)
			for pager.HasMorePages() {
				page, err := pager.NextPage(h.ctx)
				if tt.kind != "" {
					wantErrorKind(t, err, tt.kind, "ListSubscriptionRequests")
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range page.Items {
					got = append(got, aws.ToString(it.Id))
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("requests = %v, want %v", got, tt.want)
			}
		})
	}

	subs, err := h.admin.ListSubscriptions(h.ctx, &datazone.ListSubscriptionsInput{DomainIdentifier: aws.String(dzDomain)})
	if err != nil || len(subs.Items) != 1 {
		t.Fatalf("subscriptions = %+v (%v)", subs, err)
	}
	sub := subs.Items[0]
	got, err := h.viewer.GetSubscription(h.ctx, &datazone.GetSubscriptionInput{DomainIdentifier: aws.String(dzDomain), Identifier: sub.Id})
	if err != nil || got.Status != dztypes.SubscriptionStatusApproved || aws.ToString(got.SubscribedListing.Id) != listings["orders"] {
		t.Errorf("GetSubscription = %+v (%v)", got, err)
	}
	targets, err := h.admin.ListSubscriptionTargets(h.ctx, &datazone.ListSubscriptionTargetsInput{DomainIdentifier: aws.String(dzDomain),
		EnvironmentIdentifier: aws.String(dzSalesEnv)})
	if err != nil {
		t.Fatal(err)
	}
	target := aws.ToString(targets.Items[0].Id)

	grantLists := []struct {
		name string
		in   datazone.ListSubscriptionGrantsInput
		want int
	}{
		{"all", datazone.ListSubscriptionGrantsInput{}, 1},
		{"environment", datazone.ListSubscriptionGrantsInput{EnvironmentId: aws.String(dzSalesEnv)}, 1},
		{"other environment", datazone.ListSubscriptionGrantsInput{EnvironmentId: aws.String(dzMktgEnv)}, 0},
		{"subscription", datazone.ListSubscriptionGrantsInput{SubscriptionId: sub.Id}, 1},
		{"target", datazone.ListSubscriptionGrantsInput{SubscriptionTargetId: aws.String(target)}, 1},
		{"listing", datazone.ListSubscriptionGrantsInput{SubscribedListingId: aws.String(listings["legacy"])}, 0},
		{"owning project", datazone.ListSubscriptionGrantsInput{OwningProjectId: aws.String(dzSales)}, 1},
		{"other owning project", datazone.ListSubscriptionGrantsInput{OwningProjectId: aws.String(dzMarketing)}, 0},
	}
	for _, tt := range grantLists {
		t.Run("grants "+tt.name, func(t *testing.T) {
			in := tt.in
			in.DomainIdentifier = aws.String(dzDomain)
			out, err := h.admin.ListSubscriptionGrants(h.ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Items) != tt.want {
				t.Errorf("got %d grants, want %d", len(out.Items), tt.want)
			}
		})
	}
}

func TestDataZoneSubscriptionRequestErrors(t *testing.T) {
	h := startDZ(t)
	listings := h.catalog()
	_, runID := h.firstRun("second", false, glueConfig("shop_db"))
	// A listing that is still CREATING cannot be subscribed to.
	out, err := h.admin.CreateListingChangeSet(h.ctx, &datazone.CreateListingChangeSetInput{DomainIdentifier: aws.String(dzDomain),
		EntityIdentifier: aws.String(h.assets(runID)["orders_archive"]), EntityType: dztypes.EntityTypeAsset,
		Action: dztypes.ChangeActionPublish})
	if err != nil {
		t.Fatal(err)
	}
	creating := aws.ToString(out.ListingId)
	create := func(c *datazone.Client, project, token string, listing ...string) (string, error) {
		in := &datazone.CreateSubscriptionRequestInput{DomainIdentifier: aws.String(dzDomain), RequestReason: aws.String("r"),
			SubscribedPrincipals: []dztypes.SubscribedPrincipalInput{&dztypes.SubscribedPrincipalInputMemberProject{
				Value: dztypes.SubscribedProjectInput{Identifier: aws.String(project)}}},
			SubscribedListings: []dztypes.SubscribedListingInput{}}
		for _, l := range listing {
			in.SubscribedListings = append(in.SubscribedListings, dztypes.SubscribedListingInput{Identifier: aws.String(l)})
		}
		if token != "" {
			in.ClientToken = aws.String(token)
		}
		o, err := c.CreateSubscriptionRequest(h.ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(o.Id), nil
	}
	first, err := create(h.analyst, dzMarketing, "req-1", listings["orders"])
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		c         *datazone.Client
		project   string
		token     string
		listings  []string
		kind, msg string
		same      bool
	}{
		{"same token", h.analyst, dzMarketing, "req-1", []string{listings["orders"]}, "", "", true},
		{"listing not active", h.analyst, dzMarketing, "", []string{creating}, "validation", "not ACTIVE", false},
		{"unknown listing", h.analyst, dzMarketing, "", []string{"nosuchlisting"}, "notfound", "nosuchlisting", false},
		{"not a member of the subscriber", h.analyst, dzSales, "", []string{listings["orders"]}, "denied", "CreateSubscriptionRequest", false},
		{"viewer cannot subscribe", h.viewer, dzSales, "", []string{listings["orders"]}, "denied", "CreateSubscriptionRequest", false},
		{"two listings", h.analyst, dzMarketing, "", []string{listings["orders"], listings["legacy"]}, "validation",
			"'subscribedListings' failed to satisfy constraint: Member must have length less than or equal to 1", false},
		{"no listing", h.analyst, dzMarketing, "", nil, "validation",
			"'subscribedListings' failed to satisfy constraint: Member must have length greater than or equal to 1", false},
		{"a second PENDING request for the listing", h.analyst, dzMarketing, "req-2", []string{listings["orders"]}, "conflict",
			"already PENDING", false},
		{"another listing", h.analyst, dzMarketing, "", []string{listings["legacy"]}, "", "", false},
		{"the same listing for another project", h.workflow, dzSales, "", []string{listings["orders"]}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := create(tt.c, tt.project, tt.token, tt.listings...)
			wantErrorKind(t, err, tt.kind, tt.msg)
			if err == nil && (id == first) != tt.same {
				t.Errorf("request %s, first %s, want same %v", id, first, tt.same)
			}
		})
	}
}
