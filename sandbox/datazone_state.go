package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// dzState is the DataZone domain of the sandbox: its projects, environments, data sources, runs,
// assets, listings, subscriptions and grants. Every field is guarded by the Sandbox mutex.
type dzState struct {
	domain    DZDomain
	blueprint DZBlueprint
	profileID string // the environment profile every environment reports
	createdAt time.Time

	projects    dzTable[dzProject]
	envs        dzTable[dzEnv]
	targets     dzTable[dzTarget]
	profiles    dzTable[dzProfile]
	dataSources dzTable[dzDataSource]
	runs        dzTable[dzRun]
	assets      dzTable[dzAsset]
	listings    dzTable[dzListing]
	requests    dzTable[dzRequest]
	subs        dzTable[dzSubscription]
	grants      dzTable[dzGrant]

	// tokens maps "<operation>/<client token>" to the ID of what that call created.
	tokens map[string]string
}

// dzTable keeps entities by ID and in creation order, so listings are deterministic.
type dzTable[T any] struct {
	order []*T
	byID  map[string]*T
}

func (t *dzTable[T]) add(id string, v *T) {
	if t.byID == nil {
		t.byID = map[string]*T{}
	}
	t.byID[id] = v
	t.order = append(t.order, v)
}

func (t *dzTable[T]) get(id string) (*T, bool) {
	v, ok := t.byID[id]
	return v, ok
}

func (t *dzTable[T]) all() []*T { return t.order }

// lookup returns the entity a request field names: an ID that does not match the pattern is a
// ValidationException, an unknown one a ResourceNotFoundException "<kind> <id> not found".
func (t *dzTable[T]) lookup(field, id, kind string) (*T, error) {
	if err := dzCheckID(field, id); err != nil {
		return nil, err
	}
	v, ok := t.get(id)
	if !ok {
		return nil, dzNotFound("%s %s not found", kind, id)
	}
	return v, nil
}

// dzProject is a project and its members.
type dzProject struct {
	id, name string
	members  []*dzMember
}

// dzMember is one project member: an IAM principal with a user profile.
type dzMember struct {
	arn, designation, userID string
}

// dzProfile is an IAM user profile of the domain.
type dzProfile struct {
	id, arn, userType string
}

// dzEnv is a DefaultDataLake environment.
type dzEnv struct {
	w         DZEnvironment
	projectID string
	createdAt time.Time
	target    *dzTarget
}

// dzTarget is the subscription target DataZone creates for each data lake environment.
type dzTarget struct {
	id, envID, projectID, name string
	manageRole, mode           string
	createdAt                  time.Time
}

