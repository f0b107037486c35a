package sandbox_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

func TestDataZoneIDValidation(t *testing.T) {
	h := startDZ(t)
	ctx := h.ctx
	c := h.admin
	tests := []struct {
		name string
		call func() error
		kind string
		msg  string
	}{
		{"domain id without dzd prefix", func() error {
			_, err := c.GetDomain(ctx, &datazone.GetDomainInput{Identifier: aws.String("domain-1")})
			return err
		}, "validation", "at 'identifier'"},
		{"unknown domain", func() error {
			_, err := c.GetDomain(ctx, &datazone.GetDomainInput{Identifier: aws.String("dzd_unknown")})
			return err
		}, "notfound", "dzd_unknown"},
		{"known domain", func() error {
			_, err := c.GetDomain(ctx, &datazone.GetDomainInput{Identifier: aws.String(dzDomain)})
			return err
		}, "", ""},
		{"malformed domainIdentifier", func() error {
			_, err := c.GetEnvironment(ctx, &datazone.GetEnvironmentInput{DomainIdentifier: aws.String("dzd"),
				Identifier: aws.String(dzSalesEnv)})
			return err
		}, "validation", "at 'domainIdentifier'"},
		{"malformed environment id", func() error {
			_, err := c.GetEnvironment(ctx, &datazone.GetEnvironmentInput{DomainIdentifier: aws.String(dzDomain),
				Identifier: aws.String("env id!")})
			return err
		}, "validation", "at 'identifier'"},
		{"unknown environment", func() error {
			_, err := c.GetEnvironment(ctx, &datazone.GetEnvironmentInput{DomainIdentifier: aws.String(dzDomain),
				Identifier: aws.String("nosuchenv")})
			return err
		}, "notfound", "nosuchenv"},
		{"malformed project id", func() error {
			_, err := c.ListDataSources(ctx, &datazone.ListDataSourcesInput{DomainIdentifier: aws.String(dzDomain),
				ProjectIdentifier: aws.String("a-project-id-that-is-far-too-long-to-be-valid")})
			return err
		}, "validation", "at 'projectIdentifier'"},
		{"unknown project", func() error {
			_, err := c.ListDataSources(ctx, &datazone.ListDataSourcesInput{DomainIdentifier: aws.String(dzDomain),
				ProjectIdentifier: aws.String("nosuchproject")})
			return err
		}, "notfound", "nosuchproject"},
		{"unknown data source", func() error {
			_, err := c.GetDataSource(ctx, &datazone.GetDataSourceInput{DomainIdentifier: aws.String(dzDomain),
				Identifier: aws.String("nosuchds")})
			return err
		}, "notfound", "nosuchds"},
		{"unknown run", func() error {
			_, err := c.GetDataSourceRun(ctx, &datazone.GetDataSourceRunInput{DomainIdentifier: aws.String(dzDomain),
				Identifier: aws.String("nosuchrun")})
			return err
		}, "notfound", "nosuchrun"},
		{"unknown asset", func() error {
			_, err := c.GetAsset(ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(dzDomain),
				Identifier: aws.String("nosuchasset")})
			return err
		}, "notfound", "nosuchasset"},
		{"unknown listing", func() error {
			_, err := c.GetListing(ctx, &datazone.GetListingInput{DomainIdentifier: aws.String(dzDomain),
				Identifier: aws.String("nosuchlisting")})
			return err
		}, "notfound", "nosuchlisting"},
		{"unknown subscription request", func() error {
			_, err := c.GetSubscriptionRequestDetails(ctx, &datazone.GetSubscriptionRequestDetailsInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String("nosuchrequest")})
			return err
		}, "notfound", "nosuchrequest"},
		{"unknown subscription grant", func() error {
			_, err := c.GetSubscriptionGrant(ctx, &datazone.GetSubscriptionGrantInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String("nosuchgrant")})
			return err
		}, "notfound", "nosuchgrant"},
		{"unknown blueprint", func() error {
			_, err := c.GetEnvironmentBlueprintConfiguration(ctx, &datazone.GetEnvironmentBlueprintConfigurationInput{
				DomainIdentifier: aws.String(dzDomain), EnvironmentBlueprintIdentifier: aws.String("nosuchbp")})
			return err
		}, "notfound", "nosuchbp"},
		{"max results above the limit", func() error {
			_, err := c.ListEnvironments(ctx, &datazone.ListEnvironmentsInput{DomainIdentifier: aws.String(dzDomain),
				ProjectIdentifier: aws.String(dzSales), MaxResults: aws.Int32(51)})
			return err
		}, "validation", "maxResults"},
		{"forged next token", func() error {
			_, err := c.ListEnvironments(ctx, &datazone.ListEnvironmentsInput{DomainIdentifier: aws.String(dzDomain),
				ProjectIdentifier: aws.String(dzSales), NextToken: aws.String("not-a-token")})
			return err
		}, "validation", "pagination token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErrorKind(t, tt.call(), tt.kind, tt.msg)
		})
	}
}

