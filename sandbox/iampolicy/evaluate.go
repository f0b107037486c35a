package iampolicy

import (
	"regexp"
	"strings"
)

// Decision is the outcome of evaluating policies for one request.
type Decision int

// The three outcomes of the IAM policy evaluation logic (IAM User Guide, "Policy evaluation
// logic" and "The difference between explicit and implicit denies"): with no applicable
// statement the request is implicitly denied; an applicable Deny statement denies it explicitly,
// whatever else allows it.
const (
	ImplicitDeny Decision = iota
	Allowed
	ExplicitDeny
)

// String returns "implicit deny", "allow" or "explicit deny".
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allow"
	case ExplicitDeny:
		return "explicit deny"
	}
	return "implicit deny"
}

// Request is what a policy is evaluated for: one action ("glue:GetTable") on one resource (an
// ARN, or "*" for an action that has no resource type) with the request's condition context.
type Request struct {
	Action   string
	Resource string
	// Context holds the condition keys of the request and their values; key names are matched
	// ignoring case, as IAM matches condition key names.
	Context map[string][]string
}

// Evaluate decides a request against identity-based policies.
func Evaluate(policies []*Policy, req Request) Decision {
	allowed := false
	for _, p := range policies {
		for _, s := range p.Statements {
			if !s.applies(req) {
				continue
			}
			if s.Effect == Deny {
				return ExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return Allowed
	}
	return ImplicitDeny
}

// applies reports whether the statement matches the request's action, resource and conditions.
func (s Statement) applies(req Request) bool {
	if s.Actions != nil && !anyMatch(s.Actions, req.Action, matchAction) {
		return false
	}
	if s.NotActions != nil && anyMatch(s.NotActions, req.Action, matchAction) {
		return false
	}
	if s.Resources != nil && !anyMatch(s.Resources, req.Resource, MatchResource) {
		return false
	}
	if s.NotResources != nil && anyMatch(s.NotResources, req.Resource, MatchResource) {
		return false
	}
	for _, c := range s.Conditions {
		if !c.holds(req.Context) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, v string, match func(pattern, v string) bool) bool {
	for _, p := range patterns {
		if match(p, v) {
			return true
		}
	}
	return false
}

// matchAction matches an Action pattern: service prefix and action name ignore case, * stands for
// any run of characters and ? for one (IAM User Guide, IAM JSON policy elements: Action).
func matchAction(pattern, action string) bool {
	return globMatch(strings.ToLower(pattern), strings.ToLower(action))
}

// MatchResource reports whether a Resource pattern matches a resource ARN. Matching is case
// sensitive; * and ? stand for characters inside one ARN segment (the parts between colons),
// except that a * which is the last character of a segment may expand beyond the colon
// boundaries, and "*" alone matches every resource (IAM User Guide, IAM JSON policy elements:
// Resource, "Using wildcards in resource ARNs").
func MatchResource(pattern, resource string) bool {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			if i == len(pattern)-1 || pattern[i+1] == ':' {
				b.WriteString(".*")
			} else {
				b.WriteString("[^:]*")
			}
		case '?':
			b.WriteString("[^:]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(resource)
}

// globMatch matches s against a pattern in which * stands for any run of characters and ? for
// exactly one.
func globMatch(pattern, s string) bool {
	// Iterative wildcard matching with backtracking to the last *.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
