package sandbox_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
)

// outcomes lists the outcome of every journalled call of op, in order.
func outcomes(s *sandbox.Sandbox, op string) []string {
	var out []string
	for _, e := range s.JournalAll() {
		if e.Op == op && !e.Background {
			out = append(out, e.Outcome)
		}
	}
	return out
}

// faultRules parses a fault spec and fails the test on error.
func faultRules(t *testing.T, spec string) []sandbox.FaultRule {
	t.Helper()
	rules, err := sandbox.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// A lost call is applied and then answered with a server error; the SDK retries it. With a client
// token the retries find the first call's result; without one the retry is refused.
func TestLostFault(t *testing.T) {
	t.Run("with a client token: one subscription request", func(t *testing.T) {
		h := startDZWith(t, sandbox.Options{Faults: faultRules(t, "datazone:CreateSubscriptionRequest=lost@1")})
		listings := h.catalog()
		_, err := h.workflow.CreateSubscriptionRequest(h.ctx, &datazone.CreateSubscriptionRequestInput{
			DomainIdentifier: aws.String(dzDomain), RequestReason: aws.String("lost"),
			SubscribedListings: []dztypes.SubscribedListingInput{{Identifier: aws.String(listings["orders"])}},
			SubscribedPrincipals: []dztypes.SubscribedPrincipalInput{&dztypes.SubscribedPrincipalInputMemberProject{
				Value: dztypes.SubscribedProjectInput{Identifier: aws.String(dzSales)}}},
		})
		var ise *dztypes.InternalServerException
		if !errors.As(err, &ise) {
			t.Fatalf("err = %v, want InternalServerException after every attempt was lost", err)
		}
		if got := outcomes(h.s, "CreateSubscriptionRequest"); !slices.Equal(got, []string{"lost", "lost", "lost"}) {
			t.Errorf("outcomes = %v, want three lost attempts (the SDK's 3 attempts)", got)
		}
		if ids := h.requestIDs(dztypes.SubscriptionRequestStatusPending, listings["orders"]); len(ids) != 1 {
			t.Errorf("PENDING requests = %v, want exactly one: the SDK's token made the retries replays", ids)
		}
	})

	tests := []struct {
		name         string
		spec         string
		call         func(c clients) error
		target       any // the error the client ends with
		wantOutcomes []string
		op           string
	}{
		{name: "StartCrawler: the retry finds the crawl running", spec: "glue:StartCrawler=lost@1", op: "StartCrawler",
			target: new(*gluetypes.CrawlerRunningException), wantOutcomes: []string{"lost", "refused"},
			call: func(c clients) error {
				_, err := c.glue.StartCrawler(t.Context(), &glue.StartCrawlerInput{Name: aws.String(crawlerName)})
				return err
			}},
		{name: "RegisterResource: the retry finds it registered", spec: "lakeformation:RegisterResource=lost@1", op: "RegisterResource",
			target: new(*lftypes.AlreadyExistsException), wantOutcomes: []string{"lost", "refused"},
			call: func(c clients) error {
				_, err := c.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{
					ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startWithFaults(t, tt.spec, 1, 2)
			if err := tt.call(c); !errors.As(err, tt.target) {
				t.Fatalf("err = %v, want %T", err, tt.target)
			}
			if got := outcomes(c.sb, tt.op); !slices.Equal(got, tt.wantOutcomes) {
				t.Errorf("outcomes = %v, want %v", got, tt.wantOutcomes)
			}
		})
	}
}

// The notfound fault answers a read of something a call created, for the rule's window of
// virtual time after the create, with the service's own not-found error.
func TestReadAfterWriteFault(t *testing.T) {
	t.Run("datazone", func(t *testing.T) {
		h := startDZWith(t, sandbox.Options{Faults: faultRules(t, "datazone:*=notfound@1:10s")})
		dsID := h.createDataSource("raw", false, glueConfig("shop_db", include("orders")))
		h.advance(dzCreate + dzRun)
		run, err := h.admin.StartDataSourceRun(h.ctx, &datazone.StartDataSourceRunInput{
			DomainIdentifier: aws.String(dzDomain), DataSourceIdentifier: aws.String(dsID)})
		if err != nil {
			t.Fatal(err)
		}
		getRun := func() error {
			_, err := h.admin.GetDataSourceRun(h.ctx, &datazone.GetDataSourceRunInput{DomainIdentifier: aws.String(dzDomain), Identifier: run.Id})
			return err
		}
		listRuns := func() error {
			_, err := h.admin.ListDataSourceRuns(h.ctx, &datazone.ListDataSourceRunsInput{DomainIdentifier: aws.String(dzDomain),
				DataSourceIdentifier: aws.String(dsID)})
			return err
		}
		getDataSource := func() error { // created more than 10 s ago
			_, err := h.admin.GetDataSource(h.ctx, &datazone.GetDataSourceInput{DomainIdentifier: aws.String(dzDomain), Identifier: aws.String(dsID)})
			return err
		}
		steps := []struct {
			name     string
			advance  time.Duration
			call     func() error
			notFound bool
		}{
			{"the new run right after its start", 0, getRun, true},
			{"a list naming its data source", 0, listRuns, false},
			{"what was created before the window", 0, getDataSource, false},
			{"the new run a second before the window ends", 9 * time.Second, getRun, true},
			{"the new run once the window ended", time.Second, getRun, false},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				h.advance(st.advance)
				err := st.call()
				if st.notFound {
					wantErrorKind(t, err, "notfound", aws.ToString(run.Id))
					return
				}
				if err != nil {
					t.Fatal(err)
				}
			})
		}
		if got := outcomes(h.s, "GetDataSourceRun"); !slices.Equal(got, []string{"faulted", "faulted", "applied"}) {
			t.Errorf("GetDataSourceRun outcomes = %v", got)
		}
	})

	t.Run("lake formation", func(t *testing.T) {
		c := startWithFaults(t, "lakeformation:DescribeResource=notfound@1:5s", 1, 1)
		c.register(t)
		describe := func() error {
			_, err := c.lf.DescribeResource(t.Context(), &lakeformation.DescribeResourceInput{ResourceArn: aws.String(locationARN)})
			return err
		}
		var enf *lftypes.EntityNotFoundException
		if err := describe(); !errors.As(err, &enf) {
			t.Fatalf("DescribeResource right after RegisterResource: %v, want EntityNotFoundException", err)
		}
		c.sb.Advance(5 * time.Second)
		if err := describe(); err != nil {
			t.Fatalf("DescribeResource after the window: %v", err)
		}
	})
}
