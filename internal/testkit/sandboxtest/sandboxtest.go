package sandboxtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dzonboard/dzonboard/internal/repo"
	"github.com/dzonboard/dzonboard/sandbox"
)

// AccessKeyID and SecretAccessKey are the static credentials of the returned aws.Config. The
// sandbox does not know the key, so it acts as the world's default identity.
const (
	AccessKeyID     = "AKIDSANDBOX"
	SecretAccessKey = "secret"
	Region          = "us-east-1"
)

// Start builds a sandbox from w, serves it on 127.0.0.1 until the test ends, and returns it with
// an aws.Config for it: region us-east-1, static credentials, BaseEndpoint set, and a standard
// retryer (3 attempts) that never sleeps and has no retry quota.
func Start(t testing.TB, w *sandbox.World, opt sandbox.Options) (*sandbox.Sandbox, aws.Config) {
	t.Helper()
	sb, err := sandbox.New(w, opt)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	srv, err := sb.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("sandboxtest: %v", err)
		}
	})
	return sb, Config(srv.Endpoint)
}

// Config returns an aws.Config for a sandbox at endpoint.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   awshttp.NewBuildableClient(),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// As returns a copy of cfg that signs with other static credentials, e.g. an access key the
// world maps to a role, or credentials from DataZone GetEnvironmentCredentials.
func As(cfg aws.Config, accessKeyID, secretAccessKey, sessionToken string) aws.Config {
	c := cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken)
	return c
}

// World loads a world file of the repository: "default" is examples/sandbox-world.json, any other
// name examples/worlds/<name>.json. The repository is found by walking up from the test's
// directory to go.mod.
func World(t testing.TB, name string) *sandbox.World {
	t.Helper()
	path, err := WorldPath(name)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	w, err := sandbox.LoadWorld(path)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	return w
}

// WorldPath returns the path of a named world file (see World).
func WorldPath(name string) (string, error) {
	root, err := repo.Root()
	if err != nil {
		return "", err
	}
	if name == "default" {
		return filepath.Join(root, "examples", "sandbox-world.json"), nil
	}
	return filepath.Join(root, "examples", "worlds", name+".json"), nil
}

// ScaleWorld is the default world with a data set of n tables: its crawler finds n folders
// sales/orders_00001/ ... under the data bucket, each holding one small CSV of rows orders
// (the shape of the sample data). The folders are written under a temporary directory of the
// test.
func ScaleWorld(t testing.TB, n, rows int) *sandbox.World {
	t.Helper()
	w := World(t, "default")
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("order_id,customer_id,region,product,quantity,unit_price,ordered_at\n")
	for i := range rows {
		fmt.Fprintf(&csv, "o%06d,c%04d,%s,widget,%d,%d.50,2026-01-%02d\n", i, i%97, []string{"EU", "US", "APAC"}[i%3], 1+i%5, 10+i%7, 1+i%28)
	}
	for i := 1; i <= n; i++ {
		folder := filepath.Join(dir, "sales", fmt.Sprintf("orders_%05d", i))
		if err := os.MkdirAll(folder, 0o755); err != nil {
			t.Fatalf("sandboxtest: %v", err)
		}
		if err := os.WriteFile(filepath.Join(folder, "part-0.csv"), []byte(csv.String()), 0o644); err != nil {
			t.Fatalf("sandboxtest: %v", err)
		}
	}
	for i := range w.Buckets {
		if w.Buckets[i].Name == "acme-sales-data" {
			w.Buckets[i].Dir = dir
		}
	}
	return w
}
