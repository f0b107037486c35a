package lfsetup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/deadline"
	"github.com/dzonboard/dzonboard/workflow"
)

// tablesStage is the timing name of EnsureTablesManaged.
const tablesStage = "tables"

// Tables is the EnsureTablesManaged task.
type Tables struct {
	glue awsapi.TablesGlue
	lf   awsapi.TablesLakeFormation
	now  func() time.Time
}

// NewTables returns the EnsureTablesManaged task.
func NewTables(g awsapi.TablesGlue, lf awsapi.TablesLakeFormation, now func() time.Time) *Tables {
	return &Tables{glue: g, lf: lf, now: now}
}

// Handle lists the tables of w.Plan.GlueDatabase that match the plan's filters into w.Tables
// (keeping what earlier stages recorded for each) and makes sure Lake Formation manages them:
// tables that still grant IAMAllowedPrincipals are made managed by revoking it when the plan says
// makeManaged, and are a *workflow.TablesNotManagedError otherwise. No matching table is a
// *workflow.NoTablesError.
func (t *Tables) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	now := t.now()
	w.BeginStage(tablesStage, now)
	db := w.Plan.GlueDatabase

	found, updated, err := t.matchingTables(ctx, db, w.Plan.TableFilters)
	if err != nil {
		return w, err
	}
	if len(found) == 0 {
		return w, &workflow.NoTablesError{Database: db, Filters: w.Plan.TableFilters}
	}
	w.Tables = mergeTables(ctx, w.Tables, found)
	if updated.After(w.TablesUpdatedAt) {
		w.TablesUpdatedAt = updated
	}

	unmanaged, err := t.unmanaged(ctx, db, found)
	if err != nil {
		return w, err
	}
	if len(unmanaged) > 0 {
		if !w.Plan.MakeManaged {
			return w, &workflow.TablesNotManagedError{Database: db, Tables: unmanagedNames(unmanaged, found)}
		}
		made, err := t.makeManaged(ctx, db, unmanaged, found)
		if err != nil {
			return w, err
		}
		w.MadeManaged = mergeNames(w.MadeManaged, made)
	}
	w.EndStage(tablesStage, t.now())
	return w, nil
}

// matchingTables returns the sorted names of the database's tables that match filters, and the
// newest UpdateTime (or CreateTime) among them.
func (t *Tables) matchingTables(ctx context.Context, db string, filters []string) ([]string, time.Time, error) {
	var names []string
	var newest time.Time
	p := glue.NewGetTablesPaginator(t.glue, &glue.GetTablesInput{DatabaseName: aws.String(db)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, time.Time{}, awsapi.Classify("list tables of glue database "+db, err)
		}
		for _, tb := range out.TableList {
			name := aws.ToString(tb.Name)
			if !workflow.MatchTable(filters, name) {
				continue
			}
			names = append(names, name)
			ts := aws.ToTime(tb.UpdateTime)
			if ts.IsZero() {
				ts = aws.ToTime(tb.CreateTime)
			}
			if ts.After(newest) {
				newest = ts
			}
		}
	}
	sort.Strings(names)
	return names, newest, nil
}

// mergeTables returns one entry per found table, sorted: the existing entry when there is one, a
// new one otherwise. Entries of tables no longer in the catalog are dropped (and logged).
func mergeTables(ctx context.Context, existing []workflow.Table, found []string) []workflow.Table {
	byName := make(map[string]workflow.Table, len(existing))
	for _, tb := range existing {
		byName[tb.Name] = tb
	}
	out := make([]workflow.Table, 0, len(found))
	for _, name := range found {
		tb, ok := byName[name]
		if !ok {
			tb = workflow.Table{Name: name}
		}
		delete(byName, name)
		out = append(out, tb)
	}
	for name := range byName {
		slog.WarnContext(ctx, "table no longer in the catalog: dropped from the onboarding", "table", name)
	}
	return out
}

// unmanaged returns the IAMAllowedPrincipals grants on the found tables of db (on a table by name
// or on every table of db), from one listing of the principal's table grants.
func (t *Tables) unmanaged(ctx context.Context, db string, found []string) ([]lftypes.PrincipalResourcePermissions, error) {
	entries, err := listPermissions(ctx, t.lf, &lakeformation.ListPermissionsInput{
		Principal:    &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(iamAllowedPrincipals)},
		ResourceType: lftypes.DataLakeResourceTypeTable,
	})
	if err != nil {
		return nil, awsapi.Classify("list IAMAllowedPrincipals table permissions", err)
	}
	return onTables(entries, db, found), nil
}

