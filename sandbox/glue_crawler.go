package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// glueCrawler is a crawler and its crawl history.
type glueCrawler struct {
	def              GlueCrawler
	state            string // READY, RUNNING, STOPPING
	starting         bool   // StartCrawler accepted, not RUNNING yet
	created, updated time.Time
	version          int
	history          []*crawlRecord // oldest first
	last             *crawlRecord   // the last finished crawl
}

// crawlRecord is one crawl (a ListCrawls entry).
type crawlRecord struct {
	id         string
	state      string // RUNNING, COMPLETED, FAILED, STOPPED
	start, end time.Time
	errMsg     string
	summary    string
}

// crawler returns the named crawler or Glue's EntityNotFoundException.
func (s *Sandbox) crawler(name string) (*glueCrawler, error) {
	c, ok := s.glue.crawlers[name]
	if !ok {
		return nil, errorf(400, "EntityNotFoundException", "Crawler with name %s does not exist", name)
	}
	return c, nil
}

// startCrawl starts a crawl: the crawler stays READY (with its previous LastCrawl) for
// CrawlStartDelay, is RUNNING for Crawl, then READY with the new LastCrawl.
func (s *Sandbox) startCrawl(c *glueCrawler) error {
	if c.state != "READY" || c.starting {
		return errorf(400, "CrawlerRunningException", "Crawler with name %s has already started", c.def.Name)
	}
	c.starting = true
	s.after(s.world.Durations.CrawlStartDelay.Duration, func() {
		c.starting = false
		c.state = "RUNNING"
		rec := &crawlRecord{id: s.newUUID(), state: "RUNNING", start: s.now()}
		c.history = append(c.history, rec)
		s.after(s.world.Durations.Crawl.Duration, func() {
			summary, errMsg := s.crawl(c.def)
			rec.end = s.now()
			rec.summary = summary
			rec.errMsg = errMsg
			rec.state = "COMPLETED"
			if errMsg != "" {
				rec.state = "FAILED"
			}
			c.state = "READY"
			c.last = rec
		})
	})
	return nil
}

// output is the Glue Crawler shape.
func (c *glueCrawler) output(s *Sandbox) map[string]any {
	targets := make([]map[string]any, 0, len(c.def.S3Targets))
	for _, t := range c.def.S3Targets {
		targets = append(targets, map[string]any{"Path": t, "Exclusions": []string{}})
	}
	out := map[string]any{
		"Name":         c.def.Name,
		"Role":         c.def.Role,
		"DatabaseName": c.def.DatabaseName,
		"Targets":      map[string]any{"S3Targets": targets},
		"State":        c.state,
		"CreationTime": epoch(c.created),
		"LastUpdated":  epoch(c.updated),
		"Version":      c.version,
		"Classifiers":  []string{},
		"SchemaChangePolicy": map[string]any{
			"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DEPRECATE_IN_DATABASE",
		},
		"RecrawlPolicy":              map[string]any{"RecrawlBehavior": "CRAWL_EVERYTHING"},
		"LineageConfiguration":       map[string]any{"CrawlerLineageSettings": "DISABLE"},
		"LakeFormationConfiguration": map[string]any{"UseLakeFormationCredentials": false, "AccountId": ""},
	}
	if c.def.TablePrefix != "" {
		out["TablePrefix"] = c.def.TablePrefix
	}
	if c.state == "RUNNING" && len(c.history) > 0 {
		out["CrawlElapsedTime"] = s.now().Sub(c.history[len(c.history)-1].start).Milliseconds()
	}
	if c.last != nil {
		status := "SUCCEEDED"
		if c.last.state == "FAILED" {
			status = "FAILED"
		}
		lc := map[string]any{
			"Status":        status,
			"StartTime":     epoch(c.last.start),
			"LogGroup":      "/aws-glue/crawlers",
			"LogStream":     c.def.Name,
			"MessagePrefix": c.last.id,
		}
		if c.last.errMsg != "" {
			lc["ErrorMessage"] = c.last.errMsg
		}
		out["LastCrawl"] = lc
	}
	return out
}

// output is the Glue CrawlerHistory shape.
func (h *crawlRecord) output(c *glueCrawler) map[string]any {
	out := map[string]any{
		"CrawlId":       h.id,
		"State":         h.state,
		"StartTime":     epoch(h.start),
		"LogGroup":      "/aws-glue/crawlers",
		"LogStream":     c.def.Name,
		"MessagePrefix": h.id,
		"DPUHour":       0.0,
	}
	if !h.end.IsZero() {
		out["EndTime"] = epoch(h.end)
		out["DPUHour"] = float64(int(h.end.Sub(h.start).Hours()*1000+1)) / 1000
	}
	if h.summary != "" {
		out["Summary"] = h.summary
	}
	if h.errMsg != "" {
		out["ErrorMessage"] = h.errMsg
	}
	return out
}

// matches applies one ListCrawls filter.
func (h *crawlRecord) matches(field, op, value string) bool {
	var cmp int
	switch field {
	case "CRAWL_ID":
		cmp = strings.Compare(h.id, value)
	case "STATE":
		cmp = strings.Compare(h.state, value)
	case "START_TIME", "END_TIME":
		t := h.start
		if field == "END_TIME" {
			t = h.end
		}
		v, err := parseFilterTime(value)
		if err != nil {
			return false
		}
		cmp = t.Compare(v)
	default:
		return true
	}
	switch op {
	case "EQ":
		return cmp == 0
	case "NE":
		return cmp != 0
	case "GT":
		return cmp > 0
	case "GE":
		return cmp >= 0
	case "LT":
		return cmp < 0
	case "LE":
		return cmp <= 0
	}
	return true
}

func parseFilterTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", v)
}

// crawlSummary is the Summary JSON of a crawl.
func crawlSummary(added, updated []string) string {
	type change struct {
		Count  int      `json:"Count"`
		Tables []string `json:"Tables,omitempty"`
	}
	b, _ := json.Marshal(map[string]map[string]change{
		"TABLE": {"ADD": {len(added), added}, "UPDATE": {len(updated), updated}},
	})
	return string(b)
}
