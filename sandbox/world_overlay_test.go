package sandbox_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/sandboxtest"
)

// Each variant world of examples/worlds is an overlay of examples/sandbox-world.json that makes
// the same World as the full copy it replaced (kept in testdata/worlds-before).
func TestWorldOverlaysMatchTheCopiesTheyReplace(t *testing.T) {
	for _, name := range []string{"auto-approve", "crawler-fails", "iam-allowed", "not-member", "other-workgroup-key", "registered", "slow-grants"} {
		t.Run(name, func(t *testing.T) {
			path, err := sandboxtest.WorldPath(name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sandbox.LoadWorld(path)
			if err != nil {
				t.Fatal(err)
			}
			old, err := os.ReadFile(filepath.Join("testdata", "worlds-before", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := sandbox.ParseWorld(old)
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("overlay world:\n%s\nfull copy:\n%s", gotJSON, wantJSON)
			}
			for _, b := range want.Buckets {
				if g, w := got.BucketDir(b.Name), filepath.Join(filepath.Dir(path), b.Dir); g != w {
					t.Errorf("bucket %s folder %s, want %s", b.Name, g, w)
				}
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
