// Package report is the Report task: it turns the final Work into the execution output
// (workflow.Output), the report of what was onboarded as the producer and every consumer see it,
// with every ID, the subscribed table, its row count, columns and query IDs, and the timings. It
// calls no AWS API.
package report
