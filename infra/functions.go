package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	dzonboard "github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/asl"
	"github.com/dzonboard/dzonboard/workflow"
)

const (
	defaultMemoryMB = 256
	// lambdaMargin is how much sooner than its state's TimeoutSeconds a function times out, so
	// that a task (which stops early when its deadline is near) ends before Step Functions gives
	// up on it.
	lambdaMargin      = 30
	defaultStateLimit = 300 // seconds, for a Task state without TimeoutSeconds
	maxLambdaTimeout  = 900
)

// memoryMB is the memory of tasks that need more than the default: the ones that hold the whole
// table list with what they read for every table (Run its activities, Publish the listings,
// Subscribe the subscriptions and grants, Verify the query results; Tables the permissions).
// 10,000 verified tables for three projects are about 17 MB of JSON and, decoded and copied,
// about 180 MB of process memory.
var memoryMB = map[string]float64{
	workflow.TaskTables:    512,
	workflow.TaskRun:       512,
	workflow.TaskPublish:   512,
	workflow.TaskSubscribe: 512,
	workflow.TaskVerify:    512,
}

// MemoryMB is the memory of the function of task, in MB.
func MemoryMB(task string) float64 {
	if m, ok := memoryMB[task]; ok {
		return m
	}
	return defaultMemoryMB
}

// taskFunctions creates one function per workflow task, each running as its group's role.
func (b *stackBuilder) taskFunctions() map[string]awslambda.Function {
	limits, err := stateTimeouts(dzonboard.StateMachineASL)
	if err != nil {
		addError(b.stack, "infra: statemachine.asl.json: "+err.Error())
	}
	fns := map[string]awslambda.Function{}
	for _, task := range workflow.Tasks {
		role, ok := b.roles[roleOf(task)]
		if !ok {
			addError(b.stack, fmt.Sprintf("infra: task %s has no role: add it to roleGroups in infra/roles.go", task))
			continue
		}
		limit, ok := limits[task]
		if !ok {
			limit = defaultStateLimit
		}
		env := map[string]*string{workflow.EnvStateBucket: b.resources.stateBucket.BucketName()}
		if task == workflow.TaskPreflight {
			if lf, ok := b.roles[lakeFormationRole]; ok {
				env[workflow.EnvLakeFormationRoleARN] = lf.RoleArn()
			}
		}
		memory := MemoryMB(task)
		fns[task] = b.function(task, role, lambdaTimeout(limit), memory, env)
	}
	return fns
}

// function creates the function of task with its log group, and lets role write to that group.
func (b *stackBuilder) function(task string, role awsiam.Role, timeoutSeconds, memory float64, env map[string]*string) awslambda.Function {
	logs := awslogs.NewLogGroup(b.stack, jsii.String(task+"Logs"), &awslogs.LogGroupProps{
		Retention:     b.props.LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	env[workflow.EnvTask] = jsii.String(task)
	fn := awslambda.NewFunction(b.stack, jsii.String(task+"Function"), &awslambda.FunctionProps{
		Description:   jsii.String("dzonboard task " + task),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          b.code,
		Role:          role,
		Timeout:       awscdk.Duration_Seconds(jsii.Number(timeoutSeconds)),
		MemorySize:    jsii.Number(memory),
		Environment:   &env,
		Tracing:       awslambda.Tracing_ACTIVE,
		LogGroup:      logs,
		LoggingFormat: awslambda.LoggingFormat_JSON,
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Logs" + task),
		Actions:   jsii.Strings(logActions...),
		Resources: jsii.Strings(*logs.LogGroupArn()),
	}))
	return fn
}

func lambdaTimeout(stateSeconds int) float64 {
	return float64(min(max(stateSeconds-lambdaMargin, 30), maxLambdaTimeout))
}

// stateTimeouts maps each task to the smallest TimeoutSeconds of the Task states that run it
// (defaultStateLimit for a state without one), nested states included.
func stateTimeouts(def []byte) (map[string]int, error) {
	m, err := asl.Parse(def)
	if err != nil {
		return nil, err
	}
	byPlaceholder := map[string]string{}
	for _, t := range workflow.Tasks {
		byPlaceholder[workflow.Placeholder(t)] = t
	}
	out := map[string]int{}
	for _, ts := range m.Tasks() {
		task, ok := byPlaceholder[ts.Placeholder]
		if !ok {
			continue
		}
		limit := ts.State.TimeoutSeconds
		if limit == 0 {
			limit = defaultStateLimit
		}
		if cur, ok := out[task]; !ok || limit < cur {
			out[task] = limit
		}
	}
	return out, nil
}
