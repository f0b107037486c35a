package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/internal/testkit/stacktest"
	"github.com/dzonboard/dzonboard/workflow"
)

// The stack's template is synthesized by the jsii kernel, which stops after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	stacktest.Close()
	os.Exit(code)
}

const dataZoneRole = "arn:aws:iam::123456789012:role/Dzonboard-DataZoneRole9AF11138"

// run-local --template deploys a template file (the stack as `make synth` writes it) into the
// sandbox, one line per step on stderr, and runs every task as its function's role.
func TestRunLocalWithTemplate(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	synthesized := stacktest.Template(t)
	denied, err := stacktest.WithoutAction(synthesized, "datazone:CreateSubscriptionRequest")
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
	ok := write("Dzonboard.template.json", synthesized)
	if err := os.Mkdir(filepath.Join(dir, "denied"), 0o755); err != nil {
		t.Fatal(err)
	}
	deniedPath := write("denied/Dzonboard.template.json", denied)
	base := []string{"run-local", "--input", repo + "examples/sandbox.json", "--world", repo + "examples/sandbox-world.json"}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string
		// wantReport is the --report file's status, "" when none is written.
		wantReport string
	}{
		{
			name: "the workflow succeeds as the template's roles", args: []string{"--template", ok},
			wantCode: exitOK, wantStdout: "Onboarding SUCCEEDED: 1 table",
			wantStderr: []string{
				"deploy: role Dzonboard-DataZoneRole9AF11138: 1 policy, ",
				"deploy: no project membership in the template: the one-time admin step adds " + dataZoneRole + " to the input's projects\n",
				"deploy: project b3n7k2q9x1m4zd: " + dataZoneRole + " is now a PROJECT_CONTRIBUTOR\n",
				"deploy: DataLakeAdmins (Custom::DataLakeAdmins): created as arn:aws:iam::123456789012:role/Dzonboard-DataLakeAdminsRoleBEC2B646",
				"+00:00:00  Preflight  succeeded",
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
			name: "--report writes the full report from the state bucket", args: []string{"--template", ok, "--report", filepath.Join(dir, "report.json")},
			wantCode: exitOK, wantStdout: "Onboarding SUCCEEDED: 1 table", wantReport: "SUCCEEDED",
		},
		{
			name: "--report of a run that failed before Report", args: []string{"--template", deniedPath, "--report", filepath.Join(dir, "none.json")},
			wantCode: exitFailed, wantStderr: []string{"dzonboard run-local: --report: the execution has no report: it ended before its Report state\n"},
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
			if tt.wantReport != "" {
				var got workflow.Output
				b, err := os.ReadFile(filepath.Join(dir, "report.json"))
				if err == nil {
					err = json.Unmarshal(b, &got)
				}
				if err != nil || got.Status != tt.wantReport || got.TableCount != 1 || len(got.Tables) != 1 ||
					got.Tables[0].RowCount == 0 || !strings.HasPrefix(got.ReportURI, "s3://") {
					t.Errorf("report file: %v\n%s", err, b)
				}
			}
		})
	}
}
