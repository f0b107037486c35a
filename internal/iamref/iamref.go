package iamref

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

//go:embed iam-actions.json
var actionsJSON []byte

// data is iam-actions.json: per service, each action's resource types (keys lower-cased) and each
// resource type's ARN formats (regular expressions with ${Partition}, ${Region}, ${Account}).
type data struct {
	Services map[string]struct {
		Actions       map[string][]string `json:"actions"`
		ResourceTypes map[string][]string `json:"resourceTypes"`
	} `json:"services"`
}

var load = sync.OnceValues(func() (*data, error) {
	var d data
	if err := json.Unmarshal(actionsJSON, &d); err != nil {
		return nil, fmt.Errorf("iamref: read iam-actions.json: %w", err)
	}
	return &d, nil
})

func must() *data {
	d, err := load()
	if err != nil {
		panic(err) // the embedded file is part of the build
	}
	return d
}

// ResourceTypes returns the resource types an action ("glue:GetTable", any case) can be
// authorised on, and whether the data knows the action. An action it knows with no resource type
// can only be granted with Resource "*": IAM ignores a statement that names an ARN for it.
func ResourceTypes(action string) ([]string, bool) {
	service, name, ok := strings.Cut(strings.ToLower(action), ":")
	if !ok {
		return nil, false
	}
	svc, ok := must().Services[service]
	if !ok {
		return nil, false
	}
	rts, ok := svc.Actions[name]
	return rts, ok
}

// ARNFormats returns the ARN formats of a service's resource type, as regular expressions in
// which ${Partition}, ${Region} and ${Account} stand for those parts.
func ARNFormats(service, resourceType string) []string {
	return must().Services[strings.ToLower(service)].ResourceTypes[resourceType]
}

// CanApply reports whether a policy statement's resource (an ARN that may hold * and ?
// wildcards, or "*") can ever apply to action: "*" always can; an ARN can only if the action has
// a resource type and the ARN, read with its wildcards, can match one of that type's formats.
func CanApply(action, resource string) bool {
	if resource == "*" {
		return true
	}
	rts, ok := ResourceTypes(action)
	if !ok || len(rts) == 0 {
		return false
	}
	service, _, _ := strings.Cut(strings.ToLower(action), ":")
	for _, rt := range rts {
		for _, f := range ARNFormats(service, rt) {
			if formatMatches(f, resource) {
				return true
			}
		}
	}
	return false
}

var placeholderRE = regexp.MustCompile(`\$\{(Partition|Region|Account)\}`)

// formatMatches reports whether resource, with its IAM wildcards, can name an ARN of format f.
// The wildcards are taken as the characters they stand for would be: a resource whose
// wildcards cover the format's variable parts matches. (A wildcard that would have to stand
// for a fixed part of the format, such as "arn:aws:glue:*", matches too: IAM would let it.)
func formatMatches(f, resource string) bool {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(f, -1) {
		b.WriteString(f[last:m[0]])
		b.WriteString(`[^:]*`)
		last = m[1]
	}
	b.WriteString(f[last:])
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return false
	}
	// A wildcard in the resource may stand for anything: try the resource with each wildcard
	// taken as the empty string and as a character the format allows there.
	for _, candidate := range []string{
		strings.NewReplacer("*", "", "?", "x").Replace(resource),
		strings.NewReplacer("*", "x", "?", "x").Replace(resource),
	} {
		if re.MatchString(candidate) {
			return true
		}
	}
	return false
}
