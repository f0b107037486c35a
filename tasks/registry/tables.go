package registry

import (
	"context"
	"errors"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/tablestore"
	"github.com/dzonboard/dzonboard/workflow"
)

// tableStore is the state bucket's tablestore, or the error of its absence.
type tableStore struct {
	*tablestore.Store
	missing error
}

func newTableStore(api awsapi.StateObjects, bucket string) tableStore {
	if bucket == "" {
		return tableStore{missing: &workflow.ServiceError{
			Op:  "read or write the table list",
			Err: errors.New("no state bucket: " + workflow.EnvStateBucket + " is not set. Fix: deploy the stack again, which sets it on every task function"),
		}}
	}
	return tableStore{Store: tablestore.New(api, bucket)}
}

// Load and Save need the bucket only once there are tables: the stages before Tables run
// without it.
func (s tableStore) Load(ctx context.Context, w *workflow.Work) error {
	switch {
	case s.missing == nil:
		return s.Store.Load(ctx, w)
	case w.TableSet != nil:
		return s.missing
	}
	return nil
}

func (s tableStore) Save(ctx context.Context, w *workflow.Work, stage string) error {
	switch {
	case s.missing == nil:
		return s.Store.Save(ctx, w, stage)
	case len(w.Tables) > 0:
		return s.missing
	}
	return nil
}

func (s tableStore) SaveReport(ctx context.Context, execution string, out *workflow.Output) error {
	if s.missing != nil {
		return s.missing
	}
	return s.Store.SaveReport(ctx, execution, out)
}

// stage runs a task of the Work between loading its tables from the state bucket and storing
// them when it changed them: the tables never enter the Step Functions state. A task that fails
// stores nothing; its retry starts again from the same list.
func (s tableStore) stage(name string, h func(context.Context, workflow.Work) (workflow.Work, error)) func(context.Context, workflow.Work) (workflow.Work, error) {
	return func(ctx context.Context, w workflow.Work) (workflow.Work, error) {
		if err := s.Load(ctx, &w); err != nil {
			return w, err
		}
		out, err := h(ctx, w)
		if err != nil {
			return out, err
		}
		if err := s.Save(ctx, &out, name); err != nil {
			return w, err
		}
		return out, nil
	}
}

// loaded runs a task of the Work that returns something else (Report) after loading the tables.
func loaded[Out any](s tableStore, h func(context.Context, workflow.Work) (Out, error)) func(context.Context, workflow.Work) (Out, error) {
	return func(ctx context.Context, w workflow.Work) (Out, error) {
		if err := s.Load(ctx, &w); err != nil {
			var zero Out
			return zero, err
		}
		return h(ctx, w)
	}
}
