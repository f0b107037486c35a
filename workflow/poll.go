package workflow

import (
	"math"
	"time"
)

// PollPolicy is how a stage waits for AWS. Inside one invocation of its task it looks again every
// Every, for at most Within (paid in Lambda time, so that a wait that ends soon after a look is
// noticed within seconds); when that is not enough it returns, and the state machine's Wait state
// waits Initial before the next invocation, then longer by Factor up to Max. It gives up after
// Timeout without progress: since the loop began or an item last settled, so that a stage of
// 10,000 tables that settles a few every minute waits as long as it needs, and one stuck item
// fails the run after Timeout.
type PollPolicy struct {
	Every   time.Duration
	Within  time.Duration
	Initial time.Duration
	Max     time.Duration
	Factor  float64
	Timeout time.Duration
}

// Policies are the polling policies of the waiting stages, by stage. The timeouts follow how long
// each thing takes in a real account; the in-task looks are a few seconds apart for up to a
// minute, and the Wait state between invocations is capped at a minute, so a stage is noticed at
// most a minute after it ends and usually within seconds.
var Policies = map[string]PollPolicy{
	// Tables does not wait for AWS: it loops only to go on where an invocation stopped near its
	// deadline (revoking IAMAllowedPrincipals from thousands of tables), a second later.
	TaskTables:     {Every: time.Second, Within: time.Minute, Initial: time.Second, Max: time.Second, Factor: 1, Timeout: time.Hour},
	TaskCrawl:      {Every: 2 * time.Second, Within: time.Minute, Initial: 10 * time.Second, Max: time.Minute, Factor: 1.5, Timeout: 3 * time.Hour},
	TaskDataSource: {Every: 2 * time.Second, Within: time.Minute, Initial: 5 * time.Second, Max: 30 * time.Second, Factor: 1.5, Timeout: 30 * time.Minute},
	TaskRun:        {Every: 2 * time.Second, Within: time.Minute, Initial: 10 * time.Second, Max: time.Minute, Factor: 1.5, Timeout: 2 * time.Hour},
	TaskPublish:    {Every: 2 * time.Second, Within: time.Minute, Initial: 5 * time.Second, Max: 30 * time.Second, Factor: 2, Timeout: 30 * time.Minute},
	TaskSubscribe:  {Every: 2 * time.Second, Within: time.Minute, Initial: 10 * time.Second, Max: time.Minute, Factor: 1.5, Timeout: time.Hour},
	TaskVerify:     {Every: time.Second, Within: time.Minute, Initial: 2 * time.Second, Max: 15 * time.Second, Factor: 1.5, Timeout: 30 * time.Minute},
}

// ExecutionTimeout is the state machine's TimeoutSeconds (a test keeps them equal). A Step
// Functions timeout cannot be caught, so a wait loop gives up with a named error ExecutionReserve
// before it.
const ExecutionTimeout = 6 * time.Hour

// ExecutionReserve is how long before ExecutionTimeout a wait loop gives up.
const ExecutionReserve = 5 * time.Minute

// Begin starts a wait loop at now.
func (p PollPolicy) Begin(now time.Time) Poll {
	return Poll{Since: now, WaitSeconds: seconds(p.Initial)}
}

// Next is the poll after one more invocation that is not done, at now, or a *WaitTimeoutError of
// stage once waiting longer would pass the timeout. still says what is not done yet, for the
// error.
func (p PollPolicy) Next(stage string, cur Poll, now time.Time, still string) (Poll, error) {
	if cur.Since.IsZero() {
		cur = p.Begin(now)
	}
	wait := time.Duration(float64(p.Initial) * math.Pow(p.Factor, float64(cur.Attempt)))
	if wait > p.Max || wait <= 0 {
		wait = p.Max
	}
	idle := cur.Idle(now)
	if idle+wait > p.Timeout {
		return cur, &WaitTimeoutError{Stage: stage, Waited: idle, Still: still}
	}
	return Poll{Attempt: cur.Attempt + 1, WaitSeconds: seconds(wait), Since: cur.Since, Remaining: cur.Remaining, Progressed: cur.Progressed}, nil
}

// Done ends a wait loop.
func (p PollPolicy) Done(cur Poll) Poll {
	return Poll{Done: true, Attempt: cur.Attempt, Since: cur.Since}
}

// Poll is the state of the current wait loop. Choice states read Done; Wait states read
// WaitSeconds.
type Poll struct {
	Done        bool      `json:"done"`
	Attempt     int       `json:"attempt"`
	WaitSeconds int       `json:"waitSeconds"`
	Since       time.Time `json:"since,omitempty"`
	// Remaining is how many items waited at the loop's last look, and Progressed when that
	// number last went down (or the first look): the timeout counts from then.
	Remaining  int       `json:"remaining,omitempty"`
	Progressed time.Time `json:"progressed,omitempty"`
}

// Idle is how long the loop has gone without progress at now: since it began or an item last
// settled.
func (p Poll) Idle(now time.Time) time.Duration {
	if p.Progressed.After(p.Since) {
		return now.Sub(p.Progressed)
	}
	return now.Sub(p.Since)
}

func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }
