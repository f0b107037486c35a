package preflight

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
)

// lakeFormation checks the two Lake Formation roles the workflow relies on: the role that
// registers and grants (PrepareLakeFormation's) must be a data lake administrator, and the role
// Preflight runs as, which reads the catalog here and in Verify, must be an administrator or a
// read-only administrator. Lake Formation shows a principal without permissions on a managed table
// neither the table (GetTables leaves it out, GetTable is denied) nor other principals' grants
// (ListPermissions), so an IAM-only reader would find nothing to onboard on a second run and miss
// every IAMAllowedPrincipals grant (aws-reference §14).
func (c *check) lakeFormation(ctx context.Context) error {
	if c.caller == "" {
		return nil // the identity problem is reported already
	}
	out, err := c.d.LakeFormation.GetDataLakeSettings(ctx, &lakeformation.GetDataLakeSettingsInput{})
	if err != nil {
		return c.failed("", "read the lake formation data lake settings", err)
	}
	var admins, readers []string
	if s := out.DataLakeSettings; s != nil {
		for _, a := range s.DataLakeAdmins {
			admins = append(admins, aws.ToString(a.DataLakePrincipalIdentifier))
		}
		for _, a := range s.ReadOnlyAdmins {
			readers = append(readers, aws.ToString(a.DataLakePrincipalIdentifier))
		}
	}
	is := func(list []string, role string) bool {
		return slices.ContainsFunc(list, func(a string) bool { return sameRole(a, role) })
	}
	role := c.d.LakeFormationRoleARN
	if role == "" {
		role = c.caller
	}
	if !is(admins, role) {
		slog.InfoContext(ctx, "lake formation role is not a data lake administrator", "role", role, "admins", len(admins))
		c.add("", fmt.Sprintf("the workflow's Lake Formation role %s is not a Lake Formation data lake administrator; registering the S3 location and granting DataZone's manage-access role permissions with grant option need one.", role),
			fmt.Sprintf("add %s to the data lake administrators (the stack's Custom::DataLakeAdmins does; by hand: Lake Formation console > Administrative roles and tasks; PutDataLakeSettings replaces the whole list, so read it and add to it).", role))
	}
	c.readsAll = is(admins, c.caller) || is(readers, c.caller)
	if !c.readsAll {
		slog.InfoContext(ctx, "preflight role can not see every table", "role", c.caller, "readOnlyAdmins", len(readers))
		c.add("", fmt.Sprintf("the workflow's role %s is neither a Lake Formation data lake administrator nor a read-only administrator, so Lake Formation hides the tables it manages from it: Preflight and Verify would find no managed table to onboard or check, and no other principal's grant.", c.caller),
			fmt.Sprintf("add %s to the read-only administrators (the stack's Custom::DataLakeAdmins does; by hand: Lake Formation console > Administrative roles and tasks > Read-only administrators, or add it to ReadOnlyAdmins with a read-modify-write of get-data-lake-settings / put-data-lake-settings).", c.caller))
	}
	return nil
}

// iamAllowedTables returns the names (sorted) of the tables in names that still grant
// IAMAllowedPrincipals, from one listing of that principal's table grants.
func (c *check) iamAllowedTables(ctx context.Context, db string, names []string) ([]string, error) {
	set := map[string]bool{}
	p := lakeformation.NewListPermissionsPaginator(c.d.LakeFormation, &lakeformation.ListPermissionsInput{
		Principal:    &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(iamAllowedPrincipals)},
		ResourceType: lftypes.DataLakeResourceTypeTable,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.failed("makeManaged", "list the IAMAllowedPrincipals permissions on tables", err)
		}
		for _, e := range out.PrincipalResourcePermissions {
			t := tableOf(e)
			if t == nil || aws.ToString(t.DatabaseName) != db {
				continue
			}
			if t.TableWildcard != nil {
				for _, n := range names {
					set[n] = true
				}
				continue
			}
			if n := aws.ToString(t.Name); slices.Contains(names, n) {
				set[n] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// tableOf is the table resource of a permission entry, or nil.
func tableOf(e lftypes.PrincipalResourcePermissions) *lftypes.TableResource {
	if e.Resource == nil {
		return nil
	}
	return e.Resource.Table
}
