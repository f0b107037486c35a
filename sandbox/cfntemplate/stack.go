package cfntemplate

import (
	"fmt"
	"sort"
	"strings"
)

// Stack is what dzonboard needs of a template resolved for one account.
type Stack struct {
	Env       Env
	Roles     []Role     // by logical ID
	Functions []Function // by logical ID
	// ProjectMemberships are the AWS::DataZone::ProjectMembership resources.
	ProjectMemberships []ProjectMembership
	// CustomResources are the Custom::* and AWS::CloudFormation::CustomResource resources.
	CustomResources []CustomResource
	// Buckets are the AWS::S3::Bucket resources.
	Buckets []Bucket
}

// Bucket is an AWS::S3::Bucket: its name.
type Bucket struct {
	LogicalID string
	Name      string
}

// Role is an AWS::IAM::Role with the policies attached to it.
type Role struct {
	LogicalID string
	Name      string
	ARN       string
	// Policies are its identity-based policy documents (resolved JSON): the role's inline
	// Policies, and the AWS::IAM::Policy, AWS::IAM::RolePolicy and AWS::IAM::ManagedPolicy
	// resources of the template attached to it.
	Policies []PolicyDocument
	// ManagedPolicyARNs are attached managed policies the template does not define (AWS managed
	// policies such as arn:aws:iam::aws:policy/...): their documents are not in the template.
	ManagedPolicyARNs []string
}

// PolicyDocument is one policy document and where it came from.
type PolicyDocument struct {
	// Source is the logical ID of the policy resource, or "<RoleLogicalId>.Policies.<PolicyName>"
	// for an inline policy.
	Source   string
	Document []byte
}

// Function is an AWS::Lambda::Function: its role and environment variables.
type Function struct {
	LogicalID   string
	Name        string
	ARN         string
	RoleARN     string
	Environment map[string]string
}

// ProjectMembership is an AWS::DataZone::ProjectMembership.
type ProjectMembership struct {
	LogicalID         string
	DomainIdentifier  string
	ProjectIdentifier string
	Designation       string
	// UserIdentifier or GroupIdentifier is the member.
	UserIdentifier  string
	GroupIdentifier string
}

// CustomResource is a custom resource with its resolved properties (ServiceToken included, as
// CloudFormation sends them to the handler).
type CustomResource struct {
	LogicalID  string
	Type       string
	Properties map[string]any
}

// Stack resolves the template for env and collects its roles, functions, project memberships
// and custom resources. Resources whose Condition is false are left out, as CloudFormation does
// not create them.
func (t *Template) Stack(env Env) (*Stack, error) {
	r := newResolver(t, env)
	st := &Stack{Env: r.env}
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	rolesByName := map[string]int{}
	policiesByARN := map[string][]PolicyDocument{}
	type attachment struct {
		roles []string
		doc   PolicyDocument
	}
	var attached []attachment
	for _, id := range ids {
		res := t.Resources[id]
		if ok, err := r.created(id, res); err != nil {
			return nil, fmt.Errorf("resolve template: %w", err)
		} else if !ok {
			continue
		}
		at := "Resources." + id + ".Properties"
		var err error
		switch {
		case res.Type == "AWS::IAM::Role":
			var role Role
			if role, err = r.role(id, res, at); err == nil {
				rolesByName[role.Name] = len(st.Roles)
				st.Roles = append(st.Roles, role)
			}
		case res.Type == "AWS::IAM::Policy" || res.Type == "AWS::IAM::ManagedPolicy" || res.Type == "AWS::IAM::RolePolicy":
			var a attachment
			a.doc.Source = id
			if a.doc.Document, err = r.jsonOf(res.Properties["PolicyDocument"], at+".PolicyDocument"); err != nil {
				break
			}
			if res.Type == "AWS::IAM::RolePolicy" {
				var name string
				if name, err = r.str(res.Properties["RoleName"], at+".RoleName"); err == nil {
					a.roles = []string{name}
				}
			} else if v, ok := res.Properties["Roles"]; ok {
				a.roles, err = r.list(v, at+".Roles")
			}
			if err == nil && res.Type == "AWS::IAM::ManagedPolicy" {
				var arn any
				if arn, err = r.physicalRef(id, res, at); err == nil {
					policiesByARN[arn.(string)] = append(policiesByARN[arn.(string)], a.doc)
				}
			}
			attached = append(attached, a)
		case res.Type == "AWS::Lambda::Function":
			var fn Function
			if fn, err = r.function(id, res, at); err == nil {
				st.Functions = append(st.Functions, fn)
			}
		case res.Type == "AWS::S3::Bucket":
			var name string
			if name, err = r.physicalName(id, res, at); err == nil {
				st.Buckets = append(st.Buckets, Bucket{LogicalID: id, Name: name})
			}
		case res.Type == "AWS::DataZone::ProjectMembership":
			var m ProjectMembership
			if m, err = r.membership(id, res, at); err == nil {
				st.ProjectMemberships = append(st.ProjectMemberships, m)
			}
		case strings.HasPrefix(res.Type, "Custom::") || res.Type == "AWS::CloudFormation::CustomResource":
			var props any
			if props, err = r.value(res.Properties, at); err == nil {
				m, _ := props.(map[string]any)
				st.CustomResources = append(st.CustomResources, CustomResource{LogicalID: id, Type: res.Type, Properties: m})
			}
		}
		if err != nil {
			return nil, fmt.Errorf("resolve template: %w", err)
		}
	}
	for _, a := range attached {
		for _, name := range a.roles {
			if i, ok := rolesByName[name]; ok {
				st.Roles[i].Policies = append(st.Roles[i].Policies, a.doc)
			}
		}
	}
	// A role's ManagedPolicyArns naming a policy of this template attach that policy's document
	// (unless its Roles already did).
	for i := range st.Roles {
		var unknown []string
		for _, arn := range st.Roles[i].ManagedPolicyARNs {
			docs, ok := policiesByARN[arn]
			if !ok {
				unknown = append(unknown, arn)
				continue
			}
			for _, d := range docs {
				if !hasSource(st.Roles[i].Policies, d.Source) {
					st.Roles[i].Policies = append(st.Roles[i].Policies, d)
				}
			}
		}
		st.Roles[i].ManagedPolicyARNs = unknown
	}
	return st, nil
}