func TestDataZoneAuthorisation(t *testing.T) {
	h := startDZ(t)
	ctx := h.ctx
	dom := aws.String(dzDomain)
	createDS := func(c *datazone.Client, name string) error {
		_, err := c.CreateDataSource(ctx, &datazone.CreateDataSourceInput{
			DomainIdentifier: dom, ProjectIdentifier: aws.String(dzSales), EnvironmentIdentifier: aws.String(dzSalesEnv),
			Name: aws.String(name), Type: aws.String("GLUE"), Configuration: glueConfig("shop_db")})
		return err
	}
	tests := []struct {
		name   string
		op     string
		call   func() error
		denied bool
	}{
		{"outsider reads the domain", "GetDomain", func() error {
			_, err := h.outsider.GetDomain(ctx, &datazone.GetDomainInput{Identifier: dom})
			return err
		}, false},
		{"outsider lists blueprints", "ListEnvironmentBlueprints", func() error {
			_, err := h.outsider.ListEnvironmentBlueprints(ctx, &datazone.ListEnvironmentBlueprintsInput{DomainIdentifier: dom})
			return err
		}, false},
		{"outsider reads the blueprint configuration", "GetEnvironmentBlueprintConfiguration", func() error {
			_, err := h.outsider.GetEnvironmentBlueprintConfiguration(ctx, &datazone.GetEnvironmentBlueprintConfigurationInput{
				DomainIdentifier: dom, EnvironmentBlueprintIdentifier: aws.String(dzBlueprint)})
			return err
		}, false},
		{"outsider searches listings", "SearchListings", func() error {
			_, err := h.outsider.SearchListings(ctx, &datazone.SearchListingsInput{DomainIdentifier: dom})
			return err
		}, false},
		{"outsider reads an environment", "GetEnvironment", func() error {
			_, err := h.outsider.GetEnvironment(ctx, &datazone.GetEnvironmentInput{DomainIdentifier: dom,
				Identifier: aws.String(dzSalesEnv)})
			return err
		}, true},
		{"outsider lists environments", "ListEnvironments", func() error {
			_, err := h.outsider.ListEnvironments(ctx, &datazone.ListEnvironmentsInput{DomainIdentifier: dom,
				ProjectIdentifier: aws.String(dzSales)})
			return err
		}, true},
		{"outsider lists data sources", "ListDataSources", func() error {
			_, err := h.outsider.ListDataSources(ctx, &datazone.ListDataSourcesInput{DomainIdentifier: dom,
				ProjectIdentifier: aws.String(dzSales)})
			return err
		}, true},
		{"outsider searches a project's inventory", "Search", func() error {
			_, err := h.outsider.Search(ctx, &datazone.SearchInput{DomainIdentifier: dom,
				SearchScope: dztypes.InventorySearchScopeAsset, OwningProjectIdentifier: aws.String(dzSales)})
			return err
		}, true},
		{"viewer reads an environment", "GetEnvironment", func() error {
			_, err := h.viewer.GetEnvironment(ctx, &datazone.GetEnvironmentInput{DomainIdentifier: dom,
				Identifier: aws.String(dzSalesEnv)})
			return err
		}, false},
		{"viewer creates a data source", "CreateDataSource", func() error { return createDS(h.viewer, "by-viewer") }, true},
		{"contributor creates a data source", "CreateDataSource", func() error { return createDS(h.workflow, "by-workflow") }, false},
		{"outsider creates a data source", "CreateDataSource", func() error { return createDS(h.outsider, "by-outsider") }, true},
		{"other project's owner gets credentials", "GetEnvironmentCredentials", func() error {
			_, err := h.analyst.GetEnvironmentCredentials(ctx, &datazone.GetEnvironmentCredentialsInput{
				DomainIdentifier: dom, EnvironmentIdentifier: aws.String(dzSalesEnv)})
			return err
		}, true},
		{"contributor adds a member", "CreateProjectMembership", func() error {
			_, err := h.workflow.CreateProjectMembership(ctx, &datazone.CreateProjectMembershipInput{
				DomainIdentifier: dom, ProjectIdentifier: aws.String(dzSales), Designation: dztypes.UserDesignationProjectOwner,
				Member: &dztypes.MemberMemberUserIdentifier{Value: dzOutsiderARN}})
			return err
		}, true},
		{"outsider lists subscription targets", "ListSubscriptionTargets", func() error {
			_, err := h.outsider.ListSubscriptionTargets(ctx, &datazone.ListSubscriptionTargetsInput{
				DomainIdentifier: dom, EnvironmentIdentifier: aws.String(dzSalesEnv)})
			return err
		}, true},
		{"outsider filters grants by a project", "ListSubscriptionGrants", func() error {
			_, err := h.outsider.ListSubscriptionGrants(ctx, &datazone.ListSubscriptionGrantsInput{
				DomainIdentifier: dom, OwningProjectId: aws.String(dzSales)})
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !tt.denied {
				wantErrorKind(t, err, "", "")
				return
			}
			wantAPIError[*dztypes.AccessDeniedException](t, err, "User is not permitted to perform operation: "+tt.op)
		})
	}
}

