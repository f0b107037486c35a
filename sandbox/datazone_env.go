package sandbox

import (
	"encoding/json"
	"strings"
	"time"
)

// Environments, their provisioned resources, credentials and subscription targets.

type dzResource struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Type     string `json:"type"`
	Provider string `json:"provider"`
}

type dzEnvOut struct {
	ID                     string       `json:"id"`
	DomainID               string       `json:"domainId"`
	ProjectID              string       `json:"projectId"`
	Name                   string       `json:"name"`
	Status                 string       `json:"status"`
	Provider               string       `json:"provider"`
	AWSAccountID           string       `json:"awsAccountId"`
	AWSAccountRegion       string       `json:"awsAccountRegion"`
	EnvironmentProfileID   string       `json:"environmentProfileId"`
	EnvironmentBlueprintID string       `json:"environmentBlueprintId,omitempty"`
	CreatedBy              string       `json:"createdBy"`
	CreatedAt              *dzTime      `json:"createdAt,omitempty"`
	UpdatedAt              *dzTime      `json:"updatedAt,omitempty"`
	ProvisionedResources   []dzResource `json:"provisionedResources,omitempty"`
}

// provisionedResources are the resources DataZone reports for a DefaultDataLake environment; the
// workgroup appears under the environment's WorkgroupKey.
func (e *dzEnv) provisionedResources() []dzResource {
	const provider = "Amazon DataZone"
	var out []dzResource
	add := func(name, value, typ string) {
		if value != "" {
			out = append(out, dzResource{Name: name, Value: value, Type: typ, Provider: provider})
		}
	}
	add("glueConsumerDBName", e.w.SubscriptionDatabase, "GLUE_DATABASE")
	add("glueProducerDBName", e.w.PublishingDatabase, "GLUE_DATABASE")
	add("glueProducerOutputUri", e.w.ProducerOutputURI, "S3_URI")
	add("userRoleArn", e.w.UserRoleARN, "IAM_ROLE")
	add(e.w.WorkgroupKey, e.w.Workgroup, "ATHENA_WORKGROUP")
	return out
}

func (s *Sandbox) dzEnvOut(e *dzEnv, full bool) dzEnvOut {
	d := s.dz
	o := dzEnvOut{
		ID: e.w.ID, DomainID: d.domain.ID, ProjectID: e.projectID, Name: e.w.Name, Status: e.w.Status,
		Provider: "Amazon DataZone", AWSAccountID: s.world.Account, AWSAccountRegion: s.world.Region,
		EnvironmentProfileID: d.profileID, CreatedBy: "SYSTEM",
		CreatedAt: dt(e.createdAt), UpdatedAt: dt(e.createdAt),
	}
	if full {
		o.EnvironmentBlueprintID = d.blueprint.ID
		o.ProvisionedResources = e.provisionedResources()
	}
	return o
}

// dzGetEnvironment serves GetEnvironment: any member of the environment's project.
func dzGetEnvironment(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	e, err := dzAccessible(d, r, "identifier", dzRead, d.env)
	if err != nil {
		return nil, err
	}
	return s.dzEnvOut(e, true), nil
}

// dzListEnvironments serves ListEnvironments: the environments of a project (projectIdentifier is required).
// The operation models no ResourceNotFoundException, so an unknown project is AccessDeniedException.
func dzListEnvironments(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	pid := r.query.Get("projectIdentifier")
	if err := dzCheckID("projectIdentifier", pid); err != nil {
		return nil, err
	}
	p, ok := d.projects.get(pid)
	if !ok {
		return nil, dzDenied(r.op)
	}
	if err := d.requireMember(r, p, dzRead); err != nil {
		return nil, err
	}
	q := r.query
	var items []dzEnvOut
	for _, e := range d.envs.all() {
		switch {
		case e.projectID != p.id,
			dzMismatch(q, "name", e.w.Name),
			dzMismatch(q, "status", e.w.Status),
			dzMismatch(q, "environmentBlueprintIdentifier", d.blueprint.ID),
			dzMismatch(q, "environmentProfileIdentifier", d.profileID),
			dzMismatch(q, "awsAccountId", s.world.Account),
			dzMismatch(q, "awsAccountRegion", s.world.Region),
			dzMismatch(q, "provider", "Amazon DataZone"):
			continue
		}
		items = append(items, s.dzEnvOut(e, false))
	}
	return dzListPage(r, items)
}

