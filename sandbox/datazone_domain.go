package sandbox

import (
	"fmt"
	"strings"
)

// Domain-level reads: the domain, its blueprints and the blueprint configuration. They need no
// project membership.

type dzGetDomainOut struct {
	ID                  string   `json:"id"`
	ARN                 string   `json:"arn"`
	Name                string   `json:"name"`
	Status              string   `json:"status"`
	DomainVersion       string   `json:"domainVersion"`
	DomainExecutionRole string   `json:"domainExecutionRole"`
	PortalURL           string   `json:"portalUrl"`
	CreatedAt           *dzEpoch `json:"createdAt,omitempty"`
	LastUpdatedAt       *dzEpoch `json:"lastUpdatedAt,omitempty"`
}

// dzGetDomain serves GetDomain: path /v2/domains/{identifier}.
func dzGetDomain(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomainAt(r, "identifier")
	if err != nil {
		return nil, err
	}
	return dzGetDomainOut{
		ID:                  d.domain.ID,
		ARN:                 fmt.Sprintf("arn:aws:datazone:%s:%s:domain/%s", s.world.Region, s.world.Account, d.domain.ID),
		Name:                d.domain.Name,
		Status:              d.domain.Status,
		DomainVersion:       d.domain.Version,
		DomainExecutionRole: fmt.Sprintf("arn:aws:iam::%s:role/service-role/AmazonDataZoneDomainExecution", s.world.Account),
		PortalURL:           fmt.Sprintf("https://%s.datazone.%s.on.aws", d.domain.ID, s.world.Region),
		CreatedAt:           ep(d.createdAt),
		LastUpdatedAt:       ep(d.createdAt),
	}, nil
}

type dzBlueprintSummary struct {
	ID                     string              `json:"id"`
	Name                   string              `json:"name"`
	Description            string              `json:"description"`
	Provider               string              `json:"provider"`
	ProvisioningProperties dzProvisioningProps `json:"provisioningProperties"`
	CreatedAt              *dzTime             `json:"createdAt,omitempty"`
	UpdatedAt              *dzTime             `json:"updatedAt,omitempty"`
}

type dzProvisioningProps struct {
	CloudFormation struct {
		TemplateURL string `json:"templateUrl"`
	} `json:"cloudFormation"`
}

// dzListEnvironmentBlueprints serves ListEnvironmentBlueprints: the one DefaultDataLake blueprint, which is
// AWS-managed; filters managed and name (exact).
func dzListEnvironmentBlueprints(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var items []dzBlueprintSummary
	managed := r.query.Get("managed")
	name := r.query.Get("name")
	if managed != "false" && (name == "" || name == d.blueprint.Name) {
		b := dzBlueprintSummary{
			ID:          d.blueprint.ID,
			Name:        d.blueprint.Name,
			Description: "Load your data into AWS Glue and query it with Amazon Athena.",
			Provider:    "Amazon DataZone",
			CreatedAt:   dt(d.createdAt),
			UpdatedAt:   dt(d.createdAt),
		}
		b.ProvisioningProperties.CloudFormation.TemplateURL = fmt.Sprintf(
			"https://datazone-blueprints-%s.s3.amazonaws.com/%s.template.json", s.world.Region, d.blueprint.Name)
		items = append(items, b)
	}
	return dzListPage(r, items)
}

type dzBlueprintConfigOut struct {
	DomainID                          string   `json:"domainId"`
	EnvironmentBlueprintID            string   `json:"environmentBlueprintId"`
	ManageAccessRoleARN               *string  `json:"manageAccessRoleArn,omitempty"`
	ProvisioningRoleARN               *string  `json:"provisioningRoleArn,omitempty"`
	EnvironmentRolePermissionBoundary *string  `json:"environmentRolePermissionBoundary,omitempty"`
	EnabledRegions                    []string `json:"enabledRegions"`
	CreatedAt                         *dzTime  `json:"createdAt,omitempty"`
	UpdatedAt                         *dzTime  `json:"updatedAt,omitempty"`
}

// dzGetBlueprintConfiguration serves GetEnvironmentBlueprintConfiguration: the blueprint's roles and
// permissions boundary.
func dzGetBlueprintConfiguration(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	id := r.params["environmentBlueprintIdentifier"]
	if err := dzCheckID("environmentBlueprintIdentifier", id); err != nil {
		return nil, err
	}
	if id != d.blueprint.ID {
		return nil, dzNotFound("Environment blueprint configuration for %s not found", id)
	}
	return dzBlueprintConfigOut{
		DomainID:                          d.domain.ID,
		EnvironmentBlueprintID:            d.blueprint.ID,
		ManageAccessRoleARN:               str(d.blueprint.ManageAccessRoleARN),
		ProvisioningRoleARN:               str(d.blueprint.ProvisioningRoleARN),
		EnvironmentRolePermissionBoundary: str(d.blueprint.PermissionsBoundary),
		EnabledRegions:                    []string{s.world.Region},
		CreatedAt:                         dt(d.createdAt),
		UpdatedAt:                         dt(d.createdAt),
	}, nil
}

// User profiles and project memberships.

type dzCreateUserProfileIn struct {
	UserIdentifier *string `json:"userIdentifier"`
	UserType       string  `json:"userType"`
	ClientToken    *string `json:"clientToken"`
}

