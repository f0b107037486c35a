package progress

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
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

// doc is the part of the workflow's state document (workflow.Work) and of the execution output
// (workflow.Output) that Summarize reads. It is decoded leniently: unknown shapes give no detail.
type doc struct {
	Status        string `json:"status"`
	LakeFormation *struct {
		Registration string   `json:"registration"`
		Granted      []string `json:"granted"`
	} `json:"lakeFormation"`
	Crawl *struct {
		Adopted bool   `json:"adopted"`
		Status  string `json:"status"`
		Summary string `json:"summary"`
	} `json:"crawl"`
	DataSource *struct {
		ID        string `json:"id"`
		Created   bool   `json:"created"`
		Status    string `json:"status"`
		RunID     string `json:"runId"`
		RunOrigin string `json:"runOrigin"`
		RunStatus string `json:"runStatus"`
	} `json:"dataSource"`
	Tables []struct {
		GlueTable     string `json:"glueTable"`
		AssetID       string `json:"assetId"`
		ListingStatus string `json:"listingStatus"`
		Access        []struct {
			Status   string `json:"status"`
			RowCount *int64 `json:"rowCount"`
		} `json:"access"`
	} `json:"tables"`
	Consumers []json.RawMessage `json:"consumers"`
	Timings   *json.RawMessage  `json:"timings"`
	Poll      *struct {
		Done        bool `json:"done"`
		WaitSeconds int  `json:"waitSeconds"`
	} `json:"poll"`
	Plan *struct {
		CrawlerName  string `json:"crawlerName"`
		GlueDatabase string `json:"glueDatabase"`
		S3Location   string `json:"s3Location"`
	} `json:"plan"`
}

// Summarize describes what a task did from its state input and output (the workflow's state
// document): the plan Preflight made, what changed in the Lake Formation set-up, the crawl, the
// data source and the tables, and whether the task's wait loop goes on. It returns "" when it finds nothing to say.
func Summarize(input, output []byte) string {
	var in, out doc
	if json.Unmarshal(input, &in) != nil {
		in = doc{} // e.g. the execution input: nothing to compare with
	}
	if err := json.Unmarshal(output, &out); err != nil {
		return ""
	}
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }

	if out.Status != "" && out.Timings != nil { // the execution output
		add("%s, %s", out.Status, plural(len(out.Tables), "table"))
		if n := len(out.Consumers); n > 0 {
			add("%s", plural(n, "consumer"))
		}
		return strings.Join(parts, "; ")
	}
	if p := out.Plan; p != nil && in.Plan == nil && p.GlueDatabase != "" {
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
			if summary := crawlSummary(c.Summary); summary != "" {
				add("%s", summary)
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
	parts = append(parts, tableChanges(in, out)...)
	if out.Poll != nil && !out.Poll.Done && out.Poll.WaitSeconds > 0 {
		add("not done yet")
	}
	return strings.Join(parts, "; ")
}

// tableChanges reports the table counts that differ between input and output.
func tableChanges(in, out doc) []string {
	type counts struct{ tables, assets, active, access, granted, counted int }
	count := func(d doc) counts {
		var c counts
		c.tables = len(d.Tables)
		for _, t := range d.Tables {
			if t.AssetID != "" {
				c.assets++
			}
			if t.ListingStatus == "ACTIVE" {
				c.active++
			}
			for _, a := range t.Access {
				c.access++
				if a.Status == "GRANTED" {
					c.granted++
				}
				if a.RowCount != nil {
					c.counted++
				}
			}
		}
		return c
	}
	a, b := count(in), count(out)
	var parts []string
	if b.tables != a.tables && b.tables > 0 {
		names := make([]string, 0, 3)
		for i, t := range out.Tables {
			if i == 3 {
				names = append(names, "...")
				break
			}
			names = append(names, t.GlueTable)
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", plural(b.tables, "table"), strings.Join(names, ", ")))
	}
	if b.assets != a.assets {
		parts = append(parts, fmt.Sprintf("%d/%d assets", b.assets, b.tables))
	}
	if b.active != a.active {
		parts = append(parts, fmt.Sprintf("%d/%d listings ACTIVE", b.active, b.tables))
	}
	if b.granted != a.granted || (b.access != a.access && b.access > 0) {
		parts = append(parts, fmt.Sprintf("%d/%d subscriptions GRANTED", b.granted, b.access))
	}
	if b.counted != a.counted {
		var rows int64
		for _, t := range out.Tables {
			for _, acc := range t.Access {
				if acc.RowCount != nil {
					rows += *acc.RowCount
				}
			}
		}
		parts = append(parts, fmt.Sprintf("%d/%d tables counted, %d rows", b.counted, b.access, rows))
	}
	return parts
}

// crawlSummary reads Glue's crawl summary ({"TABLE":{"ADD":{"Count":1},...}}) as "tables: 1
// added"; a summary in another form is kept as it is.
func crawlSummary(summary string) string {
	var s map[string]map[string]struct {
		Count *int `json:"Count"`
	}
	if json.Unmarshal([]byte(summary), &s) != nil || s["TABLE"] == nil {
		return clip(summary)
	}
	var parts []string
	for _, change := range []struct{ key, verb string }{{"ADD", "added"}, {"UPDATE", "updated"}, {"DELETE", "deleted"}} {
		if c := s["TABLE"][change.key].Count; c != nil && *c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", *c, change.verb))
		}
	}
	if len(parts) == 0 {
		return "no table changed"
	}
	return "tables: " + strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
