package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/infra"
	"github.com/dzonboard/dzonboard/internal/stacktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/deploy"
	"github.com/dzonboard/dzonboard/sandbox/sandboxtest"
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
	hs := registry.Handlers(registry.Options{
		Config: cfg, TaskConfigs: d.TaskConfigs(cfg),
		LakeFormationRoleARN: d.TaskEnvironment(workflow.TaskPreflight)[deploy.EnvLakeFormationRoleARN],
		Now:                  sb.Now,
		Sleep:                func(context.Context, time.Duration) error { return nil },
	})
	return &onboarding{t: t, sb: sb, cfg: cfg, h: hs}
}

// The default onboarding runs with every task as its deployed role, under the IAM policies the
// stack synthesizes: a policy too narrow for a call fails here. The same template without
// datazone:CreateSubscriptionRequest fails with AccessDeniedError naming the action and the role.
//
// The stack as synthesized grants DataZone actions that have no resource type on the domain ARN
// only, which IAM ignores (issue 7: "dead" grants). The "live grants" cases rewrite exactly those
// grants to Resource "*", as the stack must write them; they pass whether or not the stack has
// been fixed, and show that the deployed roles suffice otherwise.
func TestOnboardingAsDeployedRoles(t *testing.T) {
	synthesized := stacktest.Template(t)
	live, err := stacktest.WithLiveGrants(synthesized)
	if err != nil {
		t.Fatal(err)
	}
	without := func(tmpl []byte) []byte {
		out, err := stacktest.WithoutAction(tmpl, "datazone:CreateSubscriptionRequest")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name      string
		tmpl      []byte
		wantError string // "" for SUCCEEDED
		causeHas  []string
	}{
		{name: "the synthesized stack", tmpl: synthesized},
		{name: "the synthesized stack without datazone:CreateSubscriptionRequest", tmpl: without(synthesized),
			wantError: "AccessDeniedError", causeHas: []string{"datazone:CreateSubscriptionRequest", dataZoneRoleName}},
		{name: "the synthesized stack with live grants", tmpl: live},
		{name: "the synthesized stack with live grants, without datazone:CreateSubscriptionRequest", tmpl: without(live),
			wantError: "AccessDeniedError", causeHas: []string{"datazone:CreateSubscriptionRequest", dataZoneRoleName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := newDeployedOnboarding(t, tt.tmpl).run(exampleInput(t, nil))
			explain := ""
			if dead := stacktest.DeadGrants(tt.tmpl); len(dead) > 0 {
				explain = "\nthe template grants actions without resource type on ARNs only, which IAM ignores:\n  " +
					strings.Join(dead, "\n  ")
			}
			if tt.wantError == "" {
				if res.Status != "SUCCEEDED" {
					t.Fatalf("execution %s: %s\n%s\npath: %v%s", res.Status, res.Error, res.Cause, res.Path, explain)
				}
				out := output(t, res)
				if len(out.Tables) != 1 || out.Tables[0].RowCount != sampleRows {
					t.Errorf("tables %+v", out.Tables)
				}
				return
			}
			if res.Status != "FAILED" || res.Error != tt.wantError {
				t.Fatalf("status %s error %q, want FAILED %s\ncause: %s%s", res.Status, res.Error, tt.wantError, res.Cause, explain)
			}
			var cause struct{ ErrorMessage string }
			if err := json.Unmarshal([]byte(res.Cause), &cause); err != nil {
				t.Fatalf("cause %q: %v", res.Cause, err)
			}
			for _, s := range tt.causeHas {
				if !strings.Contains(cause.ErrorMessage, s) {
					t.Errorf("cause lacks %q:\n%s%s", s, cause.ErrorMessage, explain)
				}
			}
		})
	}
}

// The sandbox's deploy reads the environment variables the stack sets with the same names.
func TestDeployReadsTheStacksVariables(t *testing.T) {
	if deploy.EnvTask != infra.EnvTask || deploy.EnvLakeFormationRoleARN != infra.EnvLakeFormationRoleARN {
		t.Errorf("deploy reads %s and %s; the stack sets %s and %s",
			deploy.EnvTask, deploy.EnvLakeFormationRoleARN, infra.EnvTask, infra.EnvLakeFormationRoleARN)
	}
}
