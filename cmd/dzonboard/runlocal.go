package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/progress"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/deploy"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
	"github.com/dzonboard/dzonboard/workflow/local"
)

// runLocal runs the workflow on aws-local-stepfunctions with the real task handlers against an
// in-process sandbox: progress to stderr, the report (or with --json the execution output) to
// stdout.
func (a *app) runLocal(ctx context.Context, args []string) int {
	fs := a.flagSet("run-local", "run-local --input FILE [--template FILE] [--world FILE] [--faults SPEC] [--seed N] [--crash STATE:N] [--json] [--report FILE]",
		"Runs the onboarding workflow (statemachine.asl.json) on this machine against the local sandbox:\n"+
			"the real task handlers answer every Task state, and every Wait advances the sandbox's virtual\n"+
			"clock, so a run that takes an hour in AWS takes seconds. Progress (simulated time) goes to\n"+
			"stderr; the report, or with --json the execution output, to stdout. Both list the first 10\n"+
			"tables; --report writes the full report (every table, from the sandbox's state bucket) to FILE.\n"+
			"With --template (a synthesized build/cdk.out/<Stack>.template.json, from `make synth`) the\n"+
			"template is first deployed into the sandbox (one line per step on stderr) and each task calls\n"+
			"AWS as the role its function has in the template, so the sandbox allows only what the\n"+
			"template's IAM policies allow; without it every task acts as the world's administrator.\n"+
			"Needs Node.js 20+ and `npm ci` run in the repository.\n"+
			"Exit status: 0 SUCCEEDED, 1 FAILED, 2 bad usage.")
	input := fs.String("input", "", "execution input JSON `file` (- for stdin)")
	template := fs.String("template", "", "synthesized CloudFormation template `file` to deploy into the sandbox and run the tasks as its roles")
	var sf sandboxFlags
	fs.StringVar(&sf.world, "world", defaultWorld, "sandbox world `file`")
	fs.StringVar(&sf.faults, "faults", "", "inject faults, e.g. `datazone:AcceptSubscriptionRequest=throttle@0.3,glue:*=5xx@0.1`")
	fs.Int64Var(&sf.seed, "seed", 0, "seed of generated IDs and fault decisions")
	asJSON := fs.Bool("json", false, "print the execution output JSON instead of the report")
	crash := fs.String("crash", "", "crash the first invocation of Task `STATE:N` right after its Nth AWS call returns (it fails as Lambda.Unknown; the state machine retries it)")
	verbose := fs.Bool("verbose", false, "also print the task workers' log lines on stderr")
	report := fs.String("report", "", "write the full report (every table) to `FILE`")
	if status, ok := a.parse(fs, args, "input"); !ok {
		return status
	}
	data, err := a.readInput(*input)
	if err != nil {
		return a.errorf(exitUsage, "run-local", "%v", err)
	}
	if !json.Valid(data) {
		return a.errorf(exitUsage, "run-local", "input %s is not JSON", *input)
	}
	plan, err := parseCrash(*crash)
	if err != nil {
		return a.usageError(fs, "--crash: %v", err)
	}
	var tmpl []byte
	if *template != "" {
		if tmpl, err = os.ReadFile(*template); err != nil {
			return a.errorf(exitUsage, "run-local", "read --template: %v", err)
		}
	}
	sb, err := newSandbox(sf)
	if err != nil {
		return a.errorf(exitUsage, "run-local", "%v", err)
	}
	srv, err := sb.Listen("127.0.0.1:0")
	if err != nil {
		return a.errorf(exitFailed, "run-local", "%v", err)
	}
	defer srv.Close()

	defer routeTaskLogs(a.stderr, *verbose)()
	opt := registry.Options{Config: sandboxConfig(srv.Endpoint), Now: sb.Now, Sleep: sb.Sleep, StateBucket: sb.World().StateBucketName()}
	if tmpl != nil {
		if err := deployTemplate(ctx, sb, tmpl, stackName(*template), data, &opt, a.stderr); err != nil {
			return a.errorf(exitFailed, "run-local", "%v", err)
		}
	}
	start := sb.Now()
	r := progress.NewRenderer(a.stderr, a.isTTY(a.stderr), start)
	res, err := local.Run(ctx, local.Options{
		ASL:      dzonboard.StateMachineASL,
		Handlers: a.handlers(opt),
		Input:    data,
		Advance:  sb.Advance,
		Now:      sb.Now,
		OnEvent:  r.Event,
		Crash:    plan,
	})
	if err != nil {
		return a.errorf(exitFailed, "run-local", "%v", err)
	}
	r.Done(res.Status, res.Error, res.Cause)
	r.Summary(res.Transitions, res.HistoryEvents, sb.Now().Sub(start))
	if *report != "" {
		if err := saveReport(ctx, awsapi.NewClients(sandboxConfig(srv.Endpoint)).S3, reportURI(res.Output, res.Cause), *report); err != nil {
			return a.errorf(exitFailed, "run-local", "%v", err)
		}
	}
	if res.Status != local.StatusSucceeded {
		return exitFailed
	}
	if *asJSON {
		var b bytes.Buffer
		if err := json.Indent(&b, res.Output, "", "  "); err != nil {
			return a.errorf(exitFailed, "run-local", "execution output: %v", err)
		}
		b.WriteString("\n")
		_, _ = b.WriteTo(a.stdout)
		return exitOK
	}
	writeReport(a.stdout, res.Output, sb.Now().Sub(start), "simulated")
	return exitOK
}

