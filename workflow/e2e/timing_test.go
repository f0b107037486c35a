package e2e_test

import (
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

// criticalPath is the sum of the world's service durations the onboarding of one table must wait
// for one after the other: the crawl (its start, then the crawl), the data source's creation and
// run, the listing, DataZone's fulfilment and the grant, and the verification queries (which run
// side by side).
func criticalPath(d sandbox.Durations) time.Duration {
	return d.CrawlStartDelay.Duration + d.Crawl.Duration + d.DataSourceCreate.Duration + d.DataSourceRun.Duration +
		d.Listing.Duration + d.Fulfilment.Duration + d.Grant.Duration + d.Query.Duration
}

// Every wait ends within seconds of the service: the whole onboarding takes at most 10% longer
// than the services it waits for, on the default world and on one with a 20-minute crawl, a
// 15-minute run and a 5-minute grant, in a bounded number of state transitions.
func TestWaitsEndWithTheWork(t *testing.T) {
	tests := []struct {
		world           string
		maxTransitions  int
		wantCriticalMin time.Duration // guards the world: a shortened slow world would pass trivially
	}{
		{world: "default", maxTransitions: 60, wantCriticalMin: 3 * time.Minute},
		{world: "slow", maxTransitions: 100, wantCriticalMin: 40 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.world, func(t *testing.T) {
			t.Parallel()
			o := newOnboarding(t, tt.world, sandbox.Options{})
			critical := criticalPath(sandboxtest.World(t, tt.world).Durations)
			if critical < tt.wantCriticalMin {
				t.Fatalf("the world's critical path is %s, want at least %s", critical, tt.wantCriticalMin)
			}
			res := o.run(exampleInput(t, nil))
			out := output(t, res)
			total := time.Duration(out.Timings.TotalSeconds * float64(time.Second))
			if ratio := total.Seconds() / critical.Seconds(); ratio > 1.10 || ratio < 1 {
				t.Errorf("simulated %s for services taking %s: ratio %.3f, want within [1, 1.10]", total, critical, ratio)
			}
			if res.Transitions > tt.maxTransitions {
				t.Errorf("%d state transitions, want at most %d", res.Transitions, tt.maxTransitions)
			}
		})
	}
}
