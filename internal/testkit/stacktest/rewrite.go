package stacktest

import (
	"encoding/json"
	"fmt"
	"sort"
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