type dzUserProfileOut struct {
	DomainID string `json:"domainId"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Status   string `json:"status"`
	Details  struct {
		IAM struct {
			ARN string `json:"arn"`
		} `json:"iam"`
	} `json:"details"`
}

// dzCreateUserProfile serves CreateUserProfile.
// CreateUserProfile creates (or returns the existing) IAM user profile of a role or user ARN.
// Any caller with IAM access may call it; DataZone membership is not checked.
func dzCreateUserProfile(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	var in dzCreateUserProfileIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := dzRequired("userIdentifier", in.UserIdentifier); err != nil {
		return nil, err
	}
	switch in.UserType {
	case "", "IAM_ROLE", "IAM_USER":
	default:
		return nil, dzValidation("User type %s is not supported by this domain", in.UserType)
	}
	arn := *in.UserIdentifier
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":iam::") {
		return nil, dzValidation("User identifier %s is not a valid IAM principal ARN", arn)
	}
	r.key("userIdentifier", arn)
	prof := d.ensureProfile(s, arn)
	r.setResource(prof.id)
	if in.UserType == "IAM_USER" {
		prof.userType = "IAM_USER"
	}
	out := dzUserProfileOut{DomainID: d.domain.ID, ID: prof.id, Type: "IAM", Status: "ACTIVATED"}
	out.Details.IAM.ARN = prof.arn
	return out, nil
}

type dzCreateMembershipIn struct {
	Designation string `json:"designation"`
	Member      struct {
		UserIdentifier  *string `json:"userIdentifier"`
		GroupIdentifier *string `json:"groupIdentifier"`
	} `json:"member"`
}

// dzCreateProjectMembership serves CreateProjectMembership.
// CreateProjectMembership adds a user (IAM ARN or user profile ID) to a project. The caller must
// own the project; an existing member is a ValidationException "User is already in the project".
func dzCreateProjectMembership(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	p, err := d.project("projectIdentifier", r.params["projectIdentifier"])
	if err != nil {
		return nil, err
	}
	var in dzCreateMembershipIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if in.Member.GroupIdentifier != nil {
		return nil, dzValidation("Group members are not supported by this domain")
	}
	if err := dzRequired("member.userIdentifier", in.Member.UserIdentifier); err != nil {
		return nil, err
	}
	switch in.Designation {
	case "PROJECT_OWNER", "PROJECT_CONTRIBUTOR", "PROJECT_CATALOG_VIEWER", "PROJECT_CATALOG_CONSUMER",
		"PROJECT_CATALOG_STEWARD":
	default:
		return nil, dzValidation("1 validation error detected: Value '%s' at 'designation' failed to satisfy "+
			"constraint: Member must satisfy enum value set", in.Designation)
	}
	if err := d.requireMember(r, p, dzOwner); err != nil {
		return nil, err
	}
	ident := *in.Member.UserIdentifier
	var prof *dzProfile
	if strings.HasPrefix(ident, "arn:") {
		prof = d.ensureProfile(s, ident)
	} else {
		var ok bool
		if prof, ok = d.profiles.get(ident); !ok {
			return nil, dzNotFound("User %s not found", ident)
		}
	}
	if _, exists := p.member(prof.arn); exists {
		return nil, dzValidation("User is already in the project")
	}
	r.key("projectId", p.id)
	r.key("member", prof.arn)
	r.key("designation", in.Designation)
	p.members = append(p.members, &dzMember{arn: prof.arn, designation: in.Designation, userID: prof.id})
	return struct{}{}, nil
}

type dzProjectMemberOut struct {
	Designation   string `json:"designation"`
	MemberDetails struct {
		User struct {
			UserID string `json:"userId"`
		} `json:"user"`
	} `json:"memberDetails"`
}

type dzListMembershipsOut struct {
	Members   []dzProjectMemberOut `json:"members"`
	NextToken *string              `json:"nextToken,omitempty"`
}

// dzListProjectMemberships serves ListProjectMemberships.
// ListProjectMemberships lists a project's members (user profile IDs) to any member.
func dzListProjectMemberships(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	p, err := d.project("projectIdentifier", r.params["projectIdentifier"])
	if err != nil {
		return nil, err
	}
	if err := d.requireMember(r, p, dzRead); err != nil {
		return nil, err
	}
	members := dzSorted(r, p.members)
	pg, err := dzQueryPage(r, len(members))
	if err != nil {
		return nil, err
	}
	out := dzListMembershipsOut{Members: []dzProjectMemberOut{}, NextToken: pg.next}
	for _, m := range pageOf(members, pg) {
		var o dzProjectMemberOut
		o.Designation = m.designation
		o.MemberDetails.User.UserID = m.userID
		out.Members = append(out.Members, o)
	}
	return out, nil
}

// dzSorted returns list, kept in creation order, in the order the sortOrder query parameter asks
// for: a reversed copy for DESCENDING, list itself otherwise.
func dzSorted[T any](r *request, list []T) []T {
	if r.query.Get("sortOrder") != "DESCENDING" {
		return list
	}
	out := make([]T, len(list))
	for i, v := range list {
		out[len(list)-1-i] = v
	}
	return out
}
