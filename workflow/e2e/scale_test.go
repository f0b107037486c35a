package e2e_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
	"github.com/dzonboard/dzonboard/workflow/local"
)

// scale10k adds the 10,000-table run to BenchmarkScale (make bench-10k).
var scale10k = flag.Bool("scale10k", false, "BenchmarkScale also onboards 10,000 tables")

// scaleRow is one onboarding of BenchmarkScale.
type scaleRow struct {
	tables      int
	status      string
	real        time.Duration
	simulated   time.Duration
	transitions int
	history     int
	payload     int
	calls       int
	stages      []workflow.StageTimeReport
	// report is the full report the run wrote to the state bucket.
	report workflow.Output
}

// onboardScale onboards a world of n tables (tables ["orders*"], no user query) on a fresh
// sandbox and measures it.
func onboardScale(tb testing.TB, n int) scaleRow {
	world := sandboxtest.ScaleWorld(tb, n, 10)
	input := exampleInput(tb, func(m map[string]any) {
		m["verify"] = map[string]any{"minRows": 1, "sampleRows": 1}
	})
	sb, cfg := sandboxtest.Start(tb, world, sandbox.Options{Seed: 7})
	start, began := sb.Now(), time.Now()
	res, err := local.Run(context.Background(), local.Options{
		ASL:      dzonboard.StateMachineASL,
		Handlers: registry.Handlers(registry.Options{Config: cfg, Now: sb.Now, Sleep: sb.Sleep, StateBucket: sb.World().StateBucketName()}),
		Input:    input,
		Advance:  sb.Advance,
		Now:      sb.Now,
	})
	if err != nil {
		tb.Fatalf("run: %v", err)
	}
	row := scaleRow{
		tables: n, status: res.Status, real: time.Since(began), simulated: sb.Now().Sub(start),
		transitions: res.Transitions, history: res.HistoryEvents, payload: res.LargestPayload,
		calls: len(sb.JournalAll()),
	}
	if res.Status != local.StatusSucceeded {
		tb.Errorf("%d tables: %s %s\n%s", n, res.Status, res.Error, res.Cause)
		return row
	}
	var out workflow.Output
	if err := json.Unmarshal(res.Output, &out); err != nil || out.TableCount != n || len(out.Tables) != min(n, workflow.InlineTables) {
		tb.Errorf("%d tables: output %s (%v), want tableCount %d", n, res.Output, err, n)
	}
	row.stages = out.Timings.Stages
	row.report = fullReport(tb, cfg, out.ReportURI)
	counted := 0
	for _, t := range row.report.Tables {
		if t.RowCount == 10 {
			counted++
		}
	}
	if counted != n {
		tb.Errorf("%d tables: the full report has %d tables with their 10 rows counted, want every one", n, counted)
	}
	return row
}

// BenchmarkScale onboards 1, 100 and 1,000 tables (and 10,000 with -scale10k) and prints the
// scale table of README "Scale": real and simulated time, state transitions, estimated history
// events, the largest state payload and AWS calls per table.
func BenchmarkScale(b *testing.B) {
	sizes := []int{1, 100, 1000}
	if *scale10k {
		sizes = append(sizes, 10000)
	}
	var rows []scaleRow
	for _, n := range sizes {
		b.Run(fmt.Sprintf("tables=%d", n), func(b *testing.B) {
			var row scaleRow
			for b.Loop() {
				row = onboardScale(b, n)
			}
			b.ReportMetric(row.simulated.Seconds(), "simulated-s/op")
			b.ReportMetric(float64(row.transitions), "transitions/op")
			b.ReportMetric(float64(row.history), "history-events/op")
			b.ReportMetric(float64(row.payload), "max-payload-B/op")
			b.ReportMetric(float64(row.calls)/float64(n), "aws-calls/table")
			rows = append(rows, row)
		})
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tables\tstatus\treal s\tsimulated s\ttransitions\thistory events\tlargest payload B\tAWS calls/table\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%.1f\t%.0f\t%d\t%d\t%d\t%.1f\t\n", r.tables, r.status, r.real.Seconds(), r.simulated.Seconds(),
			r.transitions, r.history, r.payload, float64(r.calls)/float64(r.tables))
	}
	tw.Flush()
	for _, r := range rows {
		var stages []string
		for _, st := range r.stages {
			stages = append(stages, fmt.Sprintf("%s %.0f", st.Stage, st.Seconds))
		}
		fmt.Printf("%d tables, simulated seconds by stage: %s\n", r.tables, strings.Join(stages, ", "))
	}
}

// The state stays bounded as tables grow: 150 tables (a third of what once filled the 256 KiB
// state) onboard within twice the state transitions of one, with no state payload over 32 KiB,
// and the full report in the state bucket lists every table with its row count.
func TestScaleStaysBounded(t *testing.T) {
	const n = 150
	one, many := onboardScale(t, 1), onboardScale(t, n)
	if many.status != local.StatusSucceeded {
		t.Fatalf("%d tables: %s", n, many.status)
	}
	if many.transitions > 2*one.transitions {
		t.Errorf("%d tables took %d state transitions, one took %d: want at most twice", n, many.transitions, one.transitions)
	}
	if many.payload > 32*1024 {
		t.Errorf("largest state payload %d bytes, want at most 32 KiB", many.payload)
	}
	if len(many.report.Tables) != n || many.report.TableCount != n {
		t.Fatalf("full report: %d tables (tableCount %d), want %d", len(many.report.Tables), many.report.TableCount, n)
	}
	for _, tb := range many.report.Tables {
		if tb.RowCount != 10 || tb.SubscribedTable == "" {
			t.Errorf("table %s: %d rows in %q, want 10 rows in a subscribed table", tb.GlueTable, tb.RowCount, tb.SubscribedTable)
		}
	}
}

// fullReport reads the full report at uri from the sandbox's state bucket.
func fullReport(tb testing.TB, cfg aws.Config, uri string) workflow.Output {
	tb.Helper()
	bucket, key, _ := strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	obj, err := awsapi.NewClients(cfg).S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		tb.Fatalf("read the report %s: %v", uri, err)
	}
	defer obj.Body.Close()
	var out workflow.Output
	if err := json.NewDecoder(obj.Body).Decode(&out); err != nil {
		tb.Fatalf("decode the report %s: %v", uri, err)
	}
	return out
}