// newDataZone builds s.dz from the world's DataZone section: projects, members (each with a user
// profile), environments and one subscription target per environment (AUTOMATIC unless the
// environment's SubscriptionGrantCreationMode says MANUAL).
func newDataZone(s *Sandbox) error {
	w := s.world.DataZone
	if !dzDomainIDPattern.MatchString(w.Domain.ID) {
		return fmt.Errorf("datazone domain id %q does not match %s", w.Domain.ID, dzDomainIDPattern)
	}
	d := &dzState{
		domain:    w.Domain,
		blueprint: w.Blueprint,
		createdAt: s.now(),
		tokens:    map[string]string{},
	}
	if d.domain.Version == "" {
		d.domain.Version = "V1"
	}
	if d.domain.Status == "" {
		d.domain.Status = "AVAILABLE"
	}
	if d.blueprint.ID == "" {
		d.blueprint.ID = s.newID()
	}
	if d.blueprint.Name == "" {
		d.blueprint.Name = "DefaultDataLake"
	}
	d.profileID = s.newID()
	for _, wp := range w.Projects {
		if !dzIDPattern.MatchString(wp.ID) {
			return fmt.Errorf("datazone project id %q does not match %s", wp.ID, dzIDPattern)
		}
		if _, dup := d.projects.get(wp.ID); dup {
			return fmt.Errorf("datazone project %q: duplicate id", wp.ID)
		}
		p := &dzProject{id: wp.ID, name: wp.Name}
		for _, m := range wp.Members {
			prof := d.ensureProfile(s, m.ARN)
			p.members = append(p.members, &dzMember{arn: m.ARN, designation: m.Designation, userID: prof.id})
		}
		d.projects.add(p.id, p)
		for _, we := range wp.Environments {
			if !dzIDPattern.MatchString(we.ID) {
				return fmt.Errorf("datazone environment id %q does not match %s", we.ID, dzIDPattern)
			}
			if _, dup := d.envs.get(we.ID); dup {
				return fmt.Errorf("datazone environment %q: duplicate id", we.ID)
			}
			e := &dzEnv{w: we, projectID: p.id, createdAt: d.createdAt}
			if e.w.Status == "" {
				e.w.Status = "ACTIVE"
			}
			if e.w.WorkgroupKey == "" {
				e.w.WorkgroupKey = "workgroupName"
			}
			if e.w.ProducerOutputURI == "" {
				e.w.ProducerOutputURI = fmt.Sprintf("s3://amazon-datazone-%s-%s-%s/%s/%s/dev/",
					s.world.Account, s.world.Region, strings.TrimPrefix(d.domain.ID, "dzd_"), d.domain.ID, p.id)
			}
			mode, err := dzGrantCreationMode(we)
			if err != nil {
				return err
			}
			e.target = &dzTarget{
				id: s.newID(), envID: we.ID, projectID: p.id,
				name:       we.Name + "-subscription-target",
				manageRole: d.blueprint.ManageAccessRoleARN,
				mode:       mode,
				createdAt:  d.createdAt,
			}
			d.envs.add(we.ID, e)
			d.targets.add(e.target.id, e.target)
		}
	}
	s.dz = d
	return nil
}

// dzGrantCreationMode is the subscription grant creation mode of an environment's target:
// AUTOMATIC unless the world says MANUAL.
func dzGrantCreationMode(we DZEnvironment) (string, error) {
	switch we.SubscriptionGrantCreationMode {
	case "", "AUTOMATIC":
		return "AUTOMATIC", nil
	case "MANUAL":
		return "MANUAL", nil
	}
	return "", fmt.Errorf("datazone environment %q: subscriptionGrantCreationMode %q is not AUTOMATIC or MANUAL",
		we.ID, we.SubscriptionGrantCreationMode)
}

// ensureProfile returns the IAM user profile of arn, creating it if needed.
func (d *dzState) ensureProfile(s *Sandbox, arn string) *dzProfile {
	for _, p := range d.profiles.all() {
		if strings.EqualFold(p.arn, arn) {
			return p
		}
	}
	p := &dzProfile{id: s.newID(), arn: arn, userType: "IAM_ROLE"}
	d.profiles.add(p.id, p)
	return p
}

// profileByARN returns the user profile of an IAM principal.
func (d *dzState) profileByARN(arn string) (*dzProfile, bool) {
	for _, p := range d.profiles.all() {
		if strings.EqualFold(p.arn, arn) {
			return p, true
		}
	}
	return nil, false
}

// userID returns the user profile ID of a principal, or the principal itself when it has none.
func (d *dzState) userID(arn string) string {
	if p, ok := d.profileByARN(arn); ok {
		return p.id
	}
	return arn
}

// member returns the membership of principal arn in project p.
func (p *dzProject) member(arn string) (*dzMember, bool) {
	arn = dzRoleARN(arn)
	for _, m := range p.members {
		if strings.EqualFold(dzRoleARN(m.arn), arn) {
			return m, true
		}
	}
	return nil, false
}

// dzRoleARN turns an assumed-role session ARN into its role ARN; other ARNs are unchanged.
func dzRoleARN(arn string) string {
	// arn:aws:sts::123456789012:assumed-role/Name/session
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/") {
		rest := strings.Split(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", parts[1], parts[4], rest[0])
	}
	return arn
}

// dzCanWrite reports whether a designation may change project resources.
func dzCanWrite(designation string) bool {
	return designation == "PROJECT_OWNER" || designation == "PROJECT_CONTRIBUTOR"
}

