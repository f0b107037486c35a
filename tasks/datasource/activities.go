package datasource

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/workflow"
)

// imported are the activity statuses after which the table's asset exists (aws-reference §4.4).
var imported = map[dztypes.DataAssetActivityStatus]bool{
	dztypes.DataAssetActivityStatusSucceededCreated:       true,
	dztypes.DataAssetActivityStatusSucceededUpdated:       true,
	dztypes.DataAssetActivityStatusUnchanged:              true,
	dztypes.DataAssetActivityStatusSkippedAlreadyImported: true,
}

// check matches every table of w.Tables still onboarding with its activity in the plan's database
// and returns the asset of each, or the problem (with its fix) of each table that has none, by
// table name.
func check(w workflow.Work, acts []dztypes.DataSourceRunActivity) (map[string]string, map[string]workflow.Problem) {
	db := w.Plan.GlueDatabase
	byTable := map[string]dztypes.DataSourceRunActivity{}
	for _, a := range acts {
		if !strings.EqualFold(aws.ToString(a.Database), db) {
			continue
		}
		key := strings.ToLower(aws.ToString(a.TechnicalName))
		// An activity that produced an asset wins over another for the same table.
		if prev, ok := byTable[key]; ok && imported[prev.DataAssetStatus] && aws.ToString(prev.DataAssetId) != "" {
			continue
		}
		byTable[key] = a
	}
	assets := map[string]string{}
	problems := map[string]workflow.Problem{}
	for _, t := range w.Tables {
		if !t.Onboarding() {
			continue
		}
		a, ok := byTable[strings.ToLower(t.Name)]
		if !ok {
			problems[t.Name] = missing(db, t.Name)
			continue
		}
		if id := aws.ToString(a.DataAssetId); imported[a.DataAssetStatus] && id != "" {
			assets[t.Name] = id
			continue
		}
		problems[t.Name] = problem(w.Plan, t.Name, a)
	}
	return assets, problems
}

// missing is the problem of a table the run did not touch.
func missing(db, table string) workflow.Problem {
	return workflow.Problem{
		Field:   db + "." + table,
		Problem: "the data source run has no activity for this table.",
		Fix:     "the table is outside the data source's filters or was deleted: check \"tables\" and the data source's filter expressions, and that the table still exists in Glue.",
	}
}

// problem is the problem of a table whose activity left it without an asset, with its fix.
func problem(p workflow.Plan, table string, a dztypes.DataSourceRunActivity) workflow.Problem {
	ref := p.GlueDatabase + "." + table
	status := string(a.DataAssetStatus)
	what := "DataZone did not import the table: " + status
	if a.ErrorMessage != nil {
		what += " (" + errorText(a.ErrorMessage) + ")"
	}
	what += "."
	var fix string
	switch a.DataAssetStatus {
	case dztypes.DataAssetActivityStatusSkippedNoAccess:
		fix = fmt.Sprintf("grant DataZone's manage-access role %s DESCRIBE and SELECT with grant option on %s in Lake Formation "+
			"(PrepareLakeFormation grants this, so check that nobody revoked it) and start again.", p.ManageAccessRoleARN, ref)
	case dztypes.DataAssetActivityStatusSkippedArchived:
		fix = "the table's asset is archived: restore it, or delete it, in the DataZone portal and start again."
	case dztypes.DataAssetActivityStatusFailed, dztypes.DataAssetActivityStatusPublishingFailed:
		fix = "correct what DataZone's message says and start again."
	default:
		if imported[a.DataAssetStatus] {
			what = fmt.Sprintf("the run reports %s but no asset ID.", status)
		}
		fix = "look at the data source run in the DataZone portal and start again."
	}
	return workflow.Problem{Field: ref, Problem: what, Fix: fix}
}
