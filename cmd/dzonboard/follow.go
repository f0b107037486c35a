package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/asl"
	"github.com/dzonboard/dzonboard/internal/progress"
)

// follow shows the progress of an execution in AWS until it ends, then prints its output.
func (a *app) follow(ctx context.Context, args []string) int {
	fs := a.flagSet("follow", "follow --execution-arn ARN [--exit-status] [--report FILE]",
		"Follows an execution of the onboarding state machine in AWS: polls its history, shows each\n"+
			"state event on stderr (the same lines as run-local), and prints the execution output to\n"+
			"stdout when it ends. The output lists the first 10 tables; --report writes the full report\n"+
			"(every table, read from the state bucket with s3:GetObject) to FILE.")
	arn := fs.String("execution-arn", "", "`ARN` of the execution")
	exitStatus := fs.Bool("exit-status", false, "exit 1 unless the execution SUCCEEDED")
	report := fs.String("report", "", "write the full report (every table) to `FILE`")
	if status, ok := a.parse(fs, args, "execution-arn"); !ok {
		return status
	}
	client, err := a.newSFN(ctx)
	if err != nil {
		return a.errorf(exitFailed, "follow", "%v", err)
	}
	return a.followExecution(ctx, client, *arn, *exitStatus, *report)
}

// followExecution polls DescribeExecution and GetExecutionHistory (through the SDK paginator)
// every pollInterval, rendering each new history event, until the execution is no longer
// RUNNING. With exitStatus, an execution that did not succeed exits 1. With report, the full
// report is then written to that file.
func (a *app) followExecution(ctx context.Context, api followAPI, arn string, exitStatus bool, report string) int {
	describe := func() (*sfn.DescribeExecutionOutput, error) {
		out, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("describe execution %s: %w", arn, err)
		}
		return out, nil
	}
	desc, err := describe()
	if err != nil {
		return a.errorf(exitFailed, "follow", "%v", err)
	}
	r := progress.NewRenderer(a.stderr, a.isTTY(a.stderr), aws.ToTime(desc.StartDate))
	def, _ := asl.Parse(dzonboard.StateMachineASL) // only for Wait durations; nil is fine
	h := newHistory(def)
	var last int64
	for {
		p := sfn.NewGetExecutionHistoryPaginator(api, &sfn.GetExecutionHistoryInput{
			ExecutionArn:         aws.String(arn),
			IncludeExecutionData: aws.Bool(true),
			MaxResults:           1000,
		}, func(o *sfn.GetExecutionHistoryPaginatorOptions) { o.StopOnDuplicateToken = true })
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return a.errorf(exitFailed, "follow", "get execution history of %s: %v", arn, err)
			}
			for _, ev := range page.Events {
				if ev.Id <= last {
					continue
				}
				last = ev.Id
				for _, e := range h.events(ev) {
					r.Event(e)
				}
			}
		}
		// The history was read after desc said the execution had ended: it is complete.
		if desc.Status != types.ExecutionStatusRunning {
			break
		}
		if err := a.sleep(ctx, a.pollInterval); err != nil {
			return a.errorf(exitFailed, "follow", "%v", err)
		}
		if desc, err = describe(); err != nil {
			return a.errorf(exitFailed, "follow", "%v", err)
		}
	}
	r.Done(string(desc.Status), aws.ToString(desc.Error), aws.ToString(desc.Cause))
	if out := aws.ToString(desc.Output); out != "" {
		var b bytes.Buffer
		if json.Indent(&b, []byte(out), "", "  ") != nil {
			b.Reset()
			b.WriteString(out)
		}
		b.WriteString("\n")
		_, _ = b.WriteTo(a.stdout)
	}
	if report != "" {
		api, err := a.newS3(ctx)
		if err == nil {
			err = saveReport(ctx, api, reportURI([]byte(aws.ToString(desc.Output)), aws.ToString(desc.Cause)), report)
		}
		if err != nil {
			return a.errorf(exitFailed, "follow", "%v", err)
		}
	}
	if exitStatus && desc.Status != types.ExecutionStatusSucceeded {
		return exitFailed
	}
	return exitOK
}
