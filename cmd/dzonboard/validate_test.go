package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/workflow"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	badInput := `{"domainId":"my-domain","projectId":"","environmentId":"env 1","crawlerName":"c",
		"s3Location":"s3://Bucket/prefix","verify":{"sampleRows":0},"tabels":["x"]}`
	if err := os.WriteFile(bad, []byte(badInput), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := workflow.ParseInput([]byte(badInput))
	var invalid *workflow.InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("ParseInput(bad) = %v, want *InvalidInputError", err)
	}

	tests := []struct {
		name      string
		args      []string
		stdin     string
		wantCode  int
		wantLines []string
		wantErr   string
	}{
		{name: "the example input is valid", args: []string{"--input", repo + "examples/sandbox.json"}, wantCode: exitOK, wantLines: []string{"valid"}},
		{name: "from stdin", args: []string{"--input", "-"}, stdin: `{"domainId":"dzd_abc","projectId":"p1","environmentId":"e1","crawlerName":"c"}`, wantCode: exitOK, wantLines: []string{"valid"}},
		{name: "unknown field only", args: []string{"--input", "-"}, stdin: `{"domainId":"dzd_abc","projectId":"p1","environmentId":"e1","crawlerName":"c","crawlerNme":"x"}`,
			wantCode: exitFailed, wantLines: []string{"the input from stdin is not valid (1 problem):", `crawlerNme: is not a known field. Fix: did you mean "crawlerName"?`}},
		{name: "unreadable file", args: []string{"--input", filepath.Join(dir, "missing.json")}, wantCode: exitUsage, wantErr: "read input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runApp(t, nil, tt.stdin, append([]string{"validate"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %s)", r.code, tt.wantCode, r.stderr)
			}
			if tt.wantLines != nil && r.stdout != strings.Join(tt.wantLines, "\n")+"\n" {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, strings.Join(tt.wantLines, "\n"))
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.wantErr)
			}
		})
	}

	t.Run("every problem is printed with its field and fix", func(t *testing.T) {
		r := runApp(t, nil, "", "validate", "--input", bad)
		if r.code != exitFailed {
			t.Errorf("exit %d, want %d", r.code, exitFailed)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(invalid.Problems) < 5 {
			t.Fatalf("want at least 5 problems in the bad input, ParseInput found %d", len(invalid.Problems))
		}
		if want := len(invalid.Problems) + 1; len(lines) != want {
			t.Fatalf("%d lines, want a header and %d problems:\n%s", len(lines), len(invalid.Problems), r.stdout)
		}
		for i, p := range invalid.Problems {
			if lines[i+1] != p.String() {
				t.Errorf("line %d = %q, want %q", i+2, lines[i+1], p.String())
			}
			if !strings.HasPrefix(lines[i+1], p.Field+": ") {
				t.Errorf("line %q does not start with its field %q", lines[i+1], p.Field)
			}
		}
	})
}
