package sandbox_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

// Each variant world of examples/worlds is a small overlay of examples/sandbox-world.json that
// loads and changes the world. (Commit 6c2bcec proved each equal to the full copy it replaced.)
func TestExampleWorldsAreSmallOverlays(t *testing.T) {
	basePath, err := sandboxtest.WorldPath("default")
	if err != nil {
		t.Fatal(err)
	}
	base, err := sandbox.LoadWorld(basePath)
	if err != nil {
		t.Fatal(err)
	}
	baseJSON, _ := json.Marshal(base)
	paths, err := filepath.Glob(filepath.Join(filepath.Dir(basePath), "worlds", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example worlds (%v)", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var ov struct {
				Base  string            `json:"base"`
				Patch []json.RawMessage `json:"patch"`
			}
			if err := json.Unmarshal(raw, &ov); err != nil || ov.Base != "../sandbox-world.json" || len(ov.Patch) == 0 || len(ov.Patch) > 10 {
				t.Fatalf("%s is not an overlay of ../sandbox-world.json with 1-10 operations (%d, %v)", path, len(ov.Patch), err)
			}
			w, err := sandbox.LoadWorld(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := json.Marshal(w); bytes.Equal(got, baseJSON) {
				t.Error("the overlay changes nothing")
			}
			if got, want := w.BucketDir("acme-sales-data"), base.BucketDir("acme-sales-data"); filepath.Clean(got) != filepath.Clean(want) {
				t.Errorf("bucket folder %s, want the base's %s", got, want)
			}
		})
	}
}

func TestLoadWorldOverlay(t *testing.T) {
	base := `{"account": "111122223333", "region": "us-east-1", "defaultIdentity": "arn:aws:iam::111122223333:role/Admin",
  "roles": [], "buckets": [{"name": "data", "dir": "data"}], "glue": {"databases": [], "crawlers": []},
  "lakeFormation": {"admins": []},
  "dataZone": {"domain": {"id": "dzd_overlay0001", "name": "d", "version": "V1"}, "blueprint": {}, "projects": []},
  "durations": {}}`
	tests := []struct {
		name    string
		files   map[string]string // relative to a temporary directory
		load    string
		wantErr string
		check   func(t *testing.T, dir string, w *sandbox.World)
	}{
		{name: "a plain world", files: map[string]string{"w.json": base}, load: "w.json",
			check: func(t *testing.T, dir string, w *sandbox.World) {
				if got := w.BucketDir("data"); got != filepath.Join(dir, "data") {
					t.Errorf("bucket folder %s", got)
				}
			}},
		{name: "an overlay of an overlay, in other directories",
			files: map[string]string{
				"w.json":       base,
				"a/one.json":   `{"base": "../w.json", "patch": [{"op": "replace", "path": "/region", "value": "eu-west-1"}]}`,
				"a/b/two.json": `{"base": "../one.json", "patch": [{"op": "add", "path": "/buckets/-", "value": {"name": "more", "dir": "more"}}]}`,
			},
			load: "a/b/two.json",
			check: func(t *testing.T, dir string, w *sandbox.World) {
				if w.Region != "eu-west-1" {
					t.Errorf("region %s, want the first overlay's", w.Region)
				}
				if got := w.BucketDir("data"); got != filepath.Join(dir, "data") {
					t.Errorf("base bucket folder %s, want it next to the base", got)
				}
				if got := w.BucketDir("more"); got != filepath.Join(dir, "a", "b", "more") {
					t.Errorf("patched bucket folder %s, want it next to the overlay", got)
				}
			}},
		{name: "an empty patch", files: map[string]string{"w.json": base, "o.json": `{"base": "w.json"}`}, load: "o.json",
			check: func(t *testing.T, _ string, w *sandbox.World) {
				if w.Account != "111122223333" {
					t.Errorf("account %s", w.Account)
				}
			}},
		{name: "a failed test operation", files: map[string]string{"w.json": base,
			"o.json": `{"base": "w.json", "patch": [{"op": "test", "path": "/region", "value": "eu-west-1"}]}`},
			load: "o.json", wantErr: "apply patch to w.json"},
		{name: "a path the base lacks", files: map[string]string{"w.json": base,
			"o.json": `{"base": "w.json", "patch": [{"op": "replace", "path": "/nothing/here", "value": 1}]}`},
			load: "o.json", wantErr: "apply patch to w.json"},
		{name: "a patch that makes an unknown field", files: map[string]string{"w.json": base,
			"o.json": `{"base": "w.json", "patch": [{"op": "add", "path": "/colour", "value": "red"}]}`},
			load: "o.json", wantErr: `unknown field "colour"`},
		{name: "an unknown overlay member", files: map[string]string{"w.json": base, "o.json": `{"base": "w.json", "patches": []}`},
			load: "o.json", wantErr: `unknown field "patches"`},
		{name: "a missing base", files: map[string]string{"o.json": `{"base": "gone.json", "patch": []}`},
			load: "o.json", wantErr: "gone.json"},
		{name: "a base that is its own overlay", files: map[string]string{"o.json": `{"base": "o.json", "patch": []}`},
			load: "o.json", wantErr: "overlays stack deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			w, err := sandbox.LoadWorld(filepath.Join(dir, tt.load))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, dir, w)
		})
	}
	if _, err := sandbox.ParseWorld([]byte(`{"base": "w.json", "patch": []}`)); err == nil || !strings.Contains(err.Error(), "LoadWorld") {
		t.Errorf("ParseWorld of an overlay = %v, want an error naming LoadWorld", err)
	}
}
