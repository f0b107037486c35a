package cfntemplate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue resolves to: the property or list item is removed.
type noValueType struct{}

var noValue = noValueType{}

// resolver evaluates intrinsic functions for one Env.
type resolver struct {
	t   *Template
	env Env
}

func newResolver(t *Template, env Env) *resolver {
	if env.Partition == "" {
		env.Partition = PartitionOf(env.Region)
	}
	return &resolver{t: t, env: env}
}

// Resolve evaluates every intrinsic function in v, a value taken from the template, for env.
// Maps and lists are resolved deeply; properties set to Ref AWS::NoValue are removed.
func (t *Template) Resolve(env Env, v any) (any, error) {
	out, err := newResolver(t, env).value(v, "value")
	if out == noValue {
		return nil, err
	}
	return out, err
}

// value resolves v; at says where v is, for errors.
func (r *resolver) value(v any, at string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg, at)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := r.value(e, at+"."+k)
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out[k] = rv
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			rv, err := r.value(e, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out = append(out, rv)
			}
		}
		return out, nil
	}
	return v, nil
}

// str resolves v to a string (numbers and booleans are written as CloudFormation passes them).
func (r *resolver) str(v any, at string) (string, error) {
	rv, err := r.value(v, at)
	if err != nil {
		return "", err
	}
	switch x := rv.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("%s: want a string, got %v", at, rv)
}

// list resolves v to a list of strings.
func (r *resolver) list(v any, at string) ([]string, error) {
	rv, err := r.value(v, at)
	if err != nil {
		return nil, err
	}
	items, ok := rv.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a list, got %v", at, rv)
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, err := r.str(it, fmt.Sprintf("%s[%d]", at, i))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (r *resolver) intrinsic(fn string, arg any, at string) (any, error) {
	at += "." + fn
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a name, got %v", at, arg)
		}
		return r.ref(name, at)
	case "Fn::GetAtt":
		id, attr, err := getAttArgs(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		return r.getAtt(id, attr, at)
	case "Fn::Join":
		delim, values, err := delimited(arg, at, "[delimiter, [values]]")
		if err != nil {
			return nil, err
		}
		parts, err := r.list(values, at)
		if err != nil {
			return nil, err
		}
		return strings.Join(parts, delim), nil
	case "Fn::Sub":
		return r.sub(arg, at)
	case "Fn::Select":
		args, ok := arg.([]any)
		if !ok || len(args) != 2 {
			return nil, fmt.Errorf("%s: want [index, list]", at)
		}
		is, err := r.str(args[0], at)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, fmt.Errorf("%s: index %q: %w", at, is, err)
		}
		items, err := r.list(args[1], at)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("%s: index %d out of a list of %d", at, i, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		delim, value, err := delimited(arg, at, "[delimiter, string]")
		if err != nil {
			return nil, err
		}
		s, err := r.str(value, at)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		args, ok := arg.([]any)
		if !ok || len(args) != 3 {
			return nil, fmt.Errorf("%s: want [condition, then, else]", at)
		}
		name, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s: the condition must be a name", at)
		}
		yes, err := r.condition(name, at)
		if err != nil {
			return nil, err
		}
		if yes {
			return r.value(args[1], at)
		}
		return r.value(args[2], at)
	}
	return nil, fmt.Errorf("%s: %s is not supported", at, fn)
}

// delimited reads the [delimiter, value] arguments of Fn::Join and Fn::Split.
func delimited(arg any, at, form string) (delim string, value any, err error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return "", nil, fmt.Errorf("%s: want %s", at, form)
	}
	if delim, ok = args[0].(string); !ok {
		return "", nil, fmt.Errorf("%s: the delimiter must be a string", at)
	}
	return delim, args[1], nil
}

func getAttArgs(arg any) (id, attr string, err error) {
	switch x := arg.(type) {
	case string:
		id, attr, ok := strings.Cut(x, ".")
		if ok {
			return id, attr, nil
		}
	case []any:
		if len(x) == 2 {
			id, ok1 := x[0].(string)
			attr, ok2 := x[1].(string)
			if ok1 && ok2 {
				return id, attr, nil
			}
		}
	}
	return "", "", fmt.Errorf("want [LogicalId, Attribute] or \"LogicalId.Attribute\", got %v", arg)
}