type dzCredentialsOut struct {
	AccessKeyID     string  `json:"accessKeyId"`
	SecretAccessKey string  `json:"secretAccessKey"`
	SessionToken    string  `json:"sessionToken"`
	Expiration      *dzTime `json:"expiration"`
}

// dzGetEnvironmentCredentials serves GetEnvironmentCredentials.
// GetEnvironmentCredentials mints one-hour credentials for the environment's user role. Any member
// of the environment's project may call it. The credentials are never journalled.
func dzGetEnvironmentCredentials(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	e, err := dzAccessible(d, r, "environmentIdentifier", dzRead, d.env)
	if err != nil {
		return nil, err
	}
	if e.w.Status != "ACTIVE" {
		return nil, dzValidation("Environment %s is not ACTIVE", e.w.ID)
	}
	akid, secret, token, exp := s.mintCredentials(e.w.UserRoleARN, time.Hour)
	return dzCredentialsOut{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: token, Expiration: dt(exp)}, nil
}

type dzTargetForm struct {
	FormName string `json:"formName"`
	Content  string `json:"content"`
}

type dzTargetOut struct {
	ID                            string         `json:"id"`
	DomainID                      string         `json:"domainId"`
	EnvironmentID                 string         `json:"environmentId"`
	ProjectID                     string         `json:"projectId"`
	Name                          string         `json:"name"`
	Type                          string         `json:"type"`
	Provider                      string         `json:"provider"`
	ManageAccessRole              string         `json:"manageAccessRole"`
	ApplicableAssetTypes          []string       `json:"applicableAssetTypes"`
	AuthorizedPrincipals          []string       `json:"authorizedPrincipals"`
	SubscriptionTargetConfig      []dzTargetForm `json:"subscriptionTargetConfig"`
	SubscriptionGrantCreationMode string         `json:"subscriptionGrantCreationMode"`
	CreatedBy                     string         `json:"createdBy"`
	CreatedAt                     *dzEpoch       `json:"createdAt,omitempty"`
}

// dzListSubscriptionTargets serves ListSubscriptionTargets: the environment's one Glue subscription target.
func dzListSubscriptionTargets(s *Sandbox, r *request) (any, error) {
	d, err := s.dzDomain(r)
	if err != nil {
		return nil, err
	}
	e, err := dzAccessible(d, r, "environmentIdentifier", dzRead, d.env)
	if err != nil {
		return nil, err
	}
	t := e.target
	content, _ := json.Marshal(map[string]string{"databaseName": e.w.SubscriptionDatabase})
	items := []dzTargetOut{{
		ID: t.id, DomainID: d.domain.ID, EnvironmentID: e.w.ID, ProjectID: e.projectID,
		Name: t.name, Type: "GlueSubscriptionTargetType", Provider: "Amazon DataZone",
		ManageAccessRole:              t.manageRole,
		ApplicableAssetTypes:          []string{"GlueTableAssetType"},
		AuthorizedPrincipals:          []string{e.w.UserRoleARN},
		SubscriptionTargetConfig:      []dzTargetForm{{FormName: "GlueSubscriptionTargetConfigForm", Content: string(content)}},
		SubscriptionGrantCreationMode: t.mode,
		CreatedBy:                     "SYSTEM",
		CreatedAt:                     ep(t.createdAt),
	}}
	return dzListPage(r, items)
}

// isDataLake reports whether an environment can receive Glue subscription grants.
func (e *dzEnv) isDataLake() bool {
	return strings.EqualFold(e.w.Status, "ACTIVE") && e.w.SubscriptionDatabase != ""
}
