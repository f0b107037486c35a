package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dzonboard/dzonboard/workflow"
)

// validate checks an execution input with the same code as the Preflight task's static checks
// (workflow.ParseInput) and prints "valid" or every problem, one per line.
func (a *app) validate(_ context.Context, args []string) int {
	fs := a.flagSet("validate", "validate --input FILE",
		"Checks an execution input offline, with the same rules the workflow's Preflight state applies,\n"+
			"and prints \"valid\" or every problem found (field: problem Fix: what to do).\n"+
			"Exit status: 0 valid, 1 invalid, 2 bad usage or unreadable file.")
	input := fs.String("input", "", "execution input JSON `file` (- for stdin)")
	if status, ok := a.parse(fs, args, "input"); !ok {
		return status
	}
	data, err := a.readInput(*input)
	if err != nil {
		return a.errorf(exitUsage, "validate", "%v", err)
	}
	_, err = workflow.ParseInput(data)
	if err == nil {
		fmt.Fprintln(a.stdout, "valid")
		return exitOK
	}
	var invalid *workflow.InvalidInputError
	if !errors.As(err, &invalid) {
		fmt.Fprintln(a.stdout, err)
		return exitFailed
	}
	name := *input
	if name == "-" {
		name = "the input from stdin"
	}
	fmt.Fprintf(a.stdout, "%s is not valid (%s):\n", name, plural(len(invalid.Problems), "problem"))
	for _, p := range invalid.Problems {
		fmt.Fprintln(a.stdout, p.String())
	}
	return exitFailed
}

// readInput reads an input file ("-": stdin).
func (a *app) readInput(path string) ([]byte, error) {
	if path == "-" {
		data, err := io.ReadAll(a.stdin)
		if err != nil {
			return nil, fmt.Errorf("read input from stdin: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	return data, nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
