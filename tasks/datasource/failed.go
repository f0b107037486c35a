package datasource

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/workflow"
)

// failed is the error of a data source in a status it will not leave by itself, with its fix.
func failed(id string, status dztypes.DataSourceStatus, msg *dztypes.DataSourceErrorMessage) *workflow.DataSourceFailedError {
	fix := "look at the data source in the DataZone portal, delete it (or choose another \"dataSourceName\") and start again"
	switch status {
	case dztypes.DataSourceStatusDeleting, dztypes.DataSourceStatusFailedDeletion:
		fix = "the data source is being deleted; wait until it is gone (or choose another \"dataSourceName\") and start again: a new one is created"
	case dztypes.DataSourceStatusFailedUpdate:
		fix = "look at the data source in the DataZone portal, correct its configuration (database " +
			"and filters) or delete it, and start again"
	}
	return &workflow.DataSourceFailedError{DataSourceID: id, Status: string(status), Message: errorText(msg) + " Fix: " + fix}
}

// runFailed is the error of a data source run that ended FAILED.
func runFailed(id, runID string, msg *dztypes.DataSourceErrorMessage) *workflow.DataSourceFailedError {
	fix := "correct what the message says (the Glue database must exist and DataZone's manage-access role must be able to read it) and start again"
	return &workflow.DataSourceFailedError{DataSourceID: id, RunID: runID, Status: string(dztypes.DataSourceRunStatusFailed),
		Message: errorText(msg) + " Fix: " + fix}
}

// errorText is "ErrorType: ErrorDetail" of a DataZone error message.
func errorText(msg *dztypes.DataSourceErrorMessage) string {
	if msg == nil {
		return "DataZone gave no error message."
	}
	text := string(msg.ErrorType)
	if d := aws.ToString(msg.ErrorDetail); d != "" {
		if text != "" {
			text += ": "
		}
		text += d
	}
	if text == "" {
		return "DataZone gave no error message."
	}
	return text
}