func hasSource(docs []PolicyDocument, source string) bool {
	for _, d := range docs {
		if d.Source == source {
			return true
		}
	}
	return false
}

func (r *resolver) role(id string, res Resource, at string) (Role, error) {
	name, err := r.physicalName(id, res, at)
	if err != nil {
		return Role{}, err
	}
	role := Role{LogicalID: id, Name: name, ARN: kinds[res.Type].arn(r.env, name, res.Properties)}
	if v, ok := res.Properties["Policies"]; ok {
		items, ok := v.([]any)
		if !ok {
			return Role{}, fmt.Errorf("%s.Policies: want a list", at)
		}
		for i, it := range items {
			p, ok := it.(map[string]any)
			if !ok {
				return Role{}, fmt.Errorf("%s.Policies[%d]: want a map", at, i)
			}
			pname, err := r.str(p["PolicyName"], fmt.Sprintf("%s.Policies[%d].PolicyName", at, i))
			if err != nil {
				return Role{}, err
			}
			doc, err := r.jsonOf(p["PolicyDocument"], fmt.Sprintf("%s.Policies[%d].PolicyDocument", at, i))
			if err != nil {
				return Role{}, err
			}
			role.Policies = append(role.Policies, PolicyDocument{Source: id + ".Policies." + pname, Document: doc})
		}
	}
	if v, ok := res.Properties["ManagedPolicyArns"]; ok {
		if role.ManagedPolicyARNs, err = r.list(v, at+".ManagedPolicyArns"); err != nil {
			return Role{}, err
		}
	}
	return role, nil
}

func (r *resolver) function(id string, res Resource, at string) (Function, error) {
	name, err := r.physicalName(id, res, at)
	if err != nil {
		return Function{}, err
	}
	fn := Function{LogicalID: id, Name: name, ARN: kinds[res.Type].arn(r.env, name, res.Properties), Environment: map[string]string{}}
	if fn.RoleARN, err = r.str(res.Properties["Role"], at+".Role"); err != nil {
		return Function{}, err
	}
	env, _ := res.Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	for k, v := range vars {
		if fn.Environment[k], err = r.str(v, at+".Environment.Variables."+k); err != nil {
			return Function{}, err
		}
	}
	return fn, nil
}

func (r *resolver) membership(id string, res Resource, at string) (ProjectMembership, error) {
	m := ProjectMembership{LogicalID: id}
	var err error
	for _, f := range []struct {
		prop string
		dst  *string
	}{
		{"DomainIdentifier", &m.DomainIdentifier},
		{"ProjectIdentifier", &m.ProjectIdentifier},
		{"Designation", &m.Designation},
	} {
		if *f.dst, err = r.str(res.Properties[f.prop], at+"."+f.prop); err != nil {
			return ProjectMembership{}, err
		}
	}
	member, _ := res.Properties["Member"].(map[string]any)
	if v, ok := member["UserIdentifier"]; ok {
		m.UserIdentifier, err = r.str(v, at+".Member.UserIdentifier")
	} else if v, ok := member["GroupIdentifier"]; ok {
		m.GroupIdentifier, err = r.str(v, at+".Member.GroupIdentifier")
	} else {
		err = fmt.Errorf("%s.Member: want UserIdentifier or GroupIdentifier", at)
	}
	return m, err
}
