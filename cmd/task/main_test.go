package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The Lambda binary builds with CGO_ENABLED=0: it must never pull in the sandbox (its cgo SQL
// engine, its S3 emulation gofakes3 and gofakes3's file backend afero) or any test helper.
func TestLambdaDependsOnNoSandbox(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list returned %d packages; the check is broken", len(deps))
	}
	for _, d := range deps {
		if strings.Contains(d, "dzonboard/sandbox") || strings.Contains(d, "duckdb") || strings.Contains(d, "gofakes3") ||
			strings.Contains(d, "spf13/afero") || strings.HasSuffix(d, "/testing") {
			t.Errorf("the Lambda binary depends on %s", d)
		}
	}
}
