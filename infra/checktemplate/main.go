// Command checktemplate runs every template check (infra/templatecheck) on the synthesized
// templates of the cdk.out directories it is given, and the cdk-nag report of each, and prints
// one line per check: "ok" and what it verified, or "FAIL" and each problem. It exits 1 when a
// check fails and 2 on bad usage. `make check-template` runs it.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dzonboard/dzonboard/infra/templatecheck"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: checktemplate CDK_OUT_DIR...")
		os.Exit(2)
	}
	failed, err := run(os.Stdout, os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "checktemplate:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// run checks every *.template.json of dirs and reports whether a check failed.
func run(w io.Writer, dirs []string) (failed bool, err error) {
	for _, dir := range dirs {
		templates, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
		if err != nil {
			return false, err
		}
		if len(templates) == 0 {
			return false, fmt.Errorf("%s holds no *.template.json: run make synth first", dir)
		}
		for _, path := range templates {
			f, err := checkTemplate(w, path)
			if err != nil {
				return false, err
			}
			failed = failed || f
		}
	}
	return failed, nil
}

func checkTemplate(w io.Writer, path string) (failed bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	t, err := templatecheck.Parse(data)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintln(w, path)
	for _, r := range templatecheck.Run(t) {
		failed = report(w, r) || failed
	}
	stack := strings.TrimSuffix(filepath.Base(path), ".template.json")
	nag, err := nagResult(filepath.Dir(path), stack)
	if err != nil {
		return false, err
	}
	return report(w, nag) || failed, nil
}

// nagResult reads the stack's AwsSolutions NagReport.
func nagResult(dir, stack string) (templatecheck.Result, error) {
	r := templatecheck.Result{Check: "cdk-nag"}
	reports, err := filepath.Glob(filepath.Join(dir, "AwsSolutions-*"+stack+"-NagReport.csv"))
	if err != nil {
		return r, err
	}
	if len(reports) != 1 {
		r.Problems = []string{fmt.Sprintf("%d AwsSolutions NagReports for %s in %s, want 1: is infra.CheckAwsSolutions applied?", len(reports), stack, dir)}
		return r, nil
	}
	data, err := os.ReadFile(reports[0])
	if err != nil {
		return r, err
	}
	unsuppressed, suppressed, err := templatecheck.NagFindings(data)
	if err != nil {
		return r, fmt.Errorf("%s: %w", reports[0], err)
	}
	r.Problems = unsuppressed
	r.Verified = fmt.Sprintf("AwsSolutions: 0 unsuppressed findings (%d suppressed, each with its reason)", suppressed)
	return r, nil
}

// report prints a result and reports whether it failed.
func report(w io.Writer, r templatecheck.Result) bool {
	if len(r.Problems) == 0 {
		fmt.Fprintf(w, "  ok    %s: %s\n", r.Check, r.Verified)
		return false
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  FAIL  %s: %s\n", r.Check, p)
	}
	return true
}