func TestDataZoneDomainAndBlueprints(t *testing.T) {
	h := startDZ(t)
	ctx := h.ctx
	dom, err := h.outsider.GetDomain(ctx, &datazone.GetDomainInput{Identifier: aws.String(dzDomain)})
	if err != nil {
		t.Fatal(err)
	}
	if dom.DomainVersion != dztypes.DomainVersionV1 || dom.Status != dztypes.DomainStatusAvailable ||
		aws.ToString(dom.Name) != "Test" || dom.CreatedAt == nil || !dom.CreatedAt.Equal(h.s.Now()) {
		t.Errorf("GetDomain = version %q status %q name %q created %v", dom.DomainVersion, dom.Status,
			aws.ToString(dom.Name), dom.CreatedAt)
	}

	blueprints := []struct {
		name    string
		managed *bool
		filter  *string
		want    int
	}{
		{"all", nil, nil, 1},
		{"managed DefaultDataLake", aws.Bool(true), aws.String("DefaultDataLake"), 1},
		{"unmanaged", aws.Bool(false), nil, 0},
		{"other name", aws.Bool(true), aws.String("DefaultDataWarehouse"), 0},
	}
	for _, tt := range blueprints {
		t.Run("blueprints "+tt.name, func(t *testing.T) {
			out, err := h.admin.ListEnvironmentBlueprints(ctx, &datazone.ListEnvironmentBlueprintsInput{
				DomainIdentifier: aws.String(dzDomain), Managed: tt.managed, Name: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Items) != tt.want {
				t.Fatalf("got %d blueprints, want %d", len(out.Items), tt.want)
			}
			if tt.want == 1 && (aws.ToString(out.Items[0].Id) != dzBlueprint || aws.ToString(out.Items[0].Name) != "DefaultDataLake") {
				t.Errorf("blueprint = %s %s", aws.ToString(out.Items[0].Id), aws.ToString(out.Items[0].Name))
			}
		})
	}

	cfg, err := h.outsider.GetEnvironmentBlueprintConfiguration(ctx, &datazone.GetEnvironmentBlueprintConfigurationInput{
		DomainIdentifier: aws.String(dzDomain), EnvironmentBlueprintIdentifier: aws.String(dzBlueprint)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.ManageAccessRoleArn) != dzManageRole ||
		aws.ToString(cfg.ProvisioningRoleArn) != "arn:aws:iam::111122223333:role/service-role/AmazonDataZoneProvisioning-111122223333" ||
		aws.ToString(cfg.EnvironmentRolePermissionBoundary) != "arn:aws:iam::aws:policy/AmazonDataZoneEnvironmentRolePermissionsBoundary" {
		t.Errorf("blueprint configuration = %s / %s / %s", aws.ToString(cfg.ManageAccessRoleArn),
			aws.ToString(cfg.ProvisioningRoleArn), aws.ToString(cfg.EnvironmentRolePermissionBoundary))
	}
}

func TestDataZoneEnvironments(t *testing.T) {
	h := startDZ(t)
	type res struct{ value, typ string }
	tests := []struct {
		name    string
		env     string
		project string
		want    map[string]res
	}{
		{"sales reports workgroupName", dzSalesEnv, dzSales, map[string]res{
			"glueConsumerDBName":    {"sales_env_sub_db", "GLUE_DATABASE"},
			"glueProducerDBName":    {"sales_env_pub_db", "GLUE_DATABASE"},
			"glueProducerOutputUri": {"s3://dz-bucket/dzd_t3stdomain01/salesproject01/dev/", "S3_URI"},
			"userRoleArn":           {dzSalesUser, "IAM_ROLE"},
			"workgroupName":         {"sales_env_wg", "ATHENA_WORKGROUP"},
		}},
		{"marketing reports its workgroup under another key", dzMktgEnv, dzMarketing, map[string]res{
			"glueConsumerDBName":  {"mktg_env_sub_db", "GLUE_DATABASE"},
			"userRoleArn":         {"arn:aws:iam::111122223333:role/datazone_usr_role_mktg", "IAM_ROLE"},
			"athenaWorkGroupName": {"mktg_env_wg", "ATHENA_WORKGROUP"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := h.admin.GetEnvironment(h.ctx, &datazone.GetEnvironmentInput{
				DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(tt.env)})
			if err != nil {
				t.Fatal(err)
			}
			if env.Status != dztypes.EnvironmentStatusActive || aws.ToString(env.ProjectId) != tt.project ||
				aws.ToString(env.EnvironmentBlueprintId) != dzBlueprint || aws.ToString(env.AwsAccountId) != "111122223333" {
				t.Errorf("environment = status %q project %q blueprint %q account %q", env.Status,
					aws.ToString(env.ProjectId), aws.ToString(env.EnvironmentBlueprintId), aws.ToString(env.AwsAccountId))
			}
			got := map[string]res{}
			for _, r := range env.ProvisionedResources {
				if aws.ToString(r.Provider) != "Amazon DataZone" {
					t.Errorf("resource %s provider = %q", aws.ToString(r.Name), aws.ToString(r.Provider))
				}
				got[aws.ToString(r.Name)] = res{aws.ToString(r.Value), aws.ToString(r.Type)}
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("resource %s = %+v, want %+v", k, got[k], v)
				}
			}
		})
	}

	lists := []struct {
		name, project string
		filter        *string
		want          []string
	}{
		{"sales", dzSales, nil, []string{dzSalesEnv}},
		{"sales by name", dzSales, aws.String("sales_env"), []string{dzSalesEnv}},
		{"sales by other name", dzSales, aws.String("mktg_env"), nil},
		{"marketing", dzMarketing, nil, []string{dzMktgEnv}},
	}
	for _, tt := range lists {
		t.Run("list "+tt.name, func(t *testing.T) {
			out, err := h.admin.ListEnvironments(h.ctx, &datazone.ListEnvironmentsInput{
				DomainIdentifier: aws.String(dzDomain), ProjectIdentifier: aws.String(tt.project), Name: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range out.Items {
				got = append(got, aws.ToString(e.Id))
			}
			if len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
				t.Errorf("environments = %v, want %v", got, tt.want)
			}
		})
	}

	targets, err := h.workflow.ListSubscriptionTargets(h.ctx, &datazone.ListSubscriptionTargetsInput{
		DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(dzSalesEnv)})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets.Items) != 1 || targets.Items[0].SubscriptionGrantCreationMode != dztypes.SubscriptionGrantCreationModeAutomatic ||
		aws.ToString(targets.Items[0].ManageAccessRole) != dzManageRole || aws.ToString(targets.Items[0].EnvironmentId) != dzSalesEnv {
		t.Errorf("subscription targets = %+v", targets.Items)
	}
}

func TestDataZoneEnvironmentCredentials(t *testing.T) {
	h := startDZ(t)
	creds, err := h.workflow.GetEnvironmentCredentials(h.ctx, &datazone.GetEnvironmentCredentialsInput{
		DomainIdentifier: aws.String(dzDomain), EnvironmentIdentifier: aws.String(dzSalesEnv)})
	if err != nil {
		t.Fatal(err)
	}
	if want := h.s.Now().Add(time.Hour); creds.Expiration == nil || !creds.Expiration.Equal(want) {
		t.Errorf("expiration = %v, want %v", creds.Expiration, want)
	}
	cfg := h.cfg.Copy()
	cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: aws.ToString(creds.AccessKeyId), SecretAccessKey: aws.ToString(creds.SecretAccessKey),
			SessionToken: aws.ToString(creds.SessionToken), Source: "test"}, nil
	}))
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(h.ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Arn); got != "arn:aws:sts::111122223333:assumed-role/datazone_usr_role_sales/dzonboard" &&
		got != dzSalesUser {
		t.Errorf("environment credentials act as %s, want the sales user role", got)
	}
	for _, e := range h.s.Journal() {
		if e.Op == "GetEnvironmentCredentials" {
			t.Errorf("credentials call journalled: %+v", e)
		}
	}
}

