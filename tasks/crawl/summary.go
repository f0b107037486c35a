package crawl

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxSummary bounds a summary that is not in Glue's JSON form.
const maxSummary = 200

// describeSummary reads Glue's crawl summary ({"TABLE":{"ADD":{"Count":1,"Tables":[...]}},...},
// which names every table the crawl changed) as "tables: 1 added", so that the state keeps a few
// words at any number of tables. A summary in another form is kept, cut to maxSummary bytes.
func describeSummary(summary string) string {
	var s map[string]map[string]struct {
		Count *int `json:"Count"`
	}
	if json.Unmarshal([]byte(summary), &s) != nil || s["TABLE"] == nil {
		if len(summary) > maxSummary {
			return summary[:maxSummary-3] + "..."
		}
		return summary
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
