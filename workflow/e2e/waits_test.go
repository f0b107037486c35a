package e2e_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/infra"
	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
	"github.com/dzonboard/dzonboard/workflow/local"
)

// stageCost is what one stage of an onboarding cost: Lambda invocations, the Lambda time they
// took and the part of it spent waiting inside the task (in-task looks), and state transitions.
type stageCost struct {
	invocations int
	lambda      time.Duration
	waiting     time.Duration
	transitions int
}

// handlerFunc adapts a function to lambda.Handler.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// measureWaits onboards one table of world and measures each stage.
func measureWaits(tb testing.TB, world string) (map[string]*stageCost, time.Duration) {
	sb, cfg := sandboxtest.Start(tb, sandboxtest.World(tb, world), sandbox.Options{Seed: 7})
	costs := map[string]*stageCost{}
	for _, task := range workflow.Tasks {
		costs[task] = &stageCost{}
	}
	current := ""
	sleep := func(ctx context.Context, d time.Duration) error {
		costs[current].waiting += d
		return sb.Sleep(ctx, d)
	}
	handlers := map[string]lambda.Handler{}
	for name, h := range registry.Handlers(registry.Options{Config: cfg, Now: sb.Now, Sleep: sleep, StateBucket: sb.World().StateBucketName()}) {
		handlers[name] = handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			current = name
			start := sb.Now()
			defer func() { costs[name].invocations++; costs[name].lambda += sb.Now().Sub(start) }()
			return h.Invoke(ctx, payload)
		})
	}
	start := sb.Now()
	res, err := local.Run(context.Background(), local.Options{
		ASL: dzonboard.StateMachineASL, Handlers: handlers, Input: exampleInput(tb, nil), Advance: sb.Advance, Now: sb.Now,
	})
	if err != nil || res.Status != local.StatusSucceeded {
		tb.Fatalf("run: %v %s %s", err, res.Error, res.Cause)
	}
	for _, state := range res.Path {
		stage := strings.TrimSuffix(strings.TrimSuffix(state, " done?"), " wait")
		if c, ok := costs[stage]; ok {
			c.transitions++
		}
	}
	return costs, sb.Now().Sub(start)
}

// BenchmarkWaits onboards examples/sandbox.json on the default and the slow world (its ns/op is
// the real-time cost of one whole onboarding) and prints, per stage, the
// Lambda invocations, the Lambda GB-seconds (at each function's memory, infra.MemoryMB) and the part of them spent
// waiting inside the task, and the state transitions: the measurements behind README "Waiting:
// polling, not events".
func BenchmarkWaits(b *testing.B) {
	for _, world := range []string{"default", "slow"} {
		b.Run(world, func(b *testing.B) {
			var costs map[string]*stageCost
			var total time.Duration
			for b.Loop() {
				costs, total = measureWaits(b, world)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "world %s, simulated %s\t\t\t\t\t\n", world, total)
			fmt.Fprintln(tw, "stage\tinvocations\tLambda s\twaiting in task s\tGB-s\ttransitions\t")
			var sum stageCost
			var gbs float64
			for _, task := range workflow.Tasks {
				c := costs[task]
				gb := c.lambda.Seconds() * infra.MemoryMB(task) / 1024
				gbs += gb
				fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.1f\t%d\t\n", task, c.invocations, c.lambda.Seconds(), c.waiting.Seconds(), gb, c.transitions)
				sum.invocations += c.invocations
				sum.lambda += c.lambda
				sum.waiting += c.waiting
				sum.transitions += c.transitions
			}
			fmt.Fprintf(tw, "total\t%d\t%.0f\t%.0f\t%.1f\t%d\t\n", sum.invocations, sum.lambda.Seconds(), sum.waiting.Seconds(), gbs, sum.transitions)
			tw.Flush()
			b.ReportMetric(sum.waiting.Seconds(), "lambda-wait-s/op")
			b.ReportMetric(float64(sum.transitions), "stage-transitions/op")
		})
	}
}
