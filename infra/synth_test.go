package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/workflow"
)

// The context of the "full" stack: every key set, as for the sandbox world's account.
const (
	testDomain    = "dzd_5xk2q8m1v3c9tb"
	testProducer  = "b3n7k2q9x1m4zd"
	testConsumer  = "e4p8s2k7w1n5qa"
	testConsumer2 = "h6r3t9v2y8m4kb"
	testCrawler   = "acme-sales-orders"
	testDatabase  = "acme_sales"
	testSchedule  = "cron(0 6 * * ? *)"
	testTimezone  = "Europe/Berlin"
	testInput     = "../examples/sandbox.json"
	testEmail     = "data-platform@example.com"
)

var fullContext = map[string]interface{}{
	CtxDomainID:           testDomain,
	CtxProducerProjectID:  testProducer,
	CtxConsumerProjectIDs: []interface{}{testConsumer, testConsumer2},
	// The DataZone role was added to the second consumer project by hand.
	CtxExistingMemberships: []interface{}{testConsumer2},
	CtxCrawlerNames:        []interface{}{testCrawler},
	CtxGlueDatabases:       []interface{}{testDatabase},
	CtxSchedule:            testSchedule,
	CtxScheduleTimezone:    testTimezone,
	CtxScheduleInputFile:   testInput,
	CtxAlarmEmail:          testEmail,
}

// synthesis is one synthesized stack.
type synthesis struct {
	stack       awscdk.Stack
	template    assertions.Template
	annotations assertions.Annotations
	resources   map[string]resource // by logical ID
	outputs     map[string]interface{}
	json        []byte // the template
}

type resource struct {
	Type           string
	DeletionPolicy string
	Properties     map[string]interface{}
	Metadata       map[string]interface{}
	DependsOn      []string
}

var (
	synthOnce sync.Once
	synthErr  error
	assetDir  string
)

func TestMain(m *testing.M) {
	// The jsii kernel runs on the machine's Node 20; its end-of-life banner is noise here.
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	code := m.Run()
	jsii.Close()
	if assetDir != "" {
		os.RemoveAll(assetDir)
	}
	os.Exit(code)
}

// stacks synthesizes, once per test binary, the stack with every context key set (full) and
// with none (bare), each in its own app with the AwsSolutions checks, as infra/app does.
func stacks(t *testing.T) (full, bare *synthesis) {
	t.Helper()
	synthOnce.Do(func() { synthErr = synthAll() })
	if synthErr != nil {
		t.Fatalf("synth: %v", synthErr)
	}
	return fullStack, bareStack
}

var fullStack, bareStack *synthesis

func synthAll() error {
	dir, err := os.MkdirTemp("", "dzonboard-infra-test-")
	if err != nil {
		return err
	}
	assetDir = dir
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n# stands in for the task binary\n"), 0o755); err != nil {
		return err
	}
	if fullStack, err = synthStack(fullContext); err != nil {
		return fmt.Errorf("full: %w", err)
	}
	if bareStack, err = synthStack(nil); err != nil {
		return fmt.Errorf("bare: %w", err)
	}
	return nil
}

func synthStack(ctx map[string]interface{}) (*synthesis, error) {
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
	stack := NewOnboardingStack(app, "Dzonboard", &OnboardingStackProps{AssetDir: assetDir})
	CheckAwsSolutions(app)
	s := &synthesis{
		stack:       stack,
		template:    assertions.Template_FromStack(stack, nil),
		annotations: assertions.Annotations_FromStack(stack),
		resources:   map[string]resource{},
	}
	doc := *s.template.ToJSON()
	res, _ := doc["Resources"].(map[string]interface{})
	for id, raw := range res {
		r, _ := raw.(map[string]interface{})
		props, _ := r["Properties"].(map[string]interface{})
		meta, _ := r["Metadata"].(map[string]interface{})
		typ, _ := r["Type"].(string)
		deletion, _ := r["DeletionPolicy"].(string)
		s.resources[id] = resource{Type: typ, DeletionPolicy: deletion, Properties: props, Metadata: meta, DependsOn: strs(r["DependsOn"])}
	}
	s.outputs, _ = doc["Outputs"].(map[string]interface{})
	var err error
	if s.json, err = json.Marshal(doc); err != nil {
		return nil, err
	}
	return s, nil
}

