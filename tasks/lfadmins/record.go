package lfadmins

import (
	"fmt"
	"slices"
	"strings"
)

// The physical ID records the principals the resource added: "dzonboard-data-lake-admins" when it
// added none, else that prefix, ":" and the sorted principals joined by "|" (a character no IAM
// ARN contains). The same set always gives the same ID, so a rollback restores the old one.
const (
	idPrefix    = "dzonboard-data-lake-admins"
	idSeparator = "|"
	// maxIDLength is CloudFormation's limit on a physical resource ID.
	maxIDLength = 1024
)

func formatID(added []string) string {
	if len(added) == 0 {
		return idPrefix
	}
	sorted := slices.Clone(added)
	slices.Sort(sorted)
	return idPrefix + ":" + strings.Join(sorted, idSeparator)
}

// parseID returns the principals an ID records, and whether the ID is one of ours (a Create that
// failed before answering gets its request ID instead).
func parseID(id string) (added []string, ours bool) {
	if id == idPrefix {
		return nil, true
	}
	rest, ok := strings.CutPrefix(id, idPrefix+":")
	if !ok {
		return nil, false
	}
	return strings.Split(rest, idSeparator), true
}

func checkIDLength(want []string) error {
	if n := len(formatID(want)); n > maxIDLength {
		return fmt.Errorf("data lake admins: %d principals make a physical ID of %d characters, over CloudFormation's %d: split them over several resources", len(want), n, maxIDLength)
	}
	return nil
}

// principals reads the Admins property: a non-empty list of principal identifiers.
func principals(props map[string]interface{}) ([]string, error) {
	raw, ok := props[AdminsProperty].([]interface{})
	if !ok || len(raw) == 0 {
		return nil, fmt.Errorf("data lake admins: property %s must be a non-empty list of principal ARNs, got %v", AdminsProperty, props[AdminsProperty])
	}
	var out []string
	for i, v := range raw {
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" || strings.Contains(s, idSeparator) {
			return nil, fmt.Errorf("data lake admins: property %s[%d] = %v is not a principal ARN", AdminsProperty, i, v)
		}
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func list(ids []string) string { return strings.Join(ids, ", ") }

func contains(ids []string, id string) bool { return slices.Contains(ids, id) }

// missing returns the elements of want that are not in have, in want's order.
func missing(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// minus is missing by another name: the elements of a that are not in b.
func minus(a, b []string) []string { return missing(a, b) }

// intersect returns the elements of a that are also in b, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	return len(missing(a, b)) == 0 && len(missing(b, a)) == 0
}
