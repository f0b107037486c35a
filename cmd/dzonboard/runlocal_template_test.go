package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/internal/stacktest"
)

// The stack's template is synthesized by the jsii kernel, which stops after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	stacktest.Close()
	os.Exit(code)
}

const dataZoneRole = "arn:aws:iam::123456789012:role/Dzonboard-DataZoneRole9AF11138"

// worldWithAdmin writes the default world into dir with role added to the data lake
// administrators, its bucket folder made absolute, and returns its path.
func worldWithAdmin(t *testing.T, dir, role string) string {
	t.Helper()
	b, err := os.ReadFile(repo + "examples/sandbox-world.json")
	if err != nil {
		t.Fatal(err)
	}
	var w map[string]any
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	lf := w["lakeFormation"].(map[string]any)
	lf["admins"] = append(lf["admins"].([]any), role)
	abs, err := filepath.Abs(repo + "examples")
	if err != nil {
		t.Fatal(err)
	}
	for _, bk := range w["buckets"].([]any) {
		bucket := bk.(map[string]any)
		bucket["dir"] = filepath.Join(abs, bucket["dir"].(string))
	}
	out, _ := json.Marshal(w)
	path := filepath.Join(dir, "world.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run-local --template deploys a template file into the sandbox (one line per step on stderr)
// and runs every task as its function's role. This test is about the command (the file is read,
// the stack deployed, the roles used); workflow/e2e runs the stack exactly as synthesized. Until
// the stack does the two parts of issue 7 that are other changes, the file is the synthesized
// stack with its dead DataZone grants moved to Resource "*", and the world makes the DataZone
// role a data lake administrator, which Preflight requires it (or a read-only administrator) to be.
func TestRunLocalWithTemplate(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	live, err := stacktest.WithLiveGrants(stacktest.Template(t))
	if err != nil {
		t.Fatal(err)
	}
	denied, err := stacktest.WithoutAction(live, "datazone:CreateSubscriptionRequest")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// cdk writes <Stack>.template.json; the stack name comes from the file name.
	ok := write("Dzonboard.template.json", live)
	if err := os.Mkdir(filepath.Join(dir, "denied"), 0o755); err != nil {
		t.Fatal(err)
	}
	deniedPath := write("denied/Dzonboard.template.json", denied)
	base := []string{"run-local", "--input", repo + "examples/sandbox.json", "--world", worldWithAdmin(t, dir, dataZoneRole)}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string
	}{
		{
			name: "the workflow succeeds as the template's roles", args: []string{"--template", ok},
			wantCode: exitOK, wantStdout: "Onboarding SUCCEEDED: 1 table",
			wantStderr: []string{
				"deploy: role Dzonboard-DataZoneRole9AF11138: 1 policy, ",
				"deploy: no project membership in the template: the one-time admin step adds " + dataZoneRole + " to the input's projects\n",
				"deploy: project b3n7k2q9x1m4zd: " + dataZoneRole + " is now a PROJECT_CONTRIBUTOR\n",
				"deploy: DataLakeAdmins (Custom::DataLakeAdmins): created as arn:aws:iam::123456789012:role/Dzonboard-DataLakeAdminsRoleBEC2B646",
				"+00:00:00  Preflight  entered\n",
				"  SUCCEEDED\n",
			},
		},
		{
			name: "a call the template's policies do not allow fails the run", args: []string{"--template", deniedPath},
			wantCode: exitFailed,
			wantStderr: []string{
				"FAILED  AccessDeniedError\n",
				"User: arn:aws:sts::123456789012:assumed-role/Dzonboard-DataZoneRole9AF11138/dzonboard is not authorized to perform: datazone:CreateSubscriptionRequest because no identity-based policy allows the datazone:CreateSubscriptionRequest action",
			},
		},
		{
			name: "a template file that does not exist", args: []string{"--template", filepath.Join(dir, "nope.template.json")},
			wantCode: exitUsage, wantStderr: []string{"dzonboard run-local: read --template: "},
		},
		{
			name: "a file that is not a template", args: []string{"--template", write("x.template.json", []byte(`{"Resources":{}}`))},
			wantCode: exitFailed, wantStderr: []string{"dzonboard run-local: deploy x: parse template: no Resources\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(nil, nil, nil)
			a.isTTY = func(io.Writer) bool { return false }
			r := runApp(t, a, "", append(base, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, r.stdout)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}
