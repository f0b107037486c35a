package sandbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dzonboard/dzonboard/sandbox"
)

// The written journal holds every call, reads included, one JSON line each, with what the call
// named and how it ended; Journal keeps listing the mutating calls only.
func TestWriteJournal(t *testing.T) {
	c := startWithFaults(t, "glue:GetDatabase=throttle@1", 1, 1)
	c.register(t)
	_, _ = c.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)})
	c.crawler(t)
	_, _ = c.glue.GetDatabase(t.Context(), &glue.GetDatabaseInput{Name: aws.String(salesDB)})
	if _, err := c.sts.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	if err := c.sb.WriteJournal(&buf); err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("journal line %d: %v", len(lines)+1, err)
		}
		lines = append(lines, m)
	}
	want := []struct {
		service, op, resource, outcome, errCode string
		mutating                                bool
	}{
		{"lakeformation", "RegisterResource", locationARN, "applied", "", true},
		{"lakeformation", "RegisterResource", locationARN, "refused", "AlreadyExistsException", true},
		{"glue", "GetCrawler", "arn:aws:glue:us-east-1:" + account + ":crawler/" + crawlerName, "applied", "", false},
		{"glue", "GetDatabase", "arn:aws:glue:us-east-1:" + account + ":database/" + salesDB, "faulted", "ThrottlingException", false},
		{"sts", "GetCallerIdentity", "arn:aws:sts::" + account + ":assumed-role/Admin/dzonboard", "applied", "", false},
	}
	if len(lines) != len(want) {
		t.Fatalf("journal has %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		t.Run(fmt.Sprintf("%d %s %s", i+1, w.op, w.outcome), func(t *testing.T) {
			l := lines[i]
			errCode, _ := l["error"].(string)
			if l["seq"] != float64(i+1) || l["service"] != w.service || l["operation"] != w.op || l["resource"] != w.resource ||
				l["outcome"] != w.outcome || errCode != w.errCode || l["mutating"] != w.mutating || l["caller"] != adminRole ||
				l["time"] == "" || l["requestId"] == "" {
				t.Errorf("line %d = %v, want %+v", i+1, l, w)
			}
		})
	}
	if j := c.sb.Journal(); len(j) != 2 || j[1].Outcome != sandbox.OutcomeRefused {
		t.Errorf("Journal = %+v, want the two RegisterResource calls", j)
	}
}

// DataZone's own background work is journalled as the operation a caller would use, by
// datazone.amazonaws.com, in the full journal only.
func TestJournalBackground(t *testing.T) {
	h := startDZ(t, func(w *sandbox.World) { w.DataZone.AutoApproveSubscriptions = true })
	_, runID := h.firstRun("publishing", true, glueConfig("shop_db", include("orders")))
	asset := h.assets(runID)["orders"]
	a, err := h.admin.GetAsset(h.ctx, &datazone.GetAssetInput{DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(asset)})
	if err != nil || a.Listing == nil {
		t.Fatalf("asset = %+v (%v), want it listed on import", a, err)
	}
	h.advance(dzList)
	req := h.subscribe(h.workflow, dzSales, aws.ToString(a.Listing.ListingId))
	h.advance(dzAuto + dzFulfil)
	grants := h.grants(dzSalesEnv, aws.ToString(a.Listing.ListingId))
	if len(grants) != 1 {
		t.Fatalf("grants = %+v", grants)
	}

	var got []string
	for _, e := range h.s.JournalAll() {
		if e.Background {
			if e.Caller != "datazone.amazonaws.com" || !e.Mutating || e.Outcome != sandbox.OutcomeApplied {
				t.Errorf("background entry %+v", e)
			}
			got = append(got, e.Op+" "+e.Resource)
		}
	}
	want := []string{
		"StartDataSourceRun " + runID,
		"CreateListingChangeSet " + aws.ToString(a.Listing.ListingId),
		"AcceptSubscriptionRequest " + req,
		"CreateSubscriptionGrant " + aws.ToString(grants[0].Id),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("background entries = %v, want %v", got, want)
	}
	for _, e := range h.s.Journal() {
		if e.Background || e.Caller == "datazone.amazonaws.com" {
			t.Errorf("Journal lists background work: %+v", e)
		}
	}
}