// ref resolves a Ref: a pseudo parameter, a parameter's default, or a resource's physical ID.
func (r *resolver) ref(name, at string) (any, error) {
	switch name {
	case "AWS::AccountId":
		return r.env.Account, nil
	case "AWS::Region":
		return r.env.Region, nil
	case "AWS::Partition":
		return r.env.Partition, nil
	case "AWS::StackName":
		return r.env.StackName, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000",
			r.env.Partition, r.env.Region, r.env.Account, r.env.StackName), nil
	case "AWS::URLSuffix":
		return urlSuffix(r.env.Partition), nil
	case "AWS::NoValue":
		return noValue, nil
	}
	if p, ok := r.t.Parameters[name]; ok {
		if p.Default == nil {
			return nil, fmt.Errorf("%s: parameter %s has no default", at, name)
		}
		if strings.HasPrefix(p.Type, "AWS::SSM::Parameter::") {
			return nil, fmt.Errorf("%s: parameter %s is read from SSM Parameter Store at deploy time", at, name)
		}
		return p.Default, nil
	}
	res, ok := r.t.Resources[name]
	if !ok {
		return nil, fmt.Errorf("%s: no parameter or resource %s", at, name)
	}
	return r.physicalRef(name, res, at)
}

// condition evaluates a template condition by name.
func (r *resolver) condition(name, at string) (bool, error) {
	c, ok := r.t.Conditions[name]
	if !ok {
		return false, fmt.Errorf("%s: no condition %s", at, name)
	}
	return r.conditionValue(c, at+"(condition "+name+")")
}

func (r *resolver) conditionValue(v any, at string) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("%s: want one condition function, got %v", at, v)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name, at)
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("%s: Fn::Equals takes two values", at)
			}
			a, err := r.str(args[0], at)
			if err != nil {
				return false, err
			}
			b, err := r.str(args[1], at)
			if err != nil {
				return false, err
			}
			return a == b, nil
		case "Fn::Not":
			if len(args) != 1 {
				return false, fmt.Errorf("%s: Fn::Not takes one condition", at)
			}
			b, err := r.conditionValue(args[0], at)
			return !b, err
		case "Fn::And", "Fn::Or":
			// Fn::Or stops at the first true, Fn::And at the first false.
			stop := fn == "Fn::Or"
			for _, a := range args {
				b, err := r.conditionValue(a, at)
				if err != nil {
					return false, err
				}
				if b == stop {
					return stop, nil
				}
			}
			return !stop, nil
		}
		return false, fmt.Errorf("%s: condition function %s is not supported", at, fn)
	}
	return false, nil
}

// created reports whether a resource is created: its Condition, if any, holds.
func (r *resolver) created(id string, res Resource) (bool, error) {
	if res.Condition == "" {
		return true, nil
	}
	return r.condition(res.Condition, "Resources."+id)
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub resolves Fn::Sub: "${AWS::Region}", "${LogicalId}", "${LogicalId.Attr}", the variables of
// its map form, and "${!Literal}" written as "${Literal}".
func (r *resolver) sub(arg any, at string) (any, error) {
	var tmpl string
	vars := map[string]string{}
	switch x := arg.(type) {
	case string:
		tmpl = x
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("%s: want [string, {variables}]", at)
		}
		s, ok := x[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s: the template must be a string", at)
		}
		tmpl = s
		m, ok := x[1].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: the variables must be a map", at)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, err := r.str(m[k], at+"."+k)
			if err != nil {
				return nil, err
			}
			vars[k] = v
		}
	default:
		return nil, fmt.Errorf("%s: want a string or [string, {variables}]", at)
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v, ok := vars[name]; ok {
			return v
		}
		var v any
		var err error
		if id, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = r.getAtt(id, attr, at)
		} else {
			v, err = r.ref(name, at)
		}
		if err == nil {
			s, ok := v.(string)
			if !ok {
				err = fmt.Errorf("%s: ${%s} is not a string", at, name)
			}
			v = s
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return ""
		}
		return v.(string)
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// jsonOf resolves v and marshals it (a policy document).
func (r *resolver) jsonOf(v any, at string) ([]byte, error) {
	rv, err := r.value(v, at)
	if err != nil {
		return nil, err
	}
	return json.Marshal(rv)
}
