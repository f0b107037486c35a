package infra

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
)

// Context keys: the deploy-time configuration, in cdk.json's "context" or given as
// `-c key=value`. A list may be a JSON array (cdk.json) or a comma-separated string (-c).
const (
	// CtxDomainID is the DataZone domain (dzd_...). It scopes datazone:GetDomain (the other
	// DataZone actions have no resource type) and is needed for the project memberships.
	CtxDomainID = "domainId"
	// CtxProducerProjectID is the project that owns the data sources and assets; the DataZone
	// role becomes its contributor.
	CtxProducerProjectID = "producerProjectId"
	// CtxConsumerProjectIDs are the projects subscribed to the listings; the DataZone role
	// becomes a contributor of each.
	CtxConsumerProjectIDs = "consumerProjectIds"
	// CtxExistingMemberships are projects (among the producer and consumers) that the DataZone
	// role is already a member of, added by hand: the stack creates no membership there (which
	// would fail with "User is already in the project") and never removes it.
	CtxExistingMemberships = "existingMembershipProjectIds"
	// CtxCrawlerNames are the Glue crawlers the workflow may run ("*" for any).
	CtxCrawlerNames = "crawlerNames"
	// CtxGlueDatabases are the Glue databases the workflow may read and grant on (empty for any).
	CtxGlueDatabases = "glueDatabases"
	// CtxSchedule is an EventBridge Scheduler expression (rate(...), cron(...) or at(...)); empty
	// for no schedule.
	CtxSchedule = "schedule"
	// CtxScheduleTimezone is the schedule's IANA time zone (default UTC).
	CtxScheduleTimezone = "scheduleTimezone"
	// CtxScheduleInputFile is the execution input JSON the schedule starts executions with,
	// relative to the directory cdk runs in (the repository root).
	CtxScheduleInputFile = "scheduleInputFile"
	// CtxAlarmEmail is an e-mail address subscribed to the alarm topic; empty for none.
	CtxAlarmEmail = "alarmEmail"
)

// Config is the deploy-time configuration read from context.
type Config struct {
	DomainID           string
	ProducerProjectID  string
	ConsumerProjectIDs []string
	// ExistingMemberships are projects whose membership of the DataZone role was made by hand.
	ExistingMemberships []string
	CrawlerNames        []string // never empty: ["*"] means any crawler
	GlueDatabases       []string // empty means any database
	Schedule            string
	ScheduleTimezone    string
	ScheduleInputFile   string
	AlarmEmail          string
}

// ConfigFromContext reads the configuration visible to node, applying the defaults.
func ConfigFromContext(node constructs.Node) (Config, error) {
	var c Config
	var err error
	str := func(key string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = contextString(node, key)
		return s
	}
	strs := func(key string) []string {
		if err != nil {
			return nil
		}
		var l []string
		l, err = contextStrings(node, key)
		return l
	}
	c.DomainID = str(CtxDomainID)
	c.ProducerProjectID = str(CtxProducerProjectID)
	c.ConsumerProjectIDs = strs(CtxConsumerProjectIDs)
	c.ExistingMemberships = strs(CtxExistingMemberships)
	c.CrawlerNames = strs(CtxCrawlerNames)
	c.GlueDatabases = strs(CtxGlueDatabases)
	c.Schedule = str(CtxSchedule)
	c.ScheduleTimezone = str(CtxScheduleTimezone)
	c.ScheduleInputFile = str(CtxScheduleInputFile)
	c.AlarmEmail = str(CtxAlarmEmail)
	if err != nil {
		return Config{}, err
	}
	if len(c.CrawlerNames) == 0 || slices.Contains(c.CrawlerNames, "*") {
		c.CrawlerNames = []string{"*"}
	}
	if slices.Contains(c.GlueDatabases, "*") {
		c.GlueDatabases = nil
	}
	if c.ScheduleTimezone == "" {
		c.ScheduleTimezone = "UTC"
	}
	for _, p := range c.ExistingMemberships {
		if !slices.Contains(c.projectIDs(), p) {
			return Config{}, fmt.Errorf("context %s names project %s, which is neither %s nor one of %s", CtxExistingMemberships, p, CtxProducerProjectID, CtxConsumerProjectIDs)
		}
	}
	return c, nil
}

// projectIDs are the producer and consumer projects, without duplicates.
func (c Config) projectIDs() []string {
	var ids []string
	for _, id := range append([]string{c.ProducerProjectID}, c.ConsumerProjectIDs...) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func contextString(node constructs.Node, key string) (string, error) {
	switch v := node.TryGetContext(&key).(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	default:
		return "", fmt.Errorf("context %s: want a string, got %v", key, v)
	}
}

func contextStrings(node constructs.Node, key string) ([]string, error) {
	var items []interface{}
	switch v := node.TryGetContext(&key).(type) {
	case nil:
		return nil, nil
	case []interface{}:
		items = v
	case string:
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "[") {
			if err := json.Unmarshal([]byte(v), &items); err != nil {
				return nil, fmt.Errorf("context %s: %q is not a JSON list: %w", key, v, err)
			}
			break
		}
		for _, s := range strings.Split(v, ",") {
			items = append(items, s)
		}
	default:
		return nil, fmt.Errorf("context %s: want a list of strings, got %v", key, v)
	}
	var out []string
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("context %s: %v is not a string", key, it)
		}
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}
