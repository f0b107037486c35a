package workflow

import "slices"

// Failures returns the problems of every table a stage left out (Table.Failed) and of every user
// query that failed (Query.Failed), and the stage whose named error ends the execution: the
// earliest of Tasks among those that failed something ("" when nothing failed). Tables come in
// their order, then queries.
func (w Work) Failures() (stage string, ps []Problem) {
	first := len(Tasks)
	note := func(s string) {
		if i := slices.Index(Tasks, s); i >= 0 && i < first {
			first = i
		}
	}
	for _, t := range w.Tables {
		if t.Failed != nil {
			note(t.Failed.Stage)
			ps = append(ps, t.Failed.Problem)
		}
	}
	for _, q := range w.Queries {
		if q.Failed != nil {
			note(TaskVerify)
			ps = append(ps, *q.Failed)
		}
	}
	if len(ps) == 0 {
		return "", nil
	}
	if first == len(Tasks) {
		first = slices.Index(Tasks, TaskReport)
	}
	return Tasks[first], ps
}

// StageError is the named error of a stage that failed some tables or queries on their own, with
// their problems; runID names the data source run of a TableImportError.
func StageError(stage, runID string, ps []Problem) error {
	switch stage {
	case TaskRun:
		return &TableImportError{RunID: runID, Problems: ps}
	case TaskPublish:
		return &PublishFailedError{Problems: ps}
	case TaskSubscribe:
		return &SubscriptionFailedError{Problems: ps}
	}
	return &VerificationFailedError{Problems: ps}
}