// onTables keeps the entries on a table of db that is in names (sorted), or on all of db's tables.
func onTables(entries []lftypes.PrincipalResourcePermissions, db string, names []string) []lftypes.PrincipalResourcePermissions {
	var out []lftypes.PrincipalResourcePermissions
	for _, e := range entries {
		if e.Resource == nil || e.Resource.Table == nil || aws.ToString(e.Resource.Table.DatabaseName) != db {
			continue
		}
		if e.Resource.Table.TableWildcard != nil {
			out = append(out, e)
			continue
		}
		if _, ok := slices.BinarySearch(names, aws.ToString(e.Resource.Table.Name)); ok {
			out = append(out, e)
		}
	}
	return out
}

// unmanagedNames are the tables the entries cover: by name, or every found table for a wildcard.
func unmanagedNames(entries []lftypes.PrincipalResourcePermissions, found []string) []string {
	set := map[string]bool{}
	for _, e := range entries {
		if e.Resource.Table.TableWildcard != nil {
			for _, n := range found {
				set[n] = true
			}
			continue
		}
		set[aws.ToString(e.Resource.Table.Name)] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// makeManaged revokes each IAMAllowedPrincipals grant and returns the tables made managed. Near
// the Lambda deadline (deadline.Near) it stops with a *workflow.TransientError: the retry the state
// machine makes lists again and goes on.
func (t *Tables) makeManaged(ctx context.Context, db string, entries []lftypes.PrincipalResourcePermissions, found []string) ([]string, error) {
	for i, e := range entries {
		if deadline.Near(ctx) {
			return nil, &workflow.TransientError{
				Op:  "make tables of " + db + " managed",
				Err: fmt.Errorf("stopped near the Lambda deadline after %d of %d revocations; the retry goes on", i, len(entries)),
			}
		}
		if err := t.revoke(ctx, e); err != nil {
			return nil, err
		}
	}
	made := unmanagedNames(entries, found)
	slog.InfoContext(ctx, "revoked IAMAllowedPrincipals: tables are now Lake Formation-managed", "database", db, "tables", strings.Join(made, ","))
	return made, nil
}

// revoke removes one IAMAllowedPrincipals grant. A revoke that Lake Formation rejects as invalid
// is fine when the grant is gone (an earlier attempt revoked it).
func (t *Tables) revoke(ctx context.Context, e lftypes.PrincipalResourcePermissions) error {
	res := &lftypes.Resource{Table: e.Resource.Table}
	what := "table " + aws.ToString(e.Resource.Table.DatabaseName) + "." + aws.ToString(e.Resource.Table.Name)
	if e.Resource.Table.TableWildcard != nil {
		what = "all tables of database " + aws.ToString(e.Resource.Table.DatabaseName)
	}
	perms := e.Permissions
	if len(perms) == 0 {
		perms = []lftypes.Permission{lftypes.PermissionAll}
	}
	_, err := t.lf.RevokePermissions(ctx, &lakeformation.RevokePermissionsInput{
		Principal:                  &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(iamAllowedPrincipals)},
		Resource:                   res,
		Permissions:                perms,
		PermissionsWithGrantOption: e.PermissionsWithGrantOption,
	})
	if err == nil {
		return nil
	}
	op := "revoke IAMAllowedPrincipals from " + what
	var invalid *lftypes.InvalidInputException
	var notFound *lftypes.EntityNotFoundException
	if !errors.As(err, &invalid) && !errors.As(err, &notFound) {
		return awsapi.Classify(op, err)
	}
	left, lerr := listPermissions(ctx, t.lf, &lakeformation.ListPermissionsInput{
		Principal: &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(iamAllowedPrincipals)},
		Resource:  res,
	})
	if lerr != nil {
		return awsapi.Classify("list IAMAllowedPrincipals permissions on "+what, lerr)
	}
	for _, l := range left {
		if l.Resource != nil && l.Resource.Table != nil && sameTable(l.Resource.Table, e.Resource.Table) {
			return awsapi.Classify(op, err)
		}
	}
	slog.InfoContext(ctx, "IAMAllowedPrincipals already revoked", "resource", what, "unconfirmed", "RevokePermissions answered "+awsapi.Code(err)+": "+awsapi.Message(err))
	return nil
}

// sameTable reports whether two table resources name the same table (or both every table).
func sameTable(a, b *lftypes.TableResource) bool {
	return aws.ToString(a.DatabaseName) == aws.ToString(b.DatabaseName) &&
		aws.ToString(a.Name) == aws.ToString(b.Name) &&
		(a.TableWildcard != nil) == (b.TableWildcard != nil)
}

// mergeNames returns the sorted union of a and b.
func mergeNames(a, b []string) []string {
	out := slices.Clone(a)
	for _, n := range b {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
