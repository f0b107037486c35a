package lfsetup

import (
	"context"
	"time"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// Prepare is the LakeFormation task. It runs as a data lake administrator.
type Prepare struct {
	lf  awsapi.LocationAPI
	now func() time.Time
}

// NewPrepare returns the LakeFormation task.
func NewPrepare(lf awsapi.LocationAPI, now func() time.Time) *Prepare {
	return &Prepare{lf: lf, now: now}
}

// Handle registers w.Plan.LocationARN with Lake Formation (using the service-linked role) unless
// it or a parent path is registered already, then makes the crawler role's and the manage-access
// role's grants that are missing. It records the outcome in w.LakeFormation; a second execution
// finds everything in place and changes nothing.
func (p *Prepare) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	w.BeginStage(workflow.TaskLakeFormation, p.now())
	reg, err := p.register(ctx, w.Plan.Partition, w.Plan.LocationARN)
	if err != nil {
		return w, err
	}
	state := workflow.LakeFormationState{Registration: reg}
	for _, g := range wantedGrants(w.Plan) {
		made, err := p.ensure(ctx, g)
		if err != nil {
			return w, err
		}
		if made != "" {
			state.Granted = append(state.Granted, made)
		}
	}
	w.LakeFormation = &state
	w.EndStage(workflow.TaskLakeFormation, p.now())
	return w, nil
}
