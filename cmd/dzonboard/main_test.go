package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// repo is the repository root, relative to this package's directory (where go test runs).
const repo = "../../"

// result is what one command run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runApp runs the command with a's seams (newApp's defaults when a is nil).
func runApp(t *testing.T, a *app, stdin string, args ...string) result {
	t.Helper()
	var out, errOut strings.Builder
	if a == nil {
		a = newApp(nil, nil, nil)
	}
	a.stdin, a.stdout, a.stderr = strings.NewReader(stdin), &out, &errOut
	code := a.run(context.Background(), args)
	return result{code, out.String(), errOut.String()}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "no command", args: nil, wantCode: exitUsage, wantStderr: "usage: dzonboard <command> [flags]"},
		{name: "help", args: []string{"help"}, wantCode: exitOK, wantStdout: "run-local"},
		{name: "unknown command", args: []string{"deploy"}, wantCode: exitUsage, wantStderr: `unknown command "deploy"`},
		{name: "command help", args: []string{"validate", "-h"}, wantCode: exitOK, wantStderr: "usage: dzonboard validate --input FILE"},
		{name: "missing required flag", args: []string{"run-local"}, wantCode: exitUsage, wantStderr: "missing --input"},
		{name: "two missing flags", args: []string{"start"}, wantCode: exitUsage, wantStderr: "missing --state-machine-arn, --input"},
		{name: "unknown flag", args: []string{"graph", "--bogus"}, wantCode: exitUsage, wantStderr: "flag provided but not defined: -bogus"},
		{name: "extra argument", args: []string{"validate", "--input", "x.json", "extra"}, wantCode: exitUsage, wantStderr: `unexpected argument "extra"`},
		{name: "bad flag value", args: []string{"run-local", "--input", "x", "--seed", "many"}, wantCode: exitUsage, wantStderr: `invalid value "many" for flag -seed`},
		{name: "sandbox without serve", args: []string{"sandbox"}, wantCode: exitUsage, wantStderr: "usage: dzonboard sandbox serve"},
		{name: "follow needs an execution", args: []string{"follow"}, wantCode: exitUsage, wantStderr: "missing --execution-arn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runApp(t, nil, "", tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, tt.wantCode, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.wantStdout) {
				t.Errorf("stdout %q lacks %q", r.stdout, tt.wantStdout)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.wantStderr)
			}
		})
	}
}

func TestRunUsesStreams(t *testing.T) {
	var out strings.Builder
	if code := run([]string{"help"}, strings.NewReader(""), &out, io.Discard); code != exitOK || !strings.Contains(out.String(), "sandbox") {
		t.Errorf("run help = %d, %q", code, out.String())
	}
}
