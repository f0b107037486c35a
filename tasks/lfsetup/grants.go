package lfsetup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// grant is one permission set a principal must hold on one resource.
type grant struct {
	principal string
	what      string // the resource, for messages: "database acme_sales"
	resource  *lftypes.Resource
	perms     []lftypes.Permission
	grantable []lftypes.Permission // held with grant option
	// optional: a resource that does not exist is no error (the catalog may have no default
	// database; then Athena does not need one).
	optional bool
}

// defaultDatabase is the catalog's default database: Athena reads it for every query, so a
// principal that queries through Lake Formation needs DESCRIBE on it ("The DESCRIBE permission is
// required on the default database": Athena user guide, "Considerations and limitations" of Lake
// Formation; DataZone's environment provisioning grants nothing on it, as far as its documentation
// says).
const defaultDatabase = "default"

// wantedGrants are the grants of aws-reference.md §3.2 and §3.4 for a plan: the crawler role may
// create and alter tables in the database and use the location; DataZone's manage-access role may
// describe the database and describe and select its tables, each with grant option, so that
// DataZone can import the tables and grant subscriptions to them; and every environment's user
// role may describe the default database, which its Athena queries read.
func wantedGrants(plan workflow.Plan) []grant {
	db := plan.GlueDatabase
	var envs []grant
	for _, tg := range plan.Targets() {
		if tg.UserRoleARN == "" || slices.ContainsFunc(envs, func(g grant) bool { return g.principal == tg.UserRoleARN }) {
			continue
		}
		envs = append(envs, grant{
			principal: tg.UserRoleARN,
			what:      "database " + defaultDatabase,
			resource:  &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String(defaultDatabase)}},
			perms:     []lftypes.Permission{lftypes.PermissionDescribe},
			optional:  true,
		})
	}
	return append([]grant{
		{
			principal: plan.CrawlerRoleARN,
			what:      "database " + db,
			resource:  &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String(db)}},
			perms:     []lftypes.Permission{lftypes.PermissionCreateTable, lftypes.PermissionAlter},
		},
		{
			principal: plan.CrawlerRoleARN,
			what:      "location " + plan.LocationARN,
			resource:  &lftypes.Resource{DataLocation: &lftypes.DataLocationResource{ResourceArn: aws.String(plan.LocationARN)}},
			perms:     []lftypes.Permission{lftypes.PermissionDataLocationAccess},
		},
		{
			principal: plan.ManageAccessRoleARN,
			what:      "database " + db,
			resource:  &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String(db)}},
			perms:     []lftypes.Permission{lftypes.PermissionDescribe},
			grantable: []lftypes.Permission{lftypes.PermissionDescribe},
		},
		{
			principal: plan.ManageAccessRoleARN,
			what:      "all tables of database " + db,
			resource: &lftypes.Resource{Table: &lftypes.TableResource{
				DatabaseName: aws.String(db), TableWildcard: &lftypes.TableWildcard{},
			}},
			perms:     []lftypes.Permission{lftypes.PermissionDescribe, lftypes.PermissionSelect},
			grantable: []lftypes.Permission{lftypes.PermissionDescribe, lftypes.PermissionSelect},
		},
	}, envs...)
}

// ensure makes g hold: it lists what the principal holds on the resource and grants only what is
// missing (including the grant-option part). It returns what it granted, or "" when nothing was
// missing.
func (p *Prepare) ensure(ctx context.Context, g grant) (string, error) {
	principal := &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(g.principal)}
	missingPerms, missingGrantable, err := p.missing(ctx, g, principal)
	if g.optional && awsapi.Code(errors.Unwrap(err)) == "EntityNotFoundException" {
		slog.InfoContext(ctx, "no such resource: grant skipped", "grant", g.what, "principal", g.principal, "unconfirmed", awsapi.Message(err))
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if len(missingPerms) == 0 && len(missingGrantable) == 0 {
		return "", nil
	}
	perms := union(missingPerms, missingGrantable)
	made := describeGrant(perms, missingGrantable, g)
	_, err = p.lf.GrantPermissions(ctx, &lakeformation.GrantPermissionsInput{
		Principal:                  principal,
		Resource:                   g.resource,
		Permissions:                perms,
		PermissionsWithGrantOption: missingGrantable,
	})
	if g.optional && awsapi.Code(err) == "EntityNotFoundException" {
		slog.InfoContext(ctx, "no such resource: grant skipped", "grant", made, "unconfirmed", awsapi.Message(err))
		return "", nil
	}
	if err != nil {
		op := "grant " + made
		if awsapi.Code(err) != "InvalidInputException" || !strings.Contains(awsapi.Message(err), "Permissions modification is invalid") {
			return "", awsapi.Classify(op, err)
		}
		// Lake Formation says this grant changes nothing: believe it only if the listing agrees.
		mp, mg, lerr := p.missing(ctx, g, principal)
		if lerr != nil {
			return "", lerr
		}
		if len(mp) > 0 || len(mg) > 0 {
			return "", awsapi.Classify(op, err)
		}
		slog.InfoContext(ctx, "grant already present", "grant", made, "unconfirmed", "GrantPermissions answered InvalidInputException: "+awsapi.Message(err))
		return "", nil
	}
	slog.InfoContext(ctx, "granted", "grant", made)
	return made, nil
}

// missing lists the principal's permissions on g's resource and returns what g still needs.
func (p *Prepare) missing(ctx context.Context, g grant, principal *lftypes.DataLakePrincipal) (perms, grantable []lftypes.Permission, err error) {
	entries, err := listPermissions(ctx, p.lf, &lakeformation.ListPermissionsInput{Principal: principal, Resource: g.resource})
	if err != nil {
		return nil, nil, awsapi.Classify("list lake formation permissions of "+g.principal+" on "+g.what, err)
	}
	perms, grantable = heldBy(entries, g.principal).missing(g.perms, g.grantable)
	return perms, grantable, nil
}

// describeGrant says what a grant gives: "DESCRIBE, SELECT (with grant option: DESCRIBE, SELECT)
// on all tables of database acme_sales to arn:...".
func describeGrant(perms, grantable []lftypes.Permission, g grant) string {
	s := names(perms)
	if len(grantable) > 0 {
		s += fmt.Sprintf(" (with grant option: %s)", names(grantable))
	}
	return s + " on " + g.what + " to " + g.principal
}
