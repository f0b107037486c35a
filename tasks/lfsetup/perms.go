package lfsetup

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
)

// iamAllowedPrincipals is Lake Formation's principal for "IAM permissions only".
const iamAllowedPrincipals = "IAM_ALLOWED_PRINCIPALS"

// permissionLister is the one Lake Formation method both tasks list grants with.
type permissionLister interface {
	ListPermissions(ctx context.Context, params *lakeformation.ListPermissionsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.ListPermissionsOutput, error)
}

// listPermissions reads every page of ListPermissions.
func listPermissions(ctx context.Context, lf permissionLister, in *lakeformation.ListPermissionsInput) ([]lftypes.PrincipalResourcePermissions, error) {
	var all []lftypes.PrincipalResourcePermissions
	p := lakeformation.NewListPermissionsPaginator(lf, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, out.PrincipalResourcePermissions...)
	}
	return all, nil
}

// held is what a principal holds on a resource: its permissions and those it may grant on.
type held struct {
	perms, grantable map[lftypes.Permission]bool
}

// heldBy merges the entries of principal in a listing.
func heldBy(entries []lftypes.PrincipalResourcePermissions, principal string) held {
	h := held{perms: map[lftypes.Permission]bool{}, grantable: map[lftypes.Permission]bool{}}
	for _, e := range entries {
		if e.Principal == nil || aws.ToString(e.Principal.DataLakePrincipalIdentifier) != principal {
			continue
		}
		for _, p := range e.Permissions {
			h.perms[p] = true
		}
		for _, p := range e.PermissionsWithGrantOption {
			h.grantable[p] = true
		}
	}
	return h
}

// missing returns the permissions of want (and of wantGrantable, with grant option) that h does
// not hold. ALL stands for every permission of a database or table.
func (h held) missing(want, wantGrantable []lftypes.Permission) (perms, grantable []lftypes.Permission) {
	for _, p := range want {
		if !h.perms[p] && !h.perms[lftypes.PermissionAll] {
			perms = append(perms, p)
		}
	}
	for _, p := range wantGrantable {
		if !h.grantable[p] && !h.grantable[lftypes.PermissionAll] {
			grantable = append(grantable, p)
		}
	}
	return perms, grantable
}

// union returns the permissions of a and b, each once, in a stable order.
func union(a, b []lftypes.Permission) []lftypes.Permission {
	out := slices.Clone(a)
	for _, p := range b {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// names joins permissions for messages: "DESCRIBE, SELECT".
func names(ps []lftypes.Permission) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}
