package lfadmins

import (
	"fmt"
	"slices"
	"strings"
)

// principals are the entries of the two administrator lists of the data lake settings that this
// resource manages: DataLakeAdmins (Admins) and ReadOnlyAdmins (ReadOnly).
type principals struct {
	Admins, ReadOnly []string
}

func (p principals) empty() bool { return len(p.Admins) == 0 && len(p.ReadOnly) == 0 }

func (p principals) all() []string { return append(slices.Clone(p.Admins), p.ReadOnly...) }

// zip applies f to the Admins of p and q, and to their ReadOnly lists.
func (p principals) zip(q principals, f func(a, b []string) []string) principals {
	return principals{Admins: f(p.Admins, q.Admins), ReadOnly: f(p.ReadOnly, q.ReadOnly)}
}

func (p principals) sameAs(q principals) bool {
	return sameSet(p.Admins, q.Admins) && sameSet(p.ReadOnly, q.ReadOnly)
}

func (p principals) String() string {
	var parts []string
	if len(p.Admins) > 0 {
		parts = append(parts, "DataLakeAdmins "+list(p.Admins))
	}
	if len(p.ReadOnly) > 0 {
		parts = append(parts, "ReadOnlyAdmins "+list(p.ReadOnly))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

// The physical ID records the principals the resource added: "dzonboard-data-lake-admins" when it
// added none; else that prefix, ":", the sorted administrators it added joined by "|" (a
// character no IAM ARN contains) and, when it added read-only administrators, ";" (another) and
// those. An ID without ";" (every ID before ReadOnlyAdmins existed) records administrators only.
// The same sets always give the same ID, so a rollback restores the old one.
const (
	idPrefix       = "dzonboard-data-lake-admins"
	idSeparator    = "|"
	idListBoundary = ";"
	// maxIDLength is CloudFormation's limit on a physical resource ID.
	maxIDLength = 1024
)

func formatID(added principals) string {
	if added.empty() {
		return idPrefix
	}
	join := func(ids []string) string {
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		return strings.Join(sorted, idSeparator)
	}
	id := idPrefix + ":" + join(added.Admins)
	if len(added.ReadOnly) > 0 {
		id += idListBoundary + join(added.ReadOnly)
	}
	return id
}

// parseID returns the principals an ID records, and whether the ID is one of ours (a Create that
// failed before answering gets its request ID instead).
func parseID(id string) (added principals, ours bool) {
	if id == idPrefix {
		return principals{}, true
	}
	rest, ok := strings.CutPrefix(id, idPrefix+":")
	if !ok {
		return principals{}, false
	}
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, idSeparator)
	}
	admins, readOnly, _ := strings.Cut(rest, idListBoundary)
	return principals{Admins: split(admins), ReadOnly: split(readOnly)}, true
}

func checkIDLength(want principals) error {
	if n := len(formatID(want)); n > maxIDLength {
		return fmt.Errorf("data lake admins: %d principals make a physical ID of %d characters, over CloudFormation's %d: split them over several resources", len(want.all()), n, maxIDLength)
	}
	return nil
}

// readProperties reads the Admins and ReadOnlyAdmins properties: lists of principal identifiers,
// at least one of them non-empty.
func readProperties(props map[string]interface{}) (principals, error) {
	admins, err := principalList(props, AdminsProperty)
	if err != nil {
		return principals{}, err
	}
	readOnly, err := principalList(props, ReadOnlyAdminsProperty)
	if err != nil {
		return principals{}, err
	}
	p := principals{Admins: admins, ReadOnly: readOnly}
	if p.empty() {
		return principals{}, fmt.Errorf("data lake admins: property %s must be a non-empty list of principal ARNs (or %s must be), got %v",
			AdminsProperty, ReadOnlyAdminsProperty, props[AdminsProperty])
	}
	return p, nil
}

// principalList reads one list property; a missing property is an empty list.
func principalList(props map[string]interface{}, name string) ([]string, error) {
	v, present := props[name]
	if !present {
		return nil, nil
	}
	raw, ok := v.([]interface{})
	if !ok {
		return nil, fmt.Errorf("data lake admins: property %s must be a non-empty list of principal ARNs, got %v", name, v)
	}
	var out []string
	for i, v := range raw {
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" || strings.ContainsAny(s, idSeparator+idListBoundary) {
			return nil, fmt.Errorf("data lake admins: property %s[%d] = %v is not a principal ARN", name, i, v)
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

// union returns a followed by the elements of b that are not in a.
func union(a, b []string) []string { return append(slices.Clone(a), missing(b, a)...) }

func sameSet(a, b []string) bool {
	return len(missing(a, b)) == 0 && len(missing(b, a)) == 0
}
