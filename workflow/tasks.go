package workflow

import "encoding/json"

// The task workers. Each name is the value of the Lambda function's TASK variable, the key of
// the local runner's handler table, and the stem of the state machine's resource placeholder
// (${<Name>FunctionArn}).
const (
	TaskPreflight            = "Preflight"
	TaskPrepareLakeFormation = "PrepareLakeFormation"
	TaskStartCrawl           = "StartCrawl"
	TaskCheckCrawl           = "CheckCrawl"
	TaskEnsureTablesManaged  = "EnsureTablesManaged"
	TaskEnsureDataSource     = "EnsureDataSource"
	TaskRunDataSource        = "RunDataSource"
	TaskPublishAssets        = "PublishAssets"
	TaskSubscribeProjects    = "SubscribeProjects"
	TaskVerifyQueries        = "VerifyQueries"
	TaskReport               = "Report"
)

// Tasks lists every task in the order the workflow first runs it.
var Tasks = []string{
	TaskPreflight, TaskPrepareLakeFormation, TaskStartCrawl, TaskCheckCrawl,
	TaskEnsureTablesManaged, TaskEnsureDataSource, TaskRunDataSource, TaskPublishAssets,
	TaskSubscribeProjects, TaskVerifyQueries, TaskReport,
}

// Placeholder is the ASL resource placeholder of a task: ${<task>FunctionArn}.
func Placeholder(task string) string { return task + "FunctionArn" }

// PreflightRequest is Preflight's input: the raw execution input (validated by Preflight so that
// every problem is reported) and the execution's name and start time from the context object.
type PreflightRequest struct {
	Execution string          `json:"execution"`
	StartTime string          `json:"startTime"`
	Input     json.RawMessage `json:"input"`
}