// deployTemplate deploys a synthesized template into the sandbox, as the world's administrator
// (opt.Config), printing one line per step to w, and gives each task of opt the credentials of
// its function's role and Preflight the Lake Formation role its function is told about. The
// one-time admin step, when the template makes no project membership, uses the input's domain
// and projects.
func deployTemplate(ctx context.Context, sb *sandbox.Sandbox, tmpl []byte, stack string, input []byte, opt *registry.Options, w io.Writer) error {
	in, _ := workflow.ParseInput(input) // a bad input fails Preflight with every problem listed
	projects := []string{in.ProjectID}
	for _, c := range in.Consumers {
		projects = append(projects, c.ProjectID)
	}
	d, err := deploy.Deploy(ctx, sb, tmpl, deploy.Options{
		StackName: stack, Config: opt.Config, DomainID: in.DomainID, ProjectIDs: projects, Log: w,
	})
	if err != nil {
		return err
	}
	*opt = d.Options(sb, opt.Config)
	return nil
}

// stackName is the stack a template file was synthesized for: cdk writes <Stack>.template.json.
func stackName(path string) string {
	return strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".json"), ".template")
}

// routeTaskLogs sends the task workers' logs (the default slog logger and the log package) to w
// when verbose, else nowhere, so they do not break the progress lines. It returns a func that
// restores the previous logging.
func routeTaskLogs(w io.Writer, verbose bool) (restore func()) {
	prev, prevOut, prevFlags := slog.Default(), log.Writer(), log.Flags()
	h := slog.DiscardHandler
	if verbose {
		h = slog.NewTextHandler(w, nil)
	}
	slog.SetDefault(slog.New(h))
	return func() {
		slog.SetDefault(prev)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
	}
}

// parseCrash reads --crash STATE:N ("" is no crash).
func parseCrash(spec string) (*local.Crash, error) {
	if spec == "" {
		return nil, nil
	}
	state, n, ok := strings.Cut(spec, ":")
	after, err := strconv.Atoi(n)
	if !ok || state == "" || err != nil || after < 1 {
		return nil, fmt.Errorf("%q is not STATE:N (a Task state and the AWS call, from 1, after which it crashes)", spec)
	}
	return &local.Crash{State: state, After: after}, nil
}
