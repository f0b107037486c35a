package stacktest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/infra"
	"github.com/dzonboard/dzonboard/internal/repo"
)

// StackName is the stack's name in the CDK app (infra/app), and so in the template's file name.
const StackName = "Dzonboard"

var (
	once     sync.Once
	template []byte
	synthErr error
	assetDir string
)

// Template returns the stack's template synthesized with cdk.json's context, once per test
// binary (the first call takes a few seconds).
func Template(t testing.TB) []byte {
	t.Helper()
	once.Do(func() { template, synthErr = synth() })
	if synthErr != nil {
		t.Fatalf("stacktest: synthesize the stack: %v", synthErr)
	}
	return template
}

// Close stops the jsii kernel and removes the placeholder asset; call it from TestMain after
// m.Run.
func Close() {
	jsii.Close()
	if assetDir != "" {
		os.RemoveAll(assetDir)
	}
}

func synth() ([]byte, error) {
	// The jsii kernel runs on the machine's Node 20; its end-of-life banner is noise here.
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	ctx, err := cdkContext()
	if err != nil {
		return nil, err
	}
	if assetDir, err = os.MkdirTemp("", "dzonboard-stacktest-"); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(assetDir, "bootstrap"), []byte("#!/bin/sh\n# stands in for the task binary\n"), 0o755); err != nil {
		return nil, err
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
	stack := infra.NewOnboardingStack(app, StackName, &infra.OnboardingStackProps{AssetDir: assetDir})
	doc := assertions.Template_FromStack(stack, nil).ToJSON()
	return json.Marshal(doc)
}

// cdkContext is the "context" of the repository's cdk.json.
func cdkContext() (map[string]any, error) {
	root, err := repo.Root()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	return cfg.Context, nil
}
