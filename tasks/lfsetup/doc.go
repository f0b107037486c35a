// Package lfsetup holds the Lake Formation tasks of the onboarding workflow.
//
// Prepare (PrepareLakeFormation) runs as a data lake administrator before the crawl: it registers
// the data set's S3 location with the Lake Formation service-linked role (an existing
// registration, or one of a parent path, is fine) and grants the crawler role and DataZone's
// manage-access role what they need, finding every grant first so that a second execution makes
// no call that changes anything. It never touches any permissions boundary.
//
// Tables (EnsureTablesManaged) runs after the crawl: it lists the onboarded tables and makes sure
// Lake Formation manages them, revoking IAMAllowedPrincipals only when the input opted in with
// makeManaged.
package lfsetup
