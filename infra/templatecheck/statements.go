package templatecheck

import (
	"fmt"
	"sort"
	"strings"
)

// statement is one statement of a policy document in the template.
type statement struct {
	where       string // the resource (and policy) it belongs to
	Sid         string
	Effect      string
	Principal   any
	Actions     []string
	Resources   []any
	Condition   map[string]any
	notElements []string // NotAction, NotResource, NotPrincipal when present
}

func (s statement) String() string {
	if s.Sid != "" {
		return s.where + " statement " + s.Sid
	}
	return s.where + " statement " + strings.Join(s.Actions, ",")
}

// allows reports whether the statement is an Allow naming action (IAM action names ignore case).
func (s statement) allows(action string) bool {
	if s.Effect != "Allow" {
		return false
	}
	for _, a := range s.Actions {
		if globMatch(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// fromService reports whether the statement's principal is the AWS service principal.
func (s statement) fromService(service string) bool {
	for _, p := range strs(path(s.Principal, "Service")) {
		if p == service {
			return true
		}
	}
	return false
}

// policyDocuments are the properties that hold policy documents, per resource type. Trust
// policies (AssumeRolePolicyDocument) are left out: they name principals, not resources.
var policyDocuments = map[string][]string{
	"AWS::IAM::Policy":        {"PolicyDocument"},
	"AWS::IAM::ManagedPolicy": {"PolicyDocument"},
	"AWS::SNS::TopicPolicy":   {"PolicyDocument"},
	"AWS::SQS::QueuePolicy":   {"PolicyDocument"},
	"AWS::KMS::Key":           {"KeyPolicy"},
}

// statements returns every statement of every policy document of the template: the documents of
// policyDocuments and a role's inline Policies.
func (t *Template) statements() []statement {
	var out []statement
	add := func(where string, doc any) {
		for _, raw := range list(path(doc, "Statement")) {
			m, _ := raw.(map[string]any)
			st := statement{
				where:     where,
				Actions:   strs(m["Action"]),
				Resources: list(m["Resource"]),
				Principal: m["Principal"],
			}
			st.Sid, _ = m["Sid"].(string)
			st.Effect, _ = m["Effect"].(string)
			st.Condition, _ = m["Condition"].(map[string]any)
			for _, k := range []string{"NotAction", "NotResource", "NotPrincipal"} {
				if _, ok := m[k]; ok {
					st.notElements = append(st.notElements, k)
				}
			}
			out = append(out, st)
		}
	}
	for _, id := range sortedIDs(t) {
		r := t.Resources[id]
		for _, prop := range policyDocuments[r.Type] {
			add(fmt.Sprintf("%s %s", r.Type, id), r.Properties[prop])
		}
		if r.Type == "AWS::IAM::Role" {
			for _, p := range list(r.Properties["Policies"]) {
				add(fmt.Sprintf("role %s policy %v", id, path(p, "PolicyName")), path(p, "PolicyDocument"))
			}
		}
	}
	return out
}

// roleStatements returns the statements of the identity policies of a role: its inline Policies
// and the AWS::IAM::Policy resources attached to it.
func (t *Template) roleStatements(roleID string) []statement {
	var out []statement
	for _, st := range t.statements() {
		if strings.HasPrefix(st.where, "role "+roleID+" ") {
			out = append(out, st)
		}
	}
	for _, p := range t.ofType("AWS::IAM::Policy") {
		for _, r := range list(p.Properties["Roles"]) {
			if target(r) != roleID {
				continue
			}
			for _, st := range t.statements() {
				if st.where == "AWS::IAM::Policy "+p.ID {
					out = append(out, st)
				}
			}
		}
	}
	return out
}

func sortedIDs(t *Template) []string {
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
