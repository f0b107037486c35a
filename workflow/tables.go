package workflow

import (
	"path"
	"slices"
	"strings"
)

// MatchTable reports whether a Glue table name matches any of the DataZone filter expressions
// (INCLUDE patterns where * matches any run of characters; matching ignores case, as Glue stores
// names in lower case).
func MatchTable(filters []string, name string) bool {
	for _, f := range filters {
		pattern := strings.NewReplacer(`\`, `\\`, "?", `\?`, "[", `\[`).Replace(strings.ToLower(f))
		if ok, _ := path.Match(pattern, strings.ToLower(name)); ok {
			return true
		}
	}
	return false
}

// DefaultDataSourceName is the data source name used when the input gives none: deterministic,
// so every run finds the data source the first one created.
func DefaultDataSourceName(database string) string {
	name := "dzonboard-" + database
	if len(name) > 256 {
		name = name[:256]
	}
	return name
}

// Table returns the table with the given name, or nil. Tables are sorted by name, so it takes
// log(n) steps: stages that touch every table stay linear.
func (w *Work) Table(name string) *Table {
	i, ok := slices.BinarySearchFunc(w.Tables, name, func(t Table, name string) int { return strings.Compare(t.Name, name) })
	if !ok {
		return nil
	}
	return &w.Tables[i]
}

// FailTable records that stage failed the table called name on its own, with problem p: the
// stages after leave it out, and Report fails the execution with the stage's named error once the
// other tables are onboarded. A table failed already keeps its first failure.
func (w *Work) FailTable(name, stage string, p Problem) {
	if t := w.Table(name); t != nil && t.Failed == nil {
		t.Failed = &TableFailure{Stage: stage, Problem: p}
	}
}

// Onboarding reports whether the table is still being onboarded: no stage failed it.
func (t Table) Onboarding() bool { return t.Failed == nil }
