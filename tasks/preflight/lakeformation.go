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

// lakeFormation checks that the role that registers and grants is a data lake administrator.
func (c *check) lakeFormation(ctx context.Context) error {
	role := c.d.LakeFormationRoleARN
	if role == "" {
		role = c.caller
	}
	if role == "" {
		return nil // the identity problem is reported already
	}
	out, err := c.d.LakeFormation.GetDataLakeSettings(ctx, &lakeformation.GetDataLakeSettingsInput{})
	if err != nil {
		return c.failed("", "read the lake formation data lake settings", err)
	}
	var admins []string
	if s := out.DataLakeSettings; s != nil {
		for _, a := range s.DataLakeAdmins {
			admins = append(admins, aws.ToString(a.DataLakePrincipalIdentifier))
		}
	}
	if slices.ContainsFunc(admins, func(a string) bool { return sameRole(a, role) }) {
		return nil
	}
	slog.InfoContext(ctx, "lake formation role is not a data lake administrator", "role", role, "admins", len(admins))
	c.add("", fmt.Sprintf("the workflow's Lake Formation role %s is not a Lake Formation data lake administrator; registering the S3 location and granting DataZone's manage-access role permissions with grant option need one.", role),
		fmt.Sprintf("add %s to the data lake administrators (Lake Formation console > Administrative roles and tasks, or the stack's DataLakeSettings; PutDataLakeSettings replaces the whole list, so read it and add to it).", role))
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
