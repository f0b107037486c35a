package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Effect is a statement's Effect: Allow or Deny.
type Effect string

// The two effects a statement can have.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is one parsed identity-based policy document.
type Policy struct {
	// Version is the policy language version ("2012-10-17"), "" when the document has none.
	Version    string
	Statements []Statement
}

// Statement is one statement of a policy. Exactly one of Actions and NotActions, and exactly one
// of Resources and NotResources, is set.
type Statement struct {
	Sid          string
	Effect       Effect
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	// Conditions are the statement's conditions; all must hold.
	Conditions []Condition
}

// Condition is one operator and key of a Condition block with the policy's values for it, e.g.
// StringEquals iam:AWSServiceName ["lakeformation.amazonaws.com"].
type Condition struct {
	// Operator is the operator as written, with any IfExists suffix and set qualifier prefix.
	Operator string
	Key      string
	Values   []string
}

// Parse reads a policy document (JSON). Statement may be one object or a list; Action,
// NotAction, Resource, NotResource and condition values may be one string or a list.
func Parse(doc []byte) (*Policy, error) {
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parse policy: %w", err)
	}
	if raw.Version != "" && raw.Version != "2012-10-17" && raw.Version != "2008-10-17" {
		return nil, fmt.Errorf("parse policy: unknown Version %q", raw.Version)
	}
	var rawStatements []json.RawMessage
	switch {
	case len(raw.Statement) == 0:
		return nil, fmt.Errorf("parse policy: no Statement")
	case raw.Statement[0] == '[':
		if err := json.Unmarshal(raw.Statement, &rawStatements); err != nil {
			return nil, fmt.Errorf("parse policy: Statement: %w", err)
		}
	default:
		rawStatements = []json.RawMessage{raw.Statement}
	}
	p := &Policy{Version: raw.Version}
	for i, rs := range rawStatements {
		s, err := parseStatement(rs)
		if err != nil {
			return nil, fmt.Errorf("parse policy: statement %d: %w", i, err)
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// rawStatement is a statement as written; Principal and NotPrincipal are read only to refuse
// them.
type rawStatement struct {
	Sid          string                                `json:"Sid"`
	Effect       string                                `json:"Effect"`
	Action       stringList                            `json:"Action"`
	NotAction    stringList                            `json:"NotAction"`
	Resource     stringList                            `json:"Resource"`
	NotResource  stringList                            `json:"NotResource"`
	Condition    map[string]map[string]json.RawMessage `json:"Condition"`
	Principal    json.RawMessage                       `json:"Principal"`
	NotPrincipal json.RawMessage                       `json:"NotPrincipal"`
}

func parseStatement(b []byte) (Statement, error) {
	var r rawStatement
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Statement{}, err
	}
	s := Statement{Sid: r.Sid, Effect: Effect(r.Effect), Actions: r.Action.values, NotActions: r.NotAction.values,
		Resources: r.Resource.values, NotResources: r.NotResource.values}
	switch {
	case s.Effect != Allow && s.Effect != Deny:
		return Statement{}, fmt.Errorf("effect %q is neither Allow nor Deny", r.Effect)
	case r.Principal != nil || r.NotPrincipal != nil:
		// IAM: "You cannot use the Principal element in an IAM identity-based policy"
		// (IAM User Guide, IAM JSON policy elements: Principal).
		return Statement{}, fmt.Errorf("an identity-based policy cannot name a Principal")
	case r.Action.set == r.NotAction.set:
		return Statement{}, fmt.Errorf("a statement needs exactly one of Action and NotAction")
	case r.Resource.set == r.NotResource.set:
		return Statement{}, fmt.Errorf("a statement needs exactly one of Resource and NotResource")
	}
	for op, keys := range r.Condition {
		if err := checkOperator(op); err != nil {
			return Statement{}, err
		}
		for key, raw := range keys {
			var vals stringList
			if err := json.Unmarshal(raw, &vals); err != nil {
				return Statement{}, fmt.Errorf("condition %s %s: %w", op, key, err)
			}
			s.Conditions = append(s.Conditions, Condition{Operator: op, Key: key, Values: vals.values})
		}
	}
	return s, nil
}

// stringList reads a JSON string, number, boolean or list of them as strings; set records
// whether the member was present at all.
type stringList struct {
	values []string
	set    bool
}

func (l *stringList) UnmarshalJSON(b []byte) error {
	l.set = true
	var items []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
	} else {
		items = []json.RawMessage{b}
	}
	for _, it := range items {
		var v any
		if err := json.Unmarshal(it, &v); err != nil {
			return err
		}
		switch x := v.(type) {
		case string:
			l.values = append(l.values, x)
		case bool, float64:
			l.values = append(l.values, strings.TrimSpace(string(it)))
		default:
			return fmt.Errorf("%s is not a string", it)
		}
	}
	return nil
}
