// Command task is the Lambda entry point of every dzonboard task worker: one binary, built as
// bootstrap for provided.al2023, whose TASK environment variable selects the handler
// (workflow.Tasks, or DataLakeAdmins for the stack's custom resource). main only wires things up.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfadmins"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	task := os.Getenv(workflow.EnvTask)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fail("load AWS configuration: %v", err)
	}
	if task == awsapi.TaskDataLakeAdmins {
		lambda.Start(cfn.LambdaWrap(lfadmins.New(lakeformation.NewFromConfig(cfg)).Handle))
		return
	}
	var names []string
	for _, e := range registry.Build(registry.Options{
		Config:               cfg,
		LakeFormationRoleARN: os.Getenv(workflow.EnvLakeFormationRoleARN),
		StateBucket:          os.Getenv(workflow.EnvStateBucket),
	}) {
		if e.Name == task {
			e.Start()
			return
		}
		names = append(names, e.Name)
	}
	sort.Strings(names)
	fail("TASK=%q is not a task; set it to one of %v or %s", task, names, awsapi.TaskDataLakeAdmins)
}

func fail(format string, args ...any) {
	slog.Error(fmt.Sprintf(format, args...))
	os.Exit(1)
}
