package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard/tasks/registry"
)

// taskHandlers are the real task workers, wired to cfg and the given clock (the sandbox's virtual
// one: its sleeps let virtual time pass), by task name.
func taskHandlers(cfg aws.Config, now func() time.Time, sleep func(context.Context, time.Duration) error) map[string]lambda.Handler {
	return registry.Handlers(registry.Options{Config: cfg, Now: now, Sleep: sleep})
}
