package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
)

// fakeOutput is the execution output the fake Report task returns.
var fakeOutput = workflow.Output{
	Status: "SUCCEEDED", DomainID: "dzd_5xk2q8m1v3c9tb", ProjectID: "b3n7k2q9x1m4zd", EnvironmentID: "c8m2v7k4q1x9tn",
	GlueDatabase: "acme_sales", S3Location: "s3://acme-sales-data/sales/", DataSourceID: "ds1", DataSourceRunID: "run1",
	SubscriptionDatabase: "sales_env_sub_db", Workgroup: "sales_env-wg",
	Tables: []workflow.TableReport{{GlueTable: "orders", AssetID: "a1", ListingID: "l1", SubscribedTable: "orders_x",
		RowCount: 1000, Columns: []string{"order_id", "region"}, QueryIDs: []string{"q1"}}},
	Timings: workflow.Timings{TotalSeconds: 30},
}

// fakeHandlers answer the real state machine without AWS: Preflight checks that the sandbox
// answers at cfg's endpoint; Crawl asks for one 30 s wait, then says done; every other task says
// done.
// failPreflight makes Preflight fail with a PreflightError.
func fakeHandlers(t *testing.T, failPreflight bool, calls *[]string) func(registry.Options) map[string]lambda.Handler {
	return func(opt registry.Options) map[string]lambda.Handler {
		cfg, now := opt.Config, opt.Now
		h := map[string]lambda.Handler{}
		crawls := 0
		for _, task := range workflow.Tasks {
			h[task] = lambda.NewHandler(func(ctx context.Context, in map[string]any) (any, error) {
				*calls = append(*calls, fmt.Sprintf("%s@%s", task, now().Format("15:04:05")))
				switch task {
				case workflow.TaskPreflight:
					out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
					if err != nil {
						return nil, fmt.Errorf("preflight: the sandbox does not answer: %w", err)
					}
					if failPreflight {
						return nil, &workflow.PreflightError{Problems: []workflow.Problem{
							{Field: "projectId", Problem: "role X is not a member.", Fix: "add it."},
							{Problem: "crawler c is missing."},
						}}
					}
					return map[string]any{"plan": map[string]any{"skipCrawl": false, "accountId": aws.ToString(out.Account)}, "poll": map[string]any{}}, nil
				case workflow.TaskCrawl:
					crawls++
					in["poll"] = map[string]any{"done": crawls > 1, "waitSeconds": 30}
				case workflow.TaskReport:
					return fakeOutput, nil
				default:
					in["poll"] = map[string]any{"done": true}
				}
				return in, nil
			})
		}
		return h
	}
}

func TestRunLocal(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	wantJSON, _ := json.Marshal(fakeOutput)
	var report strings.Builder
	writeReport(&report, wantJSON, 0, "simulated")
	tests := []struct {
		name          string
		failPreflight bool
		args          []string
		wantCode      int
		wantStdout    string
		wantStderr    []string
		wantCalls     []string
	}{
		{
			name:       "succeeded: the report on stdout, progress in simulated time on stderr",
			args:       []string{"--input", repo + "examples/sandbox.json", "--world", repo + "examples/sandbox-world.json"},
			wantCode:   exitOK,
			wantStdout: report.String(),
			wantStderr: []string{
				"+00:00:00  Preflight  entered\n",
				"+00:00:00  Crawl wait  waiting  30s\n",
				"+00:00:30  Crawl  entered\n",
				"+00:00:30  Report  succeeded  SUCCEEDED, 1 table\n",
				"+00:00:30  SUCCEEDED\n",
				"22 state transitions, 79 history events, simulated 00:00:30\n",
			},
			wantCalls: []string{"Preflight@09:00:00", "LakeFormation@09:00:00", "Crawl@09:00:00", "Crawl@09:00:30",
				"Tables@09:00:30", "DataSource@09:00:30", "Run@09:00:30", "Publish@09:00:30",
				"Subscribe@09:00:30", "Verify@09:00:30", "Report@09:00:30"},
		},
		{
			name:       "--json prints the execution output",
			args:       []string{"--input", repo + "examples/sandbox.json", "--world", repo + "examples/sandbox-world.json", "--json"},
			wantCode:   exitOK,
			wantStdout: indentJSON(t, wantJSON),
		},
		{
			name:          "failed: exit 1, the error and its message on stderr, nothing on stdout",
			failPreflight: true,
			args:          []string{"--input", repo + "examples/sandbox.json", "--world", repo + "examples/sandbox-world.json", "--json"},
			wantCode:      exitFailed,
			wantStderr: []string{
				"+00:00:00  Preflight  failed  PreflightError: the account is not ready for onboarding (2 problems):\n",
				"+00:00:00  Onboarding failed  failed  PreflightError\n" +
					"+00:00:00  FAILED  PreflightError\n" +
					"  the account is not ready for onboarding (2 problems):\n" +
					"  - projectId: role X is not a member. Fix: add it.\n" +
					"  - crawler c is missing.\n",
			},
			wantCalls: []string{"Preflight@09:00:00"},
		},
		{
			name:       "no world file",
			args:       []string{"--input", repo + "examples/sandbox.json", "--world", "examples/sandbox-world.json"},
			wantCode:   exitUsage,
			wantStderr: []string{"dzonboard run-local: world file examples/sandbox-world.json not found: run from the repository root or pass --world\n"},
		},
		{
			name:       "input that is not JSON",
			args:       []string{"--input", "-"},
			wantCode:   exitUsage,
			wantStderr: []string{"dzonboard run-local: input - is not JSON\n"},
		},
		{
			name:       "bad faults",
			args:       []string{"--input", repo + "examples/sandbox.json", "--world", repo + "examples/sandbox-world.json", "--faults", "glue:x"},
			wantCode:   exitUsage,
			wantStderr: []string{"dzonboard run-local: --faults: "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			a := newApp(nil, nil, nil)
			a.handlers = fakeHandlers(t, tt.failPreflight, &calls)
			a.isTTY = func(io.Writer) bool { return false }
			r := runApp(t, a, "{", append([]string{"run-local"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != tt.wantStdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, tt.wantStdout)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if tt.wantCalls != nil && strings.Join(calls, " ") != strings.Join(tt.wantCalls, " ") {
				t.Errorf("task calls (at virtual time):\n%q\nwant\n%q", calls, tt.wantCalls)
			}
		})
	}
}

func indentJSON(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	return out.String() + "\n"
}