func TestDataZoneMemberships(t *testing.T) {
	h := startDZ(t)
	ctx := h.ctx
	dom := aws.String(dzDomain)

	p1, err := h.admin.CreateUserProfile(ctx, &datazone.CreateUserProfileInput{DomainIdentifier: dom,
		UserIdentifier: aws.String(dzOutsiderARN), UserType: dztypes.UserTypeIamRole})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := h.admin.CreateUserProfile(ctx, &datazone.CreateUserProfileInput{DomainIdentifier: dom,
		UserIdentifier: aws.String(dzOutsiderARN), UserType: dztypes.UserTypeIamRole})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p1.Id) == "" || aws.ToString(p1.Id) != aws.ToString(p2.Id) || p1.Type != dztypes.UserProfileTypeIam {
		t.Errorf("user profiles = %s %s (type %s), want one stable IAM profile", aws.ToString(p1.Id), aws.ToString(p2.Id), p1.Type)
	}
	if d, ok := p1.Details.(*dztypes.UserProfileDetailsMemberIam); !ok || aws.ToString(d.Value.Arn) != dzOutsiderARN {
		t.Errorf("profile details = %#v", p1.Details)
	}

	add := func(project, member string, designation dztypes.UserDesignation) error {
		_, err := h.admin.CreateProjectMembership(ctx, &datazone.CreateProjectMembershipInput{DomainIdentifier: dom,
			ProjectIdentifier: aws.String(project), Designation: designation,
			Member: &dztypes.MemberMemberUserIdentifier{Value: member}})
		return err
	}
	tests := []struct {
		name, project, member string
		designation           dztypes.UserDesignation
		kind, msg             string
	}{
		{"add by role ARN", dzSales, dzOutsiderARN, dztypes.UserDesignationProjectContributor, "", ""},
		{"add the same role again", dzSales, dzOutsiderARN, dztypes.UserDesignationProjectOwner, "validation", "User is already in the project"},
		{"existing world member", dzSales, dzAdminARN, dztypes.UserDesignationProjectOwner, "validation", "User is already in the project"},
		{"add by user profile ID", dzMarketing, aws.ToString(p1.Id), dztypes.UserDesignationProjectCatalogViewer, "", ""},
		{"unknown user profile", dzMarketing, "nosuchprofile", dztypes.UserDesignationProjectOwner, "notfound", "nosuchprofile"},
		{"unknown project", "nosuchproject", dzOutsiderARN, dztypes.UserDesignationProjectOwner, "notfound", "nosuchproject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErrorKind(t, add(tt.project, tt.member, tt.designation), tt.kind, tt.msg)
		})
	}

	// The new contributor can now write in Sales, and the membership list shows it.
	if _, err := h.outsider.CreateDataSource(ctx, &datazone.CreateDataSourceInput{DomainIdentifier: dom,
		ProjectIdentifier: aws.String(dzSales), EnvironmentIdentifier: aws.String(dzSalesEnv), Name: aws.String("mine"),
		Type: aws.String("GLUE"), Configuration: glueConfig("shop_db")}); err != nil {
		t.Errorf("new contributor cannot create a data source: %v", err)
	}
	var designations []dztypes.UserDesignation
	pager := datazone.NewListProjectMembershipsPaginator(h.admin, &datazone.ListProjectMembershipsInput{
		DomainIdentifier: dom, ProjectIdentifier: aws.String(dzSales), MaxResults: aws.Int32(2)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Members {
			u, ok := m.MemberDetails.(*dztypes.MemberDetailsMemberUser)
			if ok && aws.ToString(u.Value.UserId) == aws.ToString(p1.Id) {
				designations = append(designations, m.Designation)
			}
		}
	}
	if len(designations) != 1 || designations[0] != dztypes.UserDesignationProjectContributor {
		t.Errorf("outsider's designations in Sales = %v, want [PROJECT_CONTRIBUTOR]", designations)
	}
}

