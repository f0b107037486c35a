package deploy_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/deploy"
	"github.com/dzonboard/dzonboard/workflow"
)

const (
	domain       = "dzd_5xk2q8m1v3c9tb"
	producer     = "b3n7k2q9x1m4zd"
	consumer     = "e4p8s2k7w1n5qa"
	dataZoneRole = "arn:aws:iam::123456789012:role/Dzonboard-DataZoneRole9AF11138"
	lfRole       = "arn:aws:iam::123456789012:role/Dzonboard-LakeFormationRoleFA6B524D"
	lfAdminsRole = "arn:aws:iam::123456789012:role/Dzonboard-DataLakeAdminsRoleBEC2B646"
	adminRole    = "arn:aws:iam::123456789012:role/Admin"
	memberships  = "AWS::DataZone::ProjectMembership"
	templateFile = "testdata/stack.template.json"
	dataZoneUser = "arn:aws:sts::123456789012:assumed-role/Dzonboard-DataZoneRole9AF11138/dzonboard"
)

// template reads the test template, changed by edit (its Resources map).
func template(t *testing.T, edit func(resources map[string]any)) []byte {
	t.Helper()
	b, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return b
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc["Resources"].(map[string]any))
	out, _ := json.Marshal(doc)
	return out
}

func withoutMemberships(res map[string]any) {
	for id, r := range res {
		if r.(map[string]any)["Type"] == memberships {
			delete(res, id)
		}
	}
}

// isMember reports whether cfg's identity may list the project's data sources, which DataZone
// allows project members only.
func isMember(t *testing.T, cfg aws.Config, project string) error {
	t.Helper()
	_, err := datazone.NewFromConfig(cfg).ListDataSources(t.Context(), &datazone.ListDataSourcesInput{
		DomainIdentifier: aws.String(domain), ProjectIdentifier: aws.String(project)})
	return err
}

func TestDeploy(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(map[string]any)
		projects []string
		wantLog  []string
	}{
		{
			name: "the template's project memberships",
			wantLog: []string{
				"deploy: role Dzonboard-DataZoneRole9AF11138: 1 policy, ",
				"deploy: project " + producer + ": " + dataZoneRole + " is now a PROJECT_CONTRIBUTOR\n",
				"deploy: project " + consumer + ": " + dataZoneRole + " is now a PROJECT_CONTRIBUTOR\n",
				"deploy: DataLakeAdmins (Custom::DataLakeAdmins): created as " + lfAdminsRole + ", physical ID ",
			},
		},
		{
			name:     "no membership in the template: the one-time admin step for the input's projects",
			edit:     withoutMemberships,
			projects: []string{producer, consumer},
			wantLog: []string{
				"deploy: no project membership in the template: the one-time admin step adds " + dataZoneRole + " to the input's projects\n",
				"deploy: project " + producer + ": " + dataZoneRole + " is now a PROJECT_CONTRIBUTOR\n",
				"deploy: project " + consumer + ": " + dataZoneRole + " is now a PROJECT_CONTRIBUTOR\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{})
			var log bytes.Buffer
			d, err := deploy.Deploy(t.Context(), sb, template(t, tt.edit), deploy.Options{
				StackName: "Dzonboard", Config: cfg, DomainID: domain, ProjectIDs: tt.projects, Log: &log})
			if err != nil {
				t.Fatalf("Deploy: %v\n%s", err, log.String())
			}
			for _, want := range tt.wantLog {
				if !strings.Contains(log.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, log.String())
				}
			}
			for _, p := range []string{producer, consumer} {
				if err := isMember(t, d.TaskConfigs(cfg)[workflow.TaskPreflight], p); err != nil {
					t.Errorf("the DataZone role cannot list project %s's data sources: %v", p, err)
				}
			}
			settings, err := lakeformation.NewFromConfig(cfg).GetDataLakeSettings(t.Context(), &lakeformation.GetDataLakeSettingsInput{})
			if err != nil {
				t.Fatal(err)
			}
			var admins []string
			for _, a := range settings.DataLakeSettings.DataLakeAdmins {
				admins = append(admins, aws.ToString(a.DataLakePrincipalIdentifier))
			}
			if !slices.Equal(admins, []string{adminRole, lfRole}) {
				t.Errorf("data lake administrators %v, want the world's and the Lake Formation role", admins)
			}
			var readers []string
			for _, a := range settings.DataLakeSettings.ReadOnlyAdmins {
				readers = append(readers, aws.ToString(a.DataLakePrincipalIdentifier))
			}
			if !slices.Equal(readers, []string{dataZoneRole}) {
				t.Errorf("read-only administrators %v: the custom resource's properties reach the handler unchanged", readers)
			}
			// Each task signs as its function's role.
			pf := d.TaskConfigs(cfg)[workflow.TaskPreflight]
			who, err := sts.NewFromConfig(pf).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(who.Arn) != dataZoneUser {
				t.Errorf("Preflight acts as %v (%v), want %s", aws.ToString(who.Arn), err, dataZoneUser)
			}
			if got := d.TaskEnvironment(workflow.TaskPreflight)[workflow.EnvLakeFormationRoleARN]; got != lfRole {
				t.Errorf("Preflight's %s = %q", workflow.EnvLakeFormationRoleARN, got)
			}
			if got := d.TaskRole(workflow.TaskLakeFormation); got != lfRole {
				t.Errorf("the LakeFormation task runs as %q", got)
			}
		})
	}
}

