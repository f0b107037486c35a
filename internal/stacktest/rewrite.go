package stacktest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/dzonboard/dzonboard/internal/iamref"
)

// policyDocs calls fn with every policy document of the template: those of AWS::IAM::Policy,
// AWS::IAM::ManagedPolicy and AWS::IAM::RolePolicy resources and roles' inline policies, each
// with the logical ID it belongs to.
func policyDocs(res map[string]any, fn func(id string, doc map[string]any)) {
	ids := make([]string, 0, len(res))
	for id := range res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r, _ := res[id].(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		switch r["Type"] {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy":
			if doc, ok := props["PolicyDocument"].(map[string]any); ok {
				fn(id, doc)
			}
		case "AWS::IAM::Role":
			inline, _ := props["Policies"].([]any)
			for _, p := range inline {
				if pm, ok := p.(map[string]any); ok {
					if doc, ok := pm["PolicyDocument"].(map[string]any); ok {
						fn(id, doc)
					}
				}
			}
		}
	}
}

// rewrite applies edit to every statement list of the template's policies.
func rewrite(tmpl []byte, edit func(id string, statements []any) []any) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(tmpl, &doc); err != nil {
		return nil, fmt.Errorf("stacktest: read template: %w", err)
	}
	res, _ := doc["Resources"].(map[string]any)
	policyDocs(res, func(id string, pd map[string]any) {
		sts, ok := pd["Statement"].([]any)
		if !ok {
			sts = []any{pd["Statement"]}
		}
		pd["Statement"] = edit(id, sts)
	})
	return json.Marshal(doc)
}

// strs reads a string or list of strings.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// grantsStar reports whether a statement's Resource includes "*".
func grantsStar(st map[string]any) bool {
	switch r := st["Resource"].(type) {
	case string:
		return r == "*"
	case []any:
		return slices.Contains(r, any("*"))
	}
	return false
}

// deadActions are the actions of an Allow statement that can never take effect: actions AWS's
// IAM action data lists with no resource type, granted on resources that are not "*".
func deadActions(st map[string]any) []string {
	if st["Effect"] != "Allow" || st["Resource"] == nil || grantsStar(st) {
		return nil
	}
	var dead []string
	for _, a := range strs(st["Action"]) {
		if rts, known := iamref.ResourceTypes(a); known && len(rts) == 0 {
			dead = append(dead, a)
		}
	}
	return dead
}

// DeadGrants lists, as "<policy logical ID>: <action>", every action the template allows only
// on resources it can never apply to (an action without resource type granted on an ARN: IAM
// ignores such a statement for it).
func DeadGrants(tmpl []byte) []string {
	var out []string
	_, _ = rewrite(tmpl, func(id string, sts []any) []any {
		for _, s := range sts {
			if st, ok := s.(map[string]any); ok {
				for _, a := range deadActions(st) {
					out = append(out, id+": "+a)
				}
			}
		}
		return sts
	})
	return out
}

// WithLiveGrants returns the template with every dead grant (see DeadGrants) moved out of its
// statement into a statement of its own with Resource "*", as the stack must grant actions that
// have no resource type.
func WithLiveGrants(tmpl []byte) ([]byte, error) {
	return rewrite(tmpl, func(_ string, sts []any) []any {
		var out []any
		for _, s := range sts {
			st, ok := s.(map[string]any)
			dead := deadActions(st)
			if !ok || len(dead) == 0 {
				out = append(out, s)
				continue
			}
			var live []any
			for _, a := range strs(st["Action"]) {
				if !slices.Contains(dead, a) {
					live = append(live, a)
				}
			}
			if len(live) > 0 {
				st["Action"] = live
				out = append(out, st)
			}
			deadAny := make([]any, len(dead))
			for i, a := range dead {
				deadAny[i] = a
			}
			out = append(out, map[string]any{"Effect": "Allow", "Action": deadAny, "Resource": "*"})
		}
		return out
	})
}

// WithoutAction returns the template with action taken out of every policy statement; a
// statement left with no action is dropped.
func WithoutAction(tmpl []byte, action string) ([]byte, error) {
	return rewrite(tmpl, func(_ string, sts []any) []any {
		var out []any
		for _, s := range sts {
			st, ok := s.(map[string]any)
			if !ok {
				out = append(out, s)
				continue
			}
			var keep []any
			for _, a := range strs(st["Action"]) {
				if a != action {
					keep = append(keep, a)
				}
			}
			if len(keep) == 0 {
				continue
			}
			st["Action"] = keep
			out = append(out, st)
		}
		return out
	})
}