func TestDataZoneExampleWorlds(t *testing.T) {
	dir, err := sandboxtest.WorldPath("any")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(filepath.Dir(dir), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"default"}
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			w := sandboxtest.World(t, name)
			_, cfg := sandboxtest.Start(t, w, sandbox.Options{})
			c := datazone.NewFromConfig(cfg)
			ctx := context.Background()
			dom, err := c.GetDomain(ctx, &datazone.GetDomainInput{Identifier: aws.String(w.DataZone.Domain.ID)})
			if err != nil || string(dom.DomainVersion) != w.DataZone.Domain.Version {
				t.Fatalf("GetDomain = %+v (%v)", dom, err)
			}
			for _, p := range w.DataZone.Projects {
				member := false
				for _, m := range p.Members {
					member = member || m.ARN == w.DefaultIdentity
				}
				for _, e := range p.Environments {
					env, err := c.GetEnvironment(ctx, &datazone.GetEnvironmentInput{
						DomainIdentifier: aws.String(w.DataZone.Domain.ID), Identifier: aws.String(e.ID)})
					if !member {
						wantAPIError[*dztypes.AccessDeniedException](t, err, "GetEnvironment")
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					found := false
					for _, r := range env.ProvisionedResources {
						found = found || (aws.ToString(r.Name) == e.WorkgroupKey && aws.ToString(r.Value) == e.Workgroup)
					}
					if !found {
						t.Errorf("%s: workgroup %s not reported under %s", e.ID, e.Workgroup, e.WorkgroupKey)
					}
				}
			}
		})
	}
}
