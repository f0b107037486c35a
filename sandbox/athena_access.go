package sandbox

import (
	"fmt"
	"time"
)

// Kinds of failed queries, each with its class in Athena's error catalog (athenaErrorClasses).
const (
	kindLakeFormationDenied = "LAKE_FORMATION_DENIED"
	kindS3Denied            = "S3_DENIED"
)

// readDenial decides whether caller may read the table t (a resource link resolves to target)
// through Athena, as a real account would, and returns the query's failure if not (s.mu held).
//
//   - Athena reads the catalog as the caller, so the caller must see the table's metadata (and a
//     link's own metadata) as Glue would show it (tableVisible); otherwise Glue's refusal fails
//     the query, naming Lake Formation. Grants count once they have taken effect.
//   - A role with the DataZone permissions boundary reads only through Lake Formation: an
//     unregistered location fails in S3 (the boundary allows no s3:ListBucket there); a registered
//     one needs Lake Formation SELECT on the target and a table without IAMAllowedPrincipals.
//   - Other roles: data lake administrators read everything; a managed table (registered, no
//     IAMAllowedPrincipals) needs SELECT (read-only administrators see metadata only, so they need
//     it too); otherwise the role's IAM S3 access decides.
//
// A grant counts once it has taken effect: DataZone's lag by Durations.GrantPropagation.
func (s *Sandbox) readDenial(caller string, t, target *glueTable) *denial {
	now := s.now()
	if !s.tableVisible(caller, t, now) {
		return lfDenied(t.Name)
	}
	reg, registered := s.lfRegistrationFor(target.Location)
	iamAllowed := s.tableGrantsIAMAllowed(target)
	res := lfResource{Database: target.Database, Table: target.Name}
	if s.roleHasBoundary(caller) {
		if !registered {
			return s.s3Denied(caller, target.Location, "no permissions boundary allows")
		}
		if iamAllowed || !s.lf.holdsEffective(caller, "SELECT", res, now) {
			return lfDenied(t.Name)
		}
		return nil
	}
	if s.isLFAdmin(caller) {
		return nil
	}
	if registered && !iamAllowed && !reg.HybridAccessEnabled {
		if s.lf.holdsEffective(caller, "SELECT", res, now) || (target.Creator != "" && target.Creator == caller) {
			return nil
		}
		return lfDenied(t.Name)
	}
	if s.roleS3Access(caller, target.Location) {
		return nil
	}
	return s.s3Denied(caller, target.Location, "no identity-based policy allows")
}

// defaultDenial is the failure of every query by a caller that cannot see the default database,
// or nil (s.mu held); see describeDefaultDenial.
func (s *Sandbox) defaultDenial(caller string) *denial {
	d, ok := s.glue.databases[defaultDatabase]
	if ok && s.databaseVisible(caller, d) {
		return nil
	}
	return &denial{kind: kindLakeFormationDenied, msg: describeDefaultDenial()}
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

// denial is why a query may not read a table: its kind and Athena's message.
type denial struct{ kind, msg string }

// lfDenied is Athena's failure when Lake Formation refuses the table: Glue's refusal as Athena's
// catalog client reports it, "Insufficient Lake Formation permission(s) on <table> (Service:
// AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException ..." (table wording:
// aws-samples/dbt-glue#548; Athena's wrapping: aws-samples/experimental-programmatic-access-ccft#5;
// request IDs left out).
func lfDenied(table string) *denial {
	return &denial{kind: kindLakeFormationDenied, msg: fmt.Sprintf("%s (Service: AmazonDataCatalog; Status Code: 400; "+
		"Error Code: AccessDeniedException)", glueTableDenied(table).msg)}
}

// s3Denied is Athena's (engine version 3) failure when S3 refuses to list the table's location:
// "PERMISSION_DENIED: User: <assumed role> is not authorized to perform: s3:GetObject on resource:
// "arn:aws:s3:::<bucket>/<key>" because no identity-based policy allows the s3:GetObject action
// (Service: S3, Status Code: 403, Request ID: ..., Extended Request ID: ...)"
// (LBHackney-IT/Data-Platform#2777; "PERMISSION_DENIED: Access Denied (Service: S3, Status Code:
// 403)" in aws/context-ontology-accelerator#38). The sandbox's reads start by listing the
// location, so the action is s3:ListBucket on the bucket; "because no permissions boundary
// allows" is IAM's reason when a permissions boundary is what is missing (IAM user guide,
// "Troubleshoot access denied error messages"). Request IDs are left out.
func (s *Sandbox) s3Denied(caller, location, because string) *denial {
	return &denial{kind: kindS3Denied, msg: fmt.Sprintf("PERMISSION_DENIED: User: %s is not authorized to perform: "+
		"s3:ListBucket on resource: \"arn:aws:s3:::%s\" because %s the s3:ListBucket action (Service: S3, Status Code: 403)",
		s.assumedRoleARN(caller), bucketOf(location), because)}
}
