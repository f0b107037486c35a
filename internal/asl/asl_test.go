package asl

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

const def = `{
  "StartAt": "B",
  "TimeoutSeconds": 600,
  "States": {
    "B": {"Type": "Task", "Resource": "${BFunctionArn}", "TimeoutSeconds": 30, "Next": "A"},
    "A": {"Type": "Parallel", "Next": "W", "Branches": [
      {"StartAt": "Z", "States": {"Z": {"Type": "Task", "Resource": "${ZFunctionArn}", "Next": "Y"}, "Y": {"Type": "Succeed"}}}
    ]},
    "W": {"Type": "Wait", "SecondsPath": "$.poll.waitSeconds", "Next": "M"},
    "M": {"Type": "Map", "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:x", "End": true}}}, "End": true}
  }
}`

func TestParseKeepsFileOrderAndFindsTasks(t *testing.T) {
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Order, ","); got != "B,A,W,M" {
		t.Errorf("order = %s, want B,A,W,M", got)
	}
	var names, phs []string
	for _, ts := range m.Tasks() {
		names = append(names, ts.Name)
		phs = append(phs, ts.Placeholder)
	}
	if !slices.Equal(names, []string{"B", "Z", "X"}) || !slices.Equal(phs, []string{"BFunctionArn", "ZFunctionArn", ""}) {
		t.Errorf("tasks = %v %v", names, phs)
	}
	if got := m.States["B"].Timeout(); got != 30*time.Second {
		t.Errorf("B timeout = %s", got)
	}
	if got := m.States["A"].Branches[0].States["Z"].Timeout(); got != DefaultTaskTimeout {
		t.Errorf("Z timeout = %s", got)
	}
	if got := Placeholders([]byte(def)); !slices.Equal(got, []string{"BFunctionArn", "ZFunctionArn"}) {
		t.Errorf("placeholders = %v", got)
	}
	out, unknown := Substitute([]byte(def), func(n string) (string, bool) { return "arn:" + n, n == "BFunctionArn" })
	if !strings.Contains(string(out), `"arn:BFunctionArn"`) || !slices.Equal(unknown, []string{"${ZFunctionArn}"}) {
		t.Errorf("substitute: unknown %v", unknown)
	}
}

func TestParseRejects(t *testing.T) {
	for _, d := range []string{`{`, `{"States": {}}`, `{"StartAt": "A"}`} {
		if _, err := Parse([]byte(d)); err == nil {
			t.Errorf("Parse(%s) = nil error", d)
		}
	}
}

func TestWaitFor(t *testing.T) {
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ptr := func(f float64) *float64 { return &f }
	str := func(s string) *string { return &s }
	tests := []struct {
		name    string
		state   State
		input   string
		want    time.Duration
		wantErr string
	}{
		{name: "seconds", state: State{Seconds: ptr(12)}, want: 12 * time.Second},
		{name: "seconds path", state: State{SecondsPath: "$.poll.waitSeconds"}, input: `{"poll":{"waitSeconds":7}}`, want: 7 * time.Second},
		{name: "seconds path after input path", state: State{SecondsPath: "$.waitSeconds", InputPath: str("$.poll")}, input: `{"poll":{"waitSeconds":3}}`, want: 3 * time.Second},
		{name: "seconds path missing", state: State{SecondsPath: "$.poll.waitSeconds"}, input: `{}`, wantErr: "is missing"},
		{name: "seconds path negative", state: State{SecondsPath: "$.n"}, input: `{"n":-1}`, wantErr: "non-negative integer"},
		{name: "seconds path fractional", state: State{SecondsPath: "$.n"}, input: `{"n":1.5}`, wantErr: "non-negative integer"},
		{name: "timestamp ahead", state: State{Timestamp: "2026-01-05T09:01:00Z"}, want: time.Minute},
		{name: "timestamp past", state: State{Timestamp: "2026-01-05T08:00:00Z"}, want: 0},
		{name: "timestamp path", state: State{TimestampPath: "$.at"}, input: `{"at":"2026-01-05T09:00:30Z"}`, want: 30 * time.Second},
		{name: "timestamp path not a string", state: State{TimestampPath: "$.at"}, input: `{"at":1}`, wantErr: "ISO-8601"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.state.Type = "Wait"
			got, err := tt.state.WaitFor(json.RawMessage(tt.input), now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("WaitFor = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}
