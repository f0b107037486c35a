package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow/local"
)

// BenchmarkOnboarding is the real-time cost of one whole onboarding of examples/sandbox.json on a
// fresh sandbox: the ASL engine, every task handler, every SDK call over loopback and every
// Athena query on DuckDB (about 5.5 minutes of simulated time). Target: well under a second.
func BenchmarkOnboarding(b *testing.B) {
	input := exampleInput(b, nil)
	world := sandboxtest.World(b, "default")
	var simulated time.Duration
	for b.Loop() {
		sb, cfg := sandboxtest.Start(b, world, sandbox.Options{Seed: 7})
		start := sb.Now()
		res, err := local.Run(context.Background(), local.Options{
			ASL:      dzonboard.StateMachineASL,
			Handlers: registry.Handlers(registry.Options{Config: cfg, Now: sb.Now, Sleep: sb.Sleep, StateBucket: sb.World().StateBucketName()}),
			Input:    input,
			Advance:  sb.Advance,
			Now:      sb.Now,
		})
		if err != nil || res.Status != local.StatusSucceeded {
			b.Fatalf("run: %v %s %s", err, res.Error, res.Cause)
		}
		simulated = sb.Now().Sub(start)
	}
	b.ReportMetric(simulated.Seconds(), "simulated-s/op")
}
