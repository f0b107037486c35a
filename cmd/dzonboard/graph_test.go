package main

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestMermaidGolden(t *testing.T) {
	asl, err := os.ReadFile("testdata/choices.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := mermaid(asl)
	if err != nil {
		t.Fatalf("mermaid: %v", err)
	}
	const golden = "testdata/choices.mmd.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("mermaid output:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

func TestGraph(t *testing.T) {
	r := runApp(t, nil, "", "graph")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	t.Run("deterministic", func(t *testing.T) {
		for range 3 {
			if again := runApp(t, nil, "", "graph"); again.stdout != r.stdout {
				t.Fatalf("second output differs:\n%s\nfirst:\n%s", again.stdout, r.stdout)
			}
		}
	})
	if !strings.HasPrefix(r.stdout, "flowchart TD\n") {
		t.Errorf("output does not start with flowchart TD:\n%s", r.stdout)
	}

	var def struct {
		States map[string]struct {
			Type    string
			Next    string
			Choices []json.RawMessage
			Default string
			Catch   []struct{ Next string }
		}
	}
	if err := json.Unmarshal(dzonboard.StateMachineASL, &def); err != nil {
		t.Fatal(err)
	}
	var catches, choiceEdges, nexts int
	for name, s := range def.States {
		t.Run("state "+name, func(t *testing.T) {
			node := nodeID(name) + shape(s.Type, name) + "\n"
			if !strings.Contains(r.stdout, "    "+node) {
				t.Errorf("no node %q", node)
			}
			for _, c := range s.Catch {
				edge := nodeID(name) + ` -.->|"States.ALL"| ` + nodeID(c.Next) + "\n"
				if !strings.Contains(r.stdout, edge) {
					t.Errorf("no dashed Catch edge %q", edge)
				}
			}
			if s.Default != "" && !strings.Contains(r.stdout, nodeID(name)+` -->|"otherwise"| `+nodeID(s.Default)+"\n") {
				t.Errorf("no Default edge to %s", s.Default)
			}
		})
		catches += len(s.Catch)
		choiceEdges += len(s.Choices)
		if s.Default != "" {
			choiceEdges++
		}
		if s.Next != "" {
			nexts++
		}
	}
	if got := strings.Count(r.stdout, " -.->|"); got != catches {
		t.Errorf("%d dashed edges, want one per Catch (%d)", got, catches)
	}
	if got := strings.Count(r.stdout, " -->|"); got != choiceEdges {
		t.Errorf("%d labelled edges, want one per Choice rule and Default (%d)", got, choiceEdges)
	}
	if got := strings.Count(r.stdout, " --> "); got != nexts {
		t.Errorf("%d plain edges, want one per Next (%d)", got, nexts)
	}
	if !strings.Contains(r.stdout, `-->|"poll.done == true"|`) {
		t.Errorf("Choice conditions are not on the edges:\n%s", r.stdout)
	}
}

func TestNodeID(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Crawl finished?", "CrawlFinished"},
		{"Register location and grant", "RegisterLocationAndGrant"},
		{"2nd try", "S2ndTry"},
		{"???", "S"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nodeID(tt.name); got != tt.want {
				t.Errorf("nodeID = %q, want %q", got, tt.want)
			}
		})
	}
	ids := nodeIDs([]string{"a b", "A-b", "ab"})
	if ids["a b"] != "AB" || ids["A-b"] != "AB2" || ids["ab"] != "Ab" {
		t.Errorf("nodeIDs = %v, want unique IDs", ids)
	}
}