// ofType returns the logical IDs of the resources of a type, sorted.
func (s *synthesis) ofType(typ string) []string {
	var ids []string
	for id, r := range s.resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// functionOf returns the logical ID of the function whose TASK is task.
func (s *synthesis) functionOf(t *testing.T, task string) string {
	t.Helper()
	var found []string
	for _, id := range s.ofType("AWS::Lambda::Function") {
		if env := path(s.resources[id].Properties, "Environment", "Variables", workflow.EnvTask); env == task {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("functions with %s=%s: %v, want exactly one", workflow.EnvTask, task, found)
	}
	return found[0]
}

// path walks nested maps.
func path(v interface{}, keys ...string) interface{} {
	for _, k := range keys {
		m, ok := v.(map[string]interface{})
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// getAtt returns the logical ID of {"Fn::GetAtt": [id, attr]}, or "".
func getAtt(v interface{}, attr string) string {
	l, ok := path(v, "Fn::GetAtt").([]interface{})
	if !ok || len(l) != 2 || l[1] != attr {
		return ""
	}
	id, _ := l[0].(string)
	return id
}

// ref returns the logical ID of {"Ref": id}, or "".
func ref(v interface{}) string {
	id, _ := path(v, "Ref").(string)
	return id
}

func list(v interface{}) []interface{} {
	if l, ok := v.([]interface{}); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []interface{}{v}
}

func strs(v interface{}) []string {
	var out []string
	for _, x := range list(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// statement is one IAM policy statement of the template.
type statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []interface{}
	Condition map[string]interface{}
}

// statementsOf returns every statement that applies to a role: its inline policies and the
// AWS::IAM::Policy resources attached to it. A managed policy fails the test.
func (s *synthesis) statementsOf(t *testing.T, roleID string) []statement {
	t.Helper()
	role, ok := s.resources[roleID]
	if !ok || role.Type != "AWS::IAM::Role" {
		t.Fatalf("%s is not a role", roleID)
	}
	if m := role.Properties["ManagedPolicyArns"]; m != nil {
		t.Errorf("role %s has managed policies %v, want only its own statements", roleID, m)
	}
	var docs []interface{}
	for _, p := range list(role.Properties["Policies"]) {
		docs = append(docs, path(p, "PolicyDocument"))
	}
	for _, id := range s.ofType("AWS::IAM::Policy") {
		p := s.resources[id].Properties
		for _, r := range list(p["Roles"]) {
			if ref(r) == roleID {
				docs = append(docs, p["PolicyDocument"])
			}
		}
	}
	var out []statement
	for _, d := range docs {
		for _, raw := range list(path(d, "Statement")) {
			m, _ := raw.(map[string]interface{})
			st := statement{Actions: strs(m["Action"]), Resources: list(m["Resource"])}
			st.Sid, _ = m["Sid"].(string)
			st.Effect, _ = m["Effect"].(string)
			st.Condition, _ = m["Condition"].(map[string]interface{})
			out = append(out, st)
		}
	}
	return out
}

// actionsOf is the sorted set of actions the statements allow.
func actionsOf(sts []statement) []string {
	set := map[string]bool{}
	for _, st := range sts {
		if st.Effect != "Allow" {
			continue
		}
		for _, a := range st.Actions {
			set[a] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// equalJSON compares two values by their JSON encoding (nil equals an empty map).
func equalJSON(a, b interface{}) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	empty := func(j []byte) bool { s := string(j); return s == "null" || s == "{}" }
	return string(ja) == string(jb) || (empty(ja) && empty(jb))
}
