package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

// writeReport prints the execution output for people: per table of the producer and of each
// consumer, the Glue table, asset, listing, subscribed table, row count and columns; the user
// queries; and the total time (elapsed when the output has no timings). Output that is not a
// workflow.Output is printed as it is.
func writeReport(w io.Writer, output json.RawMessage, elapsed time.Duration, clock string) {
	var out workflow.Output
	if err := json.Unmarshal(output, &out); err != nil || out.Status == "" {
		fmt.Fprintf(w, "%s\n", output)
		return
	}
	count := max(out.TableCount, len(out.Tables))
	fmt.Fprintf(w, "Onboarding %s: %s from %s (Glue database %s)\n", out.Status, plural(count, "table"), out.S3Location, out.GlueDatabase)
	fmt.Fprintf(w, "Domain %s, data source %s, run %s\n", out.DomainID, out.DataSourceID, out.DataSourceRunID)
	if len(out.Tables) < count {
		fmt.Fprintf(w, "The first %d tables of each project are shown; the full report is %s (--report FILE writes it).\n", len(out.Tables), out.ReportURI)
	}

	fmt.Fprintf(w, "\nProducer project %s, environment %s (workgroup %s)\n", out.ProjectID, out.EnvironmentID, out.Workgroup)
	writeTables(w, out.GlueDatabase, out.SubscriptionDatabase, out.Tables)
	for _, c := range out.Consumers {
		fmt.Fprintf(w, "\nConsumer project %s, environment %s (workgroup %s)\n", c.ProjectID, c.EnvironmentID, c.Workgroup)
		writeTables(w, out.GlueDatabase, c.SubscriptionDatabase, c.Tables)
	}
	if len(out.Queries) > 0 {
		fmt.Fprintf(w, "\nQueries\n")
		for _, q := range out.Queries {
			rows := ""
			if q.Rows != nil {
				rows = fmt.Sprintf(", %s", plural(int(*q.Rows), "row"))
			}
			fmt.Fprintf(w, "  %s: %s%s (query %s)\n", oneLine(q.SQL), q.State, rows, q.QueryID)
		}
	}
	if len(out.MadeManaged) > 0 {
		more := ""
		if n := out.MadeManagedCount - len(out.MadeManaged); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		fmt.Fprintf(w, "\nMade Lake Formation-managed: %s%s\n", strings.Join(out.MadeManaged, ", "), more)
	}
	total := elapsed
	if out.Timings.TotalSeconds > 0 {
		total = time.Duration(out.Timings.TotalSeconds * float64(time.Second))
	}
	fmt.Fprintf(w, "\nTotal %s time: %s\n", clock, clockTime(total))
}

func writeTables(w io.Writer, glueDB, subDB string, tables []workflow.TableReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range tables {
		subscribed := t.SubscribedTable
		if subscribed != "" && !strings.Contains(subscribed, ".") && subDB != "" {
			subscribed = subDB + "." + subscribed
		}
		fmt.Fprintf(tw, "  %s\n", t.GlueTable)
		fmt.Fprintf(tw, "    glue table\t%s.%s\n", glueDB, t.GlueTable)
		fmt.Fprintf(tw, "    asset\t%s\n", t.AssetID)
		fmt.Fprintf(tw, "    listing\t%s\n", t.ListingID)
		fmt.Fprintf(tw, "    subscribed table\t%s\n", subscribed)
		fmt.Fprintf(tw, "    rows\t%d\n", t.RowCount)
		fmt.Fprintf(tw, "    columns\t%s\n", strings.Join(t.Columns, ", "))
	}
	tw.Flush()
}

// clockTime formats d as HH:MM:SS.
func clockTime(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
