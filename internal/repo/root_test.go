package repo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootFrom(t *testing.T) {
	top := t.TempDir()
	deep := filepath.Join(top, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(top, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, want, err string
	}{
		{name: "from a subfolder", from: deep, want: top},
		{name: "from the root itself", from: top, want: top},
		{name: "no go.mod above", from: filepath.Dir(top), err: "no go.mod above"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rootFrom(tt.from)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("rootFrom(%s) = %q, %v; want %q", tt.from, got, err, tt.want)
			}
		})
	}
}

func TestRootFindsThisRepository(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "statemachine.asl.json")); err != nil {
		t.Errorf("Root() = %s, which is not the dzonboard repository: %v", root, err)
	}
}