// Deploying again finds the memberships and administrators in place.
func TestDeployTwice(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{})
	opt := deploy.Options{StackName: "Dzonboard", Config: cfg}
	if _, err := deploy.Deploy(t.Context(), sb, template(t, nil), opt); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opt.Log = &log
	if _, err := deploy.Deploy(t.Context(), sb, template(t, nil), opt); err != nil {
		t.Fatalf("second Deploy: %v", err)
	}
	if !strings.Contains(log.String(), "deploy: project "+producer+": "+dataZoneRole+" is already a member\n") {
		t.Errorf("log:\n%s", log.String())
	}
}

// The custom resource runs as its function's role: without lakeformation:PutDataLakeSettings in
// that role's policy the deploy fails with IAM's denial.
func TestDeployCustomResourceRunsAsItsRole(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{})
	tmpl := template(t, func(res map[string]any) {
		doc := res["DataLakeAdminsRoleDefaultPolicy642073FF"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			st := s.(map[string]any)
			if acts, ok := st["Action"].([]any); ok && slices.Contains(acts, any("lakeformation:PutDataLakeSettings")) {
				st["Action"] = "lakeformation:GetDataLakeSettings"
			}
		}
	})
	_, err := deploy.Deploy(t.Context(), sb, tmpl, deploy.Options{StackName: "Dzonboard", Config: cfg})
	want := "is not authorized to perform: lakeformation:PutDataLakeSettings because no identity-based policy allows the lakeformation:PutDataLakeSettings action"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Dzonboard-DataLakeAdminsRoleBEC2B646") {
		t.Errorf("Deploy = %v, want the role's denial: %s", err, want)
	}
}

func TestDeployRefusesWhatItCannotRead(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{})
	tests := []struct {
		name, wantErr string
		tmpl          []byte
	}{
		{name: "not a template", tmpl: []byte(`{}`), wantErr: "no Resources"},
		{name: "a policy the sandbox cannot evaluate", wantErr: "NumericLessThan", tmpl: template(t, func(res map[string]any) {
			doc := res["DataZoneRoleDefaultPolicy2E57D78D"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
			st := doc["Statement"].([]any)[0].(map[string]any)
			st["Condition"] = map[string]any{"NumericLessThan": map[string]any{"s3:max-keys": "10"}}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deploy.Deploy(t.Context(), sb, tt.tmpl, deploy.Options{StackName: "Dzonboard", Config: cfg})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Deploy = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

// The custom-resource handler logs through slog's default logger; the tests read results.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
