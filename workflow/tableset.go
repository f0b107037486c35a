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
	// Count is how many tables the object holds; the rest of TableCounts summarises them for the
	// progress lines of run-local and follow.
	TableCounts
}

// TableCounts summarises a table list in a few numbers (and names): what the state keeps of it.
type TableCounts struct {
	Count int `json:"count"`
	// First names the first few tables.
	First []string `json:"first,omitempty"`
	// Failed counts the tables a stage left out.
	Failed      int `json:"failed,omitempty"`
	MadeManaged int `json:"madeManaged,omitempty"`
	Assets      int `json:"assets,omitempty"`
	Active      int `json:"active,omitempty"` // listings ACTIVE
	// Access counts subscriptions (table × project), Granted those granted, Verified those whose
	// checks counted the rows, Rows the rows counted.
	Access   int   `json:"access,omitempty"`
	Granted  int   `json:"granted,omitempty"`
	Verified int   `json:"verified,omitempty"`
	Rows     int64 `json:"rows,omitempty"`
}

// firstNamed is how many names TableCounts.First keeps.
const firstNamed = 3

// CountTables summarises tables.
func CountTables(tables []Table) TableCounts {
	c := TableCounts{Count: len(tables)}
	for i, t := range tables {
		if i < firstNamed {
			c.First = append(c.First, t.Name)
		}
		if !t.Onboarding() {
			c.Failed++
		}
		if t.MadeManaged {
			c.MadeManaged++
		}
		if t.AssetID != "" {
			c.Assets++
		}
		if t.ListingStatus == "ACTIVE" {
			c.Active++
		}
		for _, a := range t.Access {
			c.Access++
			if a.Status == "GRANTED" {
				c.Granted++
			}
			if a.RowCount != nil {
				c.Verified++
				c.Rows += *a.RowCount
			}
		}
	}
	return c
}

// TableSetPrefix is the key prefix of the table lists a stage writes: a task's role may write
// only under its own stage's prefix.
func TableSetPrefix(stage string) string { return "tables/" + stage + "/" }

// TableSetKey is the key of version of execution's table list, written by stage; sum is the hex
// SHA-256 of its content, so two different lists never share a key; the object is gzip-compressed
// JSON.
func TableSetKey(stage, execution string, version int, sum string) string {
	return fmt.Sprintf("%s%s/%06d-%.16s.json.gz", TableSetPrefix(stage), execution, version, sum)
}

// ReportPrefix is the key prefix of the full reports, which Report writes.
const ReportPrefix = "reports/"

// ReportKey is the key of an execution's full report.
func ReportKey(execution string) string { return ReportPrefix + execution + ".json" }

// WritePrefix is the key prefix under which a task writes to the state bucket: Report its
// report, every other task its stage's table lists. The stack allows each task's role to write
// only there.
func WritePrefix(task string) string {
	if task == TaskReport {
		return ReportPrefix
	}
	return TableSetPrefix(task)
}

// ReadPrefix is the key prefix every task that uses the state bucket reads: the table lists of
// every stage.
const ReadPrefix = "tables/"
