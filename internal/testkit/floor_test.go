// Package testkit holds the test support of the module: tasktest (a sandbox account for a task's
// tests), sandboxtest (a sandbox on loopback with a config for it) and stacktest (the synthesized
// stack). Only tests import it; this test keeps it so.
package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

// No package of the module but the test kit itself depends on the test kit (tests aside).
func TestProductionNeverImportsTheTestKit(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "github.com/dzonboard/dzonboard/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const kit = "github.com/dzonboard/dzonboard/internal/testkit"
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 20 {
		t.Fatalf("go list gave %d packages; the check is broken", len(lines))
	}
	for _, line := range lines {
		pkg, deps, _ := strings.Cut(line, " ")
		if strings.HasPrefix(pkg, kit) {
			continue
		}
		for _, d := range strings.Fields(deps) {
			if strings.HasPrefix(d, kit) {
				t.Errorf("%s imports the test kit (%s)", pkg, d)
			}
		}
	}
}
