package tasktest

import (
	"slices"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/workflow"
)

// WantError checks that err is, unwrapped, the named error of want's type (a
// *workflow.TransientError{} for "TransientError": the name Step Functions matches) and that its
// message holds every text. A missing error or one of another name ends the test.
func WantError(t testing.TB, err, want error, texts ...string) {
	t.Helper()
	WantErrorName(t, err, workflow.ErrorName(want), texts...)
}

// WantErrorName is WantError for the error's name ("SubscriptionFailedError").
func WantErrorName(t testing.TB, err error, name string, texts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", name)
	}
	if got := workflow.ErrorName(err); got != name {
		t.Fatalf("error %s (%v), want %s", got, err, name)
	}
	for _, s := range texts {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}

// StageEnded reports whether w records the end of stage.
func StageEnded(w workflow.Work, stage string) bool {
	return slices.ContainsFunc(w.Timings, func(s workflow.StageTiming) bool { return s.Stage == stage && !s.EndedAt.IsZero() })
}

// Failure is the error the execution would end with for what w's stages left out (Report's), or
// nil: a test of one stage asserts on it as it would on the stage's own error.
func Failure(w workflow.Work) error {
	stage, ps := w.Failures()
	if stage == "" {
		return nil
	}
	run := ""
	if w.DataSource != nil {
		run = w.DataSource.RunID
	}
	return workflow.StageError(stage, run, ps)
}
