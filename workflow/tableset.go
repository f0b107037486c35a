package workflow

import "fmt"

// TableSet names the S3 object that holds a Work's Tables. Every task that changes the tables
// writes a new object and returns its TableSet; objects are never rewritten with other content,
// so a retried task reads exactly the list its first attempt read.
type TableSet struct {
	// URI is s3://<state bucket>/<key>, the key being TableSetKey's.
	URI string `json:"uri"`
	// Version counts the writes of this execution's table list: 1 for the first.
	Version int `json:"version"`
	// SHA256 is the hex SHA-256 of the object's bytes; a reader refuses any other content.
	SHA256 string `json:"sha256"`
	// Count is how many tables the object holds, and Failed how many of them a stage failed.
	Count  int `json:"count"`
	Failed int `json:"failed,omitempty"`
}

// TableSetPrefix is the key prefix of the table lists a stage writes: a task's role may write
// only under its own stage's prefix.
func TableSetPrefix(stage string) string { return "tables/" + stage + "/" }

// TableSetKey is the key of version of execution's table list, written by stage; sum is the hex
// SHA-256 of its content, so two different lists never share a key.
func TableSetKey(stage, execution string, version int, sum string) string {
	return fmt.Sprintf("%s%s/%06d-%.16s.json", TableSetPrefix(stage), execution, version, sum)
}

// ReportPrefix is the key prefix of the full reports, which Report writes.
const ReportPrefix = "reports/"

// ReportKey is the key of an execution's full report.
func ReportKey(execution string) string { return ReportPrefix + execution + ".json" }
