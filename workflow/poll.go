package workflow

import (
	"math"
	"time"
)

// PollPolicy is how a wait loop waits: Initial first, growing by Factor up to Max, for at most
// Timeout in all.
type PollPolicy struct {
	Stage   string
	Initial time.Duration
	Max     time.Duration
	Factor  float64
	Timeout time.Duration
}

// The policy of every wait loop. Durations follow how long each thing takes in a real account.
var (
	CrawlPolicy      = PollPolicy{Stage: "the crawl", Initial: 30 * time.Second, Max: 2 * time.Minute, Factor: 1.5, Timeout: 3 * time.Hour}
	DataSourcePolicy = PollPolicy{Stage: "the data source to be ready", Initial: 10 * time.Second, Max: 30 * time.Second, Factor: 1.5, Timeout: 30 * time.Minute}
	RunPolicy        = PollPolicy{Stage: "the data source run", Initial: 15 * time.Second, Max: time.Minute, Factor: 1.5, Timeout: 2 * time.Hour}
	ListingPolicy    = PollPolicy{Stage: "the listings to become ACTIVE", Initial: 5 * time.Second, Max: 30 * time.Second, Factor: 2, Timeout: 30 * time.Minute}
	GrantPolicy      = PollPolicy{Stage: "the subscription grants", Initial: 10 * time.Second, Max: time.Minute, Factor: 1.5, Timeout: time.Hour}
	QueryPolicy      = PollPolicy{Stage: "the Athena queries", Initial: 2 * time.Second, Max: 15 * time.Second, Factor: 1.5, Timeout: 30 * time.Minute}
)

// Begin starts a wait loop at now.
func (p PollPolicy) Begin(now time.Time) Poll {
	return Poll{Since: now, WaitSeconds: seconds(p.Initial)}
}

// Next is the poll after one more not-done check at now, or a *WaitTimeoutError once waiting
// longer would pass the timeout. still says what is not done yet, for the error.
func (p PollPolicy) Next(cur Poll, now time.Time, still string) (Poll, error) {
	if cur.Since.IsZero() {
		cur = p.Begin(now)
	}
	wait := time.Duration(float64(p.Initial) * math.Pow(p.Factor, float64(cur.Attempt+1)))
	if wait > p.Max || wait <= 0 {
		wait = p.Max
	}
	waited := now.Sub(cur.Since)
	if waited+wait > p.Timeout {
		return cur, &WaitTimeoutError{Stage: p.Stage, Waited: waited, Still: still}
	}
	return Poll{Attempt: cur.Attempt + 1, WaitSeconds: seconds(wait), Since: cur.Since}, nil
}

// Done ends a wait loop.
func (p PollPolicy) Done(cur Poll) Poll {
	return Poll{Done: true, Attempt: cur.Attempt, Since: cur.Since}
}

// Poll is the state of the current wait loop.
type Poll struct {
	Done        bool      `json:"done"`
	Attempt     int       `json:"attempt"`
	WaitSeconds int       `json:"waitSeconds"`
	Since       time.Time `json:"since,omitempty"`
}

func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }
