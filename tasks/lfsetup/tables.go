package lfsetup

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
	"github.com/aws/smithy-go"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/workflow"
)

// batchSize is how many revocations one BatchRevokePermissions call carries: the API's limit
// (BatchRevokePermissionsInput.Entries: 1 to 20, the SDK model).
const batchSize = 20

// The statuses of a batch of revocations.
const (
	revoked = "REVOKED"
	pending = "NOT REVOKED YET"
)

var tablesStatuses = waitloop.Statuses{Pending: []string{pending}, Target: []string{revoked}}

// Tables is the Tables task.
type Tables struct {
	glue  awsapi.TablesGlue
	lf    awsapi.TablesLakeFormation
	clock waitloop.Clock
}

// NewTables returns the Tables task.
func NewTables(g awsapi.TablesGlue, lf awsapi.TablesLakeFormation, clock waitloop.Clock) *Tables {
	return &Tables{glue: g, lf: lf, clock: clock}
}

// Handle lists the tables of w.Plan.GlueDatabase that match the plan's filters into w.Tables
// (keeping what earlier stages recorded for each) and makes sure Lake Formation manages them:
// tables that still grant IAMAllowedPrincipals are made managed by revoking it, 20 at a time, when
// the plan says makeManaged, and are a *workflow.TablesNotManagedError otherwise. No matching
// table is a *workflow.NoTablesError. An invocation that stops near its deadline records what it
// revoked (Table.MadeManaged) and the next one goes on with the rest.
func (t *Tables) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	db := w.Plan.GlueDatabase
	var found []string
	var batches [][]lftypes.PrincipalResourcePermissions
	err := waitloop.Run(ctx, t.clock, &w, waitloop.Stage{
		Name:     workflow.TaskTables,
		Statuses: tablesStatuses,
		Noun:     "batch(es) of IAMAllowedPrincipals revocations",
		Begin: func(ctx context.Context) error {
			var updated time.Time
			var err error
			found, updated, err = t.matchingTables(ctx, db, w.Plan.TableFilters)
			if err != nil {
				return err
			}
			if len(found) == 0 {
				return &workflow.NoTablesError{Database: db, Filters: w.Plan.TableFilters}
			}
			w.Tables = mergeTables(ctx, w.Tables, found)
			if updated.After(w.TablesUpdatedAt) {
				w.TablesUpdatedAt = updated
			}
			unmanaged, err := t.unmanaged(ctx, db, found)
			if err != nil || len(unmanaged) == 0 {
				return err
			}
			if !w.Plan.MakeManaged {
				return &workflow.TablesNotManagedError{Database: db, Tables: unmanagedNames(unmanaged, found)}
			}
			batches = slices.Collect(slices.Chunk(unmanaged, batchSize))
			return nil
		},
		Items: func() int { return len(batches) },
		Step: func(ctx context.Context, i int) (waitloop.Step, error) {
			if err := t.revoke(ctx, db, found, batches[i]); err != nil {
				return waitloop.Step{}, err
			}
			for _, name := range unmanagedNames(batches[i], found) {
				if tb := w.Table(name); tb != nil {
					tb.MadeManaged = true
				}
			}
			return waitloop.Step{Status: revoked, What: fmt.Sprintf("batch %d of %d", i+1, len(batches))}, nil
		},
		Fail: func([]workflow.Problem) error { return nil }, // revocations never fail as a status
	})
	if err == nil && w.Poll.Done && len(batches) > 0 {
		slog.InfoContext(ctx, "revoked IAMAllowedPrincipals: tables are now Lake Formation-managed", "database", db, "tables", madeManaged(w.Tables))
	}
	return w, err
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

// revoke removes a batch of IAMAllowedPrincipals grants in one BatchRevokePermissions call, which
// answers each entry's failure without failing the call. An entry Lake Formation rejects as invalid
// or not found is fine when its grant is gone (an earlier attempt revoked it, its answer lost); any
// other failure is classified as the call's error would be.
func (t *Tables) revoke(ctx context.Context, db string, found []string, batch []lftypes.PrincipalResourcePermissions) error {
	entries := make([]lftypes.BatchPermissionsRequestEntry, len(batch))
	for i, e := range batch {
		perms := e.Permissions
		if len(perms) == 0 {
			perms = []lftypes.Permission{lftypes.PermissionAll}
		}
		entries[i] = lftypes.BatchPermissionsRequestEntry{
			Id:                         aws.String(strconv.Itoa(i)),
			Principal:                  &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(iamAllowedPrincipals)},
			Resource:                   &lftypes.Resource{Table: e.Resource.Table},
			Permissions:                perms,
			PermissionsWithGrantOption: e.PermissionsWithGrantOption,
		}
	}
	op := fmt.Sprintf("revoke IAMAllowedPrincipals from %d table grant(s) of database %s", len(batch), db)
	out, err := t.lf.BatchRevokePermissions(ctx, &lakeformation.BatchRevokePermissionsInput{Entries: entries})
	if err != nil {
		return awsapi.Classify(op, err)
	}
	var gone []lftypes.BatchPermissionsFailureEntry
	for _, f := range out.Failures {
		code, msg := "", ""
		if f.Error != nil {
			code, msg = aws.ToString(f.Error.ErrorCode), aws.ToString(f.Error.ErrorMessage)
		}
		if code != "InvalidInputException" && code != "EntityNotFoundException" {
			return awsapi.Classify(op, &smithy.GenericAPIError{Code: code, Message: msg})
		}
		gone = append(gone, f)
	}
	if len(gone) == 0 {
		return nil
	}
	// Believe "nothing to revoke" only if the grants are really gone.
	left, err := t.unmanaged(ctx, db, found)
	if err != nil {
		return err
	}
	for _, f := range gone {
		for _, l := range left {
			if f.RequestEntry != nil && f.RequestEntry.Resource != nil && f.RequestEntry.Resource.Table != nil &&
				sameTable(l.Resource.Table, f.RequestEntry.Resource.Table) {
				return awsapi.Classify(op, &smithy.GenericAPIError{Code: aws.ToString(f.Error.ErrorCode), Message: aws.ToString(f.Error.ErrorMessage)})
			}
		}
		slog.InfoContext(ctx, "IAMAllowedPrincipals already revoked", "database", db,
			"unconfirmed", "BatchRevokePermissions answered "+aws.ToString(f.Error.ErrorCode)+": "+aws.ToString(f.Error.ErrorMessage))
	}
	return nil
}

// sameTable reports whether two table resources name the same table (or both every table).
func sameTable(a, b *lftypes.TableResource) bool {
	return aws.ToString(a.DatabaseName) == aws.ToString(b.DatabaseName) &&
		aws.ToString(a.Name) == aws.ToString(b.Name) &&
		(a.TableWildcard != nil) == (b.TableWildcard != nil)
}

// madeManaged counts the tables this workflow made Lake Formation-managed.
func madeManaged(ts []workflow.Table) int {
	n := 0
	for _, t := range ts {
		if t.MadeManaged {
			n++
		}
	}
	return n
}
