package iampolicy

import (
	"fmt"
	"strings"
)

// The condition operators of the IAM User Guide ("IAM JSON policy elements: Condition
// operators") that this package evaluates. Numeric, date, IP address and binary operators are not
// evaluated: a policy using them fails to parse, so it cannot be silently misread.
var operators = map[string]struct {
	match   func(policy, request string) bool
	negated bool
}{
	"StringEquals":              {match: func(p, r string) bool { return p == r }},
	"StringNotEquals":           {match: func(p, r string) bool { return p == r }, negated: true},
	"StringEqualsIgnoreCase":    {match: strings.EqualFold},
	"StringNotEqualsIgnoreCase": {match: strings.EqualFold, negated: true},
	"StringLike":                {match: globMatch},
	"StringNotLike":             {match: globMatch, negated: true},
	// "ArnEquals, ArnLike: case-sensitive matching of the ARN. Each of the six colon-delimited
	// components of the ARN is checked separately and each can include multi-character match
	// wildcards (*) or single-character match wildcards (?)": both behave the same.
	"ArnEquals":    {match: matchARN},
	"ArnLike":      {match: matchARN},
	"ArnNotEquals": {match: matchARN, negated: true},
	"ArnNotLike":   {match: matchARN, negated: true},
	// Bool compares "true"/"false" ignoring case.
	"Bool": {match: strings.EqualFold},
}

// checkOperator reports an operator this package cannot evaluate.
func checkOperator(op string) error {
	base, _, _ := splitOperator(op)
	if base == "Null" {
		if op != "Null" {
			return fmt.Errorf("condition operator %s: Null takes no IfExists or set qualifier", op)
		}
		return nil
	}
	if _, ok := operators[base]; !ok {
		return fmt.Errorf("condition operator %s is not supported by the sandbox's policy evaluation", op)
	}
	return nil
}

// splitOperator splits "ForAnyValue:StringLikeIfExists" into its base operator, set qualifier
// and IfExists flag.
func splitOperator(op string) (base, qualifier string, ifExists bool) {
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, op = q, rest
	}
	base, ifExists = strings.CutSuffix(op, "IfExists")
	return base, qualifier, ifExists
}

// holds evaluates one condition against the request context. The rules are the IAM User
// Guide's: a key absent from the request makes a condition false, except that a negated operator
// (StringNotEquals, ArnNotLike, ...) is then true, an ...IfExists operator is then true, and Null
// tests presence itself. Several values for one key are ORed (for a negated operator: the request
// value must match none of them). ForAllValues holds when every request value matches (and when
// the key is absent); ForAnyValue when at least one does.
func (c Condition) holds(ctx map[string][]string) bool {
	got, present := lookup(ctx, c.Key)
	base, qualifier, ifExists := splitOperator(c.Operator)
	if base == "Null" {
		want := len(c.Values) > 0 && strings.EqualFold(c.Values[0], "true")
		return want == !present
	}
	op := operators[base]
	if !present {
		switch {
		case qualifier == "ForAllValues":
			return true
		case ifExists || op.negated:
			return true
		}
		return false
	}
	matchesOne := func(r string) bool {
		for _, p := range c.Values {
			if op.match(p, r) {
				return true
			}
		}
		return false
	}
	if qualifier == "ForAllValues" {
		for _, r := range got {
			if matchesOne(r) == op.negated {
				return false
			}
		}
		return true
	}
	// ForAnyValue, and the single-valued operators applied to each request value.
	for _, r := range got {
		if matchesOne(r) != op.negated {
			return true
		}
	}
	return false
}

// lookup finds a condition key ignoring case.
func lookup(ctx map[string][]string, key string) ([]string, bool) {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// matchARN compares an ARN pattern with an ARN component by component (the six colon-separated
// parts; the last one keeps its own colons).
func matchARN(pattern, arn string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return pattern == arn
	}
	for i := range pp {
		if !globMatch(pp[i], ap[i]) {
			return false
		}
	}
	return true
}
