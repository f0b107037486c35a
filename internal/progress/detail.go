package progress

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

// maxDetail bounds a one-line detail (a failure's message can be long; Done prints it whole).
const maxDetail = 160

// CauseMessage is a Step Functions Cause as text: the errorMessage of a Lambda error's JSON
// cause ({"errorMessage":...,"errorType":...}), or the cause itself when it is not such JSON.
func CauseMessage(cause string) string {
	var lambdaErr struct {
		ErrorMessage *string `json:"errorMessage"`
	}
	if err := json.Unmarshal([]byte(cause), &lambdaErr); err == nil && lambdaErr.ErrorMessage != nil {
		return *lambdaErr.ErrorMessage
	}
	return cause
}

// FailureDetail is the detail of a failed event: the error name and the first line of the
// cause's message.
func FailureDetail(errName, cause string) string {
	msg, _, _ := strings.Cut(CauseMessage(cause), "\n")
	msg = strings.TrimSpace(msg)
	switch {
	case errName == "":
		return clip(msg)
	case msg == "":
		return errName
	}
	return clip(errName + ": " + msg)
}

// RetryDetail is the detail of a retry event: the attempt about to run (2 for the first retry)
// and the error that caused it.
func RetryDetail(attempt int, errName string) string {
	if errName == "" {
		return fmt.Sprintf("attempt %d", attempt)
	}
	return fmt.Sprintf("attempt %d after %s", attempt, errName)
}

// WaitDetail is the detail of a waiting event.
func WaitDetail(d time.Duration) string {
	return d.String()
}

func clip(s string) string {
	if r := []rune(s); len(r) > maxDetail {
		return string(r[:maxDetail-3]) + "..."
	}
	return s
}

// Summarize describes what a task did from its state input and output (the workflow's state
// document, workflow.Work): the plan Preflight made, what changed in the Lake Formation set-up,
// the crawl, the data source and the tables (from the counts the state keeps of them), and
// whether the task's wait loop goes on; for the execution output (workflow.Output), the status
// and how many tables and consumers. It returns "" when it finds nothing to say.
func Summarize(input, output []byte) string {
	var probe struct {
		Status  string           `json:"status"`
		Timings *json.RawMessage `json:"timings"`
	}
	if json.Unmarshal(output, &probe) != nil {
		return ""
	}
	if probe.Status != "" && probe.Timings != nil {
		var out workflow.Output
		if json.Unmarshal(output, &out) != nil {
			return ""
		}
		parts := []string{fmt.Sprintf("%s, %s", out.Status, plural(max(out.TableCount, len(out.Tables)), "table"))}
		if n := len(out.Consumers); n > 0 {
			parts = append(parts, plural(n, "consumer"))
		}
		return strings.Join(parts, "; ")
	}
	var in, out workflow.Work
	if json.Unmarshal(input, &in) != nil {
		in = workflow.Work{} // e.g. the execution input: nothing to compare with
	}
	if json.Unmarshal(output, &out) != nil {
		return ""
	}
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }

	if p := out.Plan; p.GlueDatabase != "" && in.Plan.GlueDatabase == "" {
		add("crawler %s, database %s, location %s", p.CrawlerName, p.GlueDatabase, p.S3Location)
	}
	if lf := out.LakeFormation; lf != nil && in.LakeFormation == nil {
		if lf.Registration != "" {
			add("location %s", lf.Registration)
		}
		add("%s", plural(len(lf.Granted), "grant"))
	}
	if c := out.Crawl; c != nil {
		switch {
		case in.Crawl == nil && c.Adopted:
			add("adopted the running crawl")
		case in.Crawl == nil && c.Status == "":
			add("crawl started")
		case c.Status != "" && (in.Crawl == nil || in.Crawl.Status != c.Status):
			add("crawl %s", c.Status)
			if c.Summary != "" {
				add("%s", clip(c.Summary))
			}
		}
	}
	if ds := out.DataSource; ds != nil {
		prev := in.DataSource
		switch {
		case prev == nil && ds.Created:
			add("data source %s created", ds.ID)
		case prev == nil:
			add("data source %s found", ds.ID)
		}
		if ds.Status != "" && (prev == nil || prev.Status != ds.Status) {
			add("data source %s", ds.Status)
		}
		if ds.RunID != "" && (prev == nil || prev.RunID != ds.RunID) {
			if ds.RunOrigin != "" {
				add("run %s %s", ds.RunID, ds.RunOrigin)
			} else {
				add("run %s", ds.RunID)
			}
		}
		if ds.RunStatus != "" && (prev == nil || prev.RunStatus != ds.RunStatus) {
			add("run %s", ds.RunStatus)
		}
	}
	parts = append(parts, tableChanges(counts(in), counts(out))...)
	if !out.Poll.Done && out.Poll.WaitSeconds > 0 {
		add("not done yet")
	}
	return strings.Join(parts, "; ")
}

// counts are the table counts a Work's state keeps.
func counts(w workflow.Work) workflow.TableCounts {
	if w.TableSet == nil {
		return workflow.TableCounts{}
	}
	return w.TableSet.TableCounts
}

// tableChanges reports the table counts that differ between input (a) and output (b).
func tableChanges(a, b workflow.TableCounts) []string {
	var parts []string
	if b.Count != a.Count && b.Count > 0 {
		names := b.First
		if b.Count > len(names) {
			names = append(slices.Clone(names), "...")
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", plural(b.Count, "table"), strings.Join(names, ", ")))
	}
	if b.MadeManaged != a.MadeManaged {
		parts = append(parts, fmt.Sprintf("%d/%d made Lake Formation-managed", b.MadeManaged, b.Count))
	}
	if b.Assets != a.Assets {
		parts = append(parts, fmt.Sprintf("%d/%d assets", b.Assets, b.Count))
	}
	if b.Active != a.Active {
		parts = append(parts, fmt.Sprintf("%d/%d listings ACTIVE", b.Active, b.Count))
	}
	if b.Granted != a.Granted || (b.Access != a.Access && b.Access > 0) {
		parts = append(parts, fmt.Sprintf("%d/%d subscriptions GRANTED", b.Granted, b.Access))
	}
	if b.Verified != a.Verified {
		parts = append(parts, fmt.Sprintf("%d/%d tables counted, %d rows", b.Verified, b.Access, b.Rows))
	}
	if b.Failed != a.Failed {
		parts = append(parts, fmt.Sprintf("%s left out", plural(b.Failed, "table")))
	}
	return parts
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
