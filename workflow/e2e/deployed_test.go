package e2e_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/internal/testkit/stacktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/deploy"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
)

// dataZoneRoleName is the DataZone role of the synthesized stack, as the sandbox names it
// (<StackName>-<LogicalId>).
const dataZoneRoleName = "Dzonboard-DataZoneRole9AF11138"

// newDeployedOnboarding deploys a template into the default world, as `cdk deploy` would leave
// the account, and wires every task to the role its function has in the template.
func newDeployedOnboarding(t *testing.T, tmpl []byte) *onboarding {
	t.Helper()
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{Seed: 7})
	in, err := workflow.ParseInput(exampleInput(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	d, err := deploy.Deploy(t.Context(), sb, tmpl, deploy.Options{
		StackName: stacktest.StackName, Config: cfg, DomainID: in.DomainID, ProjectIDs: []string{in.ProjectID},
	})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	hs := registry.Handlers(d.Options(sb, cfg))
	return &onboarding{t: t, sb: sb, cfg: cfg, h: hs}
}

// The default onboarding runs with every task as its deployed role, under the IAM policies and
// the Lake Formation administrators the stack synthesizes (cdk.json's context): a policy too
// narrow for a call fails here. The same template without datazone:CreateSubscriptionRequest
// fails with AccessDeniedError naming the action and the role.
func TestOnboardingAsDeployedRoles(t *testing.T) {
	synthesized := stacktest.Template(t)
	without, err := stacktest.WithoutAction(synthesized, "datazone:CreateSubscriptionRequest")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		tmpl      []byte
		wantError string // "" for SUCCEEDED
		causeHas  []string
	}{
		{name: "the synthesized stack", tmpl: synthesized},
		{name: "the synthesized stack without datazone:CreateSubscriptionRequest", tmpl: without,
			wantError: "AccessDeniedError", causeHas: []string{
				"User: arn:aws:sts::123456789012:assumed-role/" + dataZoneRoleName + "/dzonboard is not authorized to perform: " +
					"datazone:CreateSubscriptionRequest because no identity-based policy allows the datazone:CreateSubscriptionRequest action"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newDeployedOnboarding(t, tt.tmpl)
			res := o.run(exampleInput(t, nil))
			if tt.wantError == "" {
				out := output(t, res)
				if len(out.Tables) != 1 || out.Tables[0].RowCount != sampleRows {
					t.Errorf("tables %+v", out.Tables)
				}
				return
			}
			if res.Status != "FAILED" || res.Error != tt.wantError {
				t.Fatalf("status %s error %q, want FAILED %s\ncause: %s\npath: %v", res.Status, res.Error, tt.wantError, res.Cause, res.Path)
			}
			if res.Path[len(res.Path)-1] != "Onboarding failed" {
				t.Errorf("path ends %v, want the Fail state", res.Path)
			}
			var cause struct{ ErrorMessage string }
			if err := json.Unmarshal([]byte(res.Cause), &cause); err != nil {
				t.Fatalf("cause %q: %v", res.Cause, err)
			}
			for _, s := range tt.causeHas {
				if !strings.Contains(cause.ErrorMessage, s) {
					t.Errorf("cause lacks %q:\n%s", s, cause.ErrorMessage)
				}
			}
			// The denial is journalled as a refused call.
			refused := false
			for _, e := range o.sb.Journal() {
				if e.Service == "datazone" && e.Op == "CreateSubscriptionRequest" && e.Outcome == sandbox.OutcomeRefused &&
					strings.Contains(e.Error, "AccessDeniedException") {
					refused = true
				}
			}
			if !refused {
				t.Errorf("the journal has no refused datazone:CreateSubscriptionRequest")
			}
		})
	}
}

// Each deployed role writes only under its own tasks' prefixes of the state bucket, and reads the
// table lists of every stage.
func TestStateBucketPrefixesAsDeployed(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{Seed: 7})
	d, err := deploy.Deploy(t.Context(), sb, stacktest.Template(t), deploy.Options{StackName: stacktest.StackName, Config: cfg})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	opt := d.Options(sb, cfg)
	put := func(task, key string) error {
		_, err := awsapi.NewClients(opt.TaskConfigs[task]).S3.PutObject(t.Context(), &s3.PutObjectInput{
			Bucket: aws.String(opt.StateBucket), Key: aws.String(key), Body: strings.NewReader("{}"),
		})
		return err
	}
	get := func(task, key string) error {
		out, err := awsapi.NewClients(opt.TaskConfigs[task]).S3.GetObject(t.Context(), &s3.GetObjectInput{
			Bucket: aws.String(opt.StateBucket), Key: aws.String(key),
		})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	tests := []struct {
		name    string
		call    func() error
		allowed bool
	}{
		{"Crawl writes its own list", func() error { return put(workflow.TaskCrawl, "tables/Crawl/e/000001-ab.json") }, true},
		{"Crawl may not write Publish's list", func() error { return put(workflow.TaskCrawl, "tables/Publish/e/000001-ab.json") }, false},
		{"Publish reads Crawl's list", func() error { return get(workflow.TaskPublish, "tables/Crawl/e/000001-ab.json") }, true},
		{"Report writes the report", func() error { return put(workflow.TaskReport, "reports/e.json") }, true},
		{"Tables may not write a report", func() error { return put(workflow.TaskTables, "reports/e.json") }, false},
		{"Verify may not read reports", func() error { return get(workflow.TaskVerify, "reports/e.json") }, false},
	}
	// A list that is gone (expired) is NoSuchKey, not AccessDenied: the roles may list the bucket.
	var nsk *s3types.NoSuchKey
	if err := get(workflow.TaskPublish, "tables/Crawl/e/expired.json.gz"); !errors.As(err, &nsk) {
		t.Errorf("a missing list: %v, want NoSuchKey", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae smithy.APIError
			switch {
			case tt.allowed && err != nil:
				t.Errorf("denied: %v", err)
			case !tt.allowed && (!errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied"):
				t.Errorf("error %v, want S3's AccessDenied", err)
			}
		})
	}
}
