package workflow

import "encoding/json"

// The stages of the onboarding. Each name is, all at once, the name of its Task state in
// statemachine.asl.json, the TASK of its Lambda function, the key of the local runner's handler
// table, the stem of its resource placeholder (${<Name>FunctionArn}), the stage of its timing in
// Work.Timings and the output, and, for a stage that waits, the key of its PollPolicy. A waiting
// stage's Choice and Wait states are "<Name> done?" and "<Name> wait".
const (
	TaskPreflight     = "Preflight"
	TaskLakeFormation = "LakeFormation"
	TaskCrawl         = "Crawl"
	TaskTables        = "Tables"
	TaskDataSource    = "DataSource"
	TaskRun           = "Run"
	TaskPublish       = "Publish"
	TaskSubscribe     = "Subscribe"
	TaskVerify        = "Verify"
	TaskReport        = "Report"
)

// Tasks lists every stage in the order the workflow first runs it.
var Tasks = []string{
	TaskPreflight, TaskLakeFormation, TaskCrawl, TaskTables, TaskDataSource, TaskRun,
	TaskPublish, TaskSubscribe, TaskVerify, TaskReport,
}

// Placeholder is the ASL resource placeholder of a task: ${<task>FunctionArn}.
func Placeholder(task string) string { return task + "FunctionArn" }

// DoneState and WaitState are the Choice and Wait states of a waiting stage's loop.
func DoneState(task string) string { return task + " done?" }

// WaitState is the Wait state of a waiting stage's loop (see DoneState).
func WaitState(task string) string { return task + " wait" }

// PreflightRequest is Preflight's input: the raw execution input (validated by Preflight so that
// every problem is reported) and the execution's name and start time from the context object.
type PreflightRequest struct {
	Execution string          `json:"execution"`
	StartTime string          `json:"startTime"`
	Input     json.RawMessage `json:"input"`
}