// dzAccess is the kind of project access an operation needs.
type dzAccess int

const (
	dzRead  dzAccess = iota // any designation
	dzWrite                 // owner or contributor
	dzOwner                 // owner only
)

// requireMember fails with AccessDeniedException unless the caller is a member of p with the
// access the operation needs.
func (d *dzState) requireMember(r *request, p *dzProject, need dzAccess) error {
	m, ok := p.member(r.caller)
	if ok {
		switch need {
		case dzRead:
			return nil
		case dzWrite:
			if dzCanWrite(m.designation) {
				return nil
			}
		case dzOwner:
			if m.designation == "PROJECT_OWNER" {
				return nil
			}
		}
	}
	return dzDenied(r.op)
}

// dzOwned is an entity that belongs to a project.
type dzOwned interface {
	owningProject() string
}

func (e *dzEnv) owningProject() string         { return e.projectID }
func (ds *dzDataSource) owningProject() string { return ds.projectID }
func (run *dzRun) owningProject() string       { return run.projectID }
func (a *dzAsset) owningProject() string       { return a.projectID }

// dzAccessible returns the entity that lookup finds for the path parameter param, when the caller
// has the access need to the project it belongs to.
func dzAccessible[T dzOwned](d *dzState, r *request, param string, need dzAccess,
	lookup func(field, id string) (T, error)) (T, error) {
	var zero T
	v, err := lookup(param, r.params[param])
	if err != nil {
		return zero, err
	}
	if err := d.requireMember(r, d.projectOf(v.owningProject()), need); err != nil {
		return zero, err
	}
	return v, nil
}

// isMember reports whether the caller is any kind of member of the project with this ID.
func (d *dzState) isMember(r *request, projectID string) bool {
	p, ok := d.projects.get(projectID)
	if !ok {
		return false
	}
	_, ok = p.member(r.caller)
	return ok
}

// project returns the project named by a request field, validating the ID.
func (d *dzState) project(field, id string) (*dzProject, error) {
	return d.projects.lookup(field, id, "Project")
}

// env returns the environment named by a request field, validating the ID.
func (d *dzState) env(field, id string) (*dzEnv, error) {
	return d.envs.lookup(field, id, "Environment")
}

// projectOf returns the project an entity belongs to; the world guarantees it exists.
func (d *dzState) projectOf(id string) *dzProject {
	p, _ := d.projects.get(id)
	if p == nil {
		return &dzProject{id: id}
	}
	return p
}

// dzDomain validates the domainIdentifier path parameter and returns the domain state.
func (s *Sandbox) dzDomain(r *request) (*dzState, error) {
	return s.dzDomainAt(r, "domainIdentifier")
}

// dzDomainAt validates the domain ID in the named path parameter and returns the domain state.
func (s *Sandbox) dzDomainAt(r *request, param string) (*dzState, error) {
	id := r.params[param]
	if err := dzCheckDomainID(param, id); err != nil {
		return nil, err
	}
	if s.dz == nil || id != s.dz.domain.ID {
		return nil, dzNotFound("Domain %s not found", id)
	}
	return s.dz, nil
}

// token returns the ID a previous call in scope with the same client token created. It journals
// the token, and marks a replayed call (naming what the first call created as its resource), so
// tests can prove idempotency from the journal.
func (d *dzState) token(r *request, scope string, token *string) (string, bool) {
	if token == nil || *token == "" {
		return "", false
	}
	r.key("clientToken", *token)
	id, ok := d.tokens[scope+"/"+*token]
	if ok {
		r.key("replayOf", id)
		r.setResource(strings.SplitN(id, "#", 2)[0])
	}
	return id, ok
}

// remember records the ID a call created, under its client token in scope when it has one, and
// names it the call's journal resource. id may carry a "#<revision>" suffix, which the resource
// leaves out.
func (d *dzState) remember(r *request, scope string, token *string, id string) {
	r.setResource(strings.SplitN(id, "#", 2)[0])
	if token == nil || *token == "" {
		return
	}
	d.tokens[scope+"/"+*token] = id
}
