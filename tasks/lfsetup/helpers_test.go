package lfsetup_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/sandboxtest"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/preflight"
	"github.com/dzonboard/dzonboard/workflow"
)

// Names of the default world (examples/sandbox-world.json).
const (
	crawlerName  = "acme-sales-orders"
	crawlerRole  = "arn:aws:iam::123456789012:role/service-role/AWSGlueServiceRole-acme"
	manageAccess = "arn:aws:iam::123456789012:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb"
	locationARN  = "arn:aws:s3:::acme-sales-data/sales"
)

// env is one test's sandbox and clients.
type env struct {
	sb *sandbox.Sandbox
	c  *awsapi.Clients
}

// start starts a sandbox with the named world.
func start(t *testing.T, world string, faults []sandbox.FaultRule) env {
	t.Helper()
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, world), sandbox.Options{Faults: faults})
	return env{sb: sb, c: awsapi.NewClients(cfg)}
}

// preflightWork is the Work Preflight returns for the default input (makeManaged as given, which
// an iam-allowed world needs to pass) in a sandbox of its own built from world: the plan is data,
// so a test may use it with another sandbox (one where Preflight would fail, for instance).
func preflightWork(t *testing.T, world string, makeManaged bool) workflow.Work {
	t.Helper()
	e := start(t, world, nil)
	in := workflow.Input{
		DomainID: "dzd_5xk2q8m1v3c9tb", ProjectID: "b3n7k2q9x1m4zd", EnvironmentID: "c8m2v7k4q1x9tn",
		CrawlerName: crawlerName, MakeManaged: makeManaged,
	}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	task := preflight.New(preflight.Deps{STS: e.c.STS, DataZone: e.c.DataZone, Glue: e.c.Glue, LakeFormation: e.c.LakeFormation, Now: e.sb.Now})
	w, err := task.Handle(context.Background(), workflow.PreflightRequest{Execution: "exec-1", Input: raw})
	if err != nil {
		t.Fatalf("preflight: %v", err)
	}
	return w
}

// crawl runs the crawler once, as an administrator would, and requires it to succeed.
func (e env) crawl(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.c.Glue.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String(crawlerName)}); err != nil {
		t.Fatalf("start crawler: %v", err)
	}
	e.sb.Advance(2 * time.Minute)
	out, err := e.c.Glue.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(crawlerName)})
	if err != nil {
		t.Fatalf("get crawler: %v", err)
	}
	if lc := out.Crawler.LastCrawl; lc == nil || lc.Status != gluetypes.LastCrawlStatusSucceeded {
		t.Fatalf("crawl did not succeed: %+v", lc)
	}
}

// ops are the operations of the journal entries from index from on, with their error codes.
func ops(j []sandbox.JournalEntry, from int) []string {
	var out []string
	for _, e := range j[from:] {
		op := e.Op
		if e.Error != "" {
			op += "!" + e.Error
		}
		out = append(out, op)
	}
	return out
}
