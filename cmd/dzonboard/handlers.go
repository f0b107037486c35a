package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard/tasks/registry"
)

// taskHandlers are the real task workers, wired to cfg and the given clock, by task name. Rate
// pacing does not sleep: time is virtual in a local run.
func taskHandlers(cfg aws.Config, now func() time.Time) map[string]lambda.Handler {
	return registry.Handlers(registry.Options{Config: cfg, Now: now, Sleep: noSleep})
}

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }
