package sandbox

import (
	"fmt"
	"time"
)

// readDenial decides whether caller may read the table t (a resource link resolves to target)
// through Athena, as a real account would, and returns the query's failure message if not
// (s.mu held).
//
//   - A role with the DataZone permissions boundary reads only through Lake Formation: an
//     unregistered location fails in S3 (the boundary allows no s3:ListBucket there); a registered
//     one needs Lake Formation SELECT on the target and a table without IAMAllowedPrincipals.
//   - Other roles: data lake administrators read everything; a managed table (registered, no
//     IAMAllowedPrincipals) needs SELECT; otherwise the role's IAM S3 access decides.
//
// A SELECT grant counts once it has taken effect: DataZone's lag by Durations.GrantPropagation.
func (s *Sandbox) readDenial(caller string, t, target *glueTable) string {
	reg, registered := s.lfRegistrationFor(target.Location)
	iamAllowed := s.tableGrantsIAMAllowed(target)
	res := lfResource{Database: target.Database, Table: target.Name}
	if s.roleHasBoundary(caller) {
		if !registered {
			return s.s3Denied(caller, target.Location, "no permissions boundary allows")
		}
		if iamAllowed || !s.lf.holdsEffective(caller, "SELECT", res, s.now()) {
			return lfDenied(t.Name)
		}
		return ""
	}
	if s.isLFAdmin(caller) {
		return ""
	}
	if registered && !iamAllowed && !reg.HybridAccessEnabled {
		if s.lf.holdsEffective(caller, "SELECT", res, s.now()) {
			return ""
		}
		return lfDenied(t.Name)
	}
	if s.roleS3Access(caller, target.Location) {
		return ""
	}
	return s.s3Denied(caller, target.Location, "no identity-based policy allows")
}

// holdsEffective is lfHas without the IAMAllowedPrincipals shortcut, as a query at now sees it: the
// caller's own grants on the table or its database's TableWildcard that have taken effect.
func (lf *lfState) holdsEffective(principal, perm string, res lfResource, now time.Time) bool {
	for _, r := range []lfResource{res, {Database: res.Database, TableWildcard: true}} {
		if g := lf.find(principal, r); g != nil && !now.Before(g.effectiveFrom) && lf.holds(principal, perm, r, false) {
			return true
		}
	}
	return false
}

func lfDenied(table string) string {
	return fmt.Sprintf("Insufficient Lake Formation permission(s) on %s (Service: AmazonDataCatalog; Status Code: 400; "+
		"Error Code: AccessDeniedException)", table)
}

func (s *Sandbox) s3Denied(caller, location, because string) string {
	return fmt.Sprintf("Access denied when reading %s: User: %s is not authorized to perform: s3:ListBucket on "+
		"resource: \"arn:aws:s3:::%s\" because %s the s3:ListBucket action (Service: Amazon S3; Status Code: 403; "+
		"Error Code: AccessDenied)", location, s.assumedRoleARN(caller), bucketOf(location), because)
}
