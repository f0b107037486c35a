package main

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow/local"
)

// defaultWorld is the world run-local and sandbox serve use when --world is not given, relative
// to the repository root.
const defaultWorld = "examples/sandbox-world.json"

// The sandbox's region and the static credentials of the local run's task role. The sandbox
// does not know the key, so it acts as the world's default identity.
const (
	sandboxRegion    = "us-east-1"
	sandboxAccessKey = "AKIDLOCAL"
	sandboxSecret    = "local"
)

// sandboxFlags are the flags run-local and sandbox serve share.
type sandboxFlags struct {
	world  string
	faults string
	seed   int64
}

// newSandbox builds a sandbox from the flags. Every error is the user's to fix (bad usage).
func newSandbox(f sandboxFlags) (*sandbox.Sandbox, error) {
	w, err := sandbox.LoadWorld(f.world)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("world file %s not found: run from the repository root or pass --world", f.world)
	}
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	faults, err := sandbox.ParseFaults(f.faults)
	if err != nil {
		return nil, fmt.Errorf("--faults: %w", err)
	}
	sb, err := sandbox.New(w, sandbox.Options{Faults: faults, Seed: f.seed})
	if err != nil {
		return nil, fmt.Errorf("start sandbox from %s: %w", f.world, err)
	}
	return sb, nil
}

// sandboxConfig is the AWS configuration of clients that call the sandbox at endpoint: region
// us-east-1, static credentials, an HTTP client through which run-local --crash can end a task
// invocation, and a standard retryer with a 1 ms backoff and no retry quota, so injected
// throttling and 5xx faults are retried at once.
func sandboxConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       sandboxRegion,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(sandboxAccessKey, sandboxSecret, "")),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   local.CrashClient(awshttp.NewBuildableClient()),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
}
