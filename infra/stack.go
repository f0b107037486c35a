package infra

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// DefaultAssetDir is where `make lambda` puts the bootstrap binary, relative to the repository
// root (where cdk runs the app).
const DefaultAssetDir = "build/lambda"

// OnboardingStackProps configure the stack; everything else comes from context (config.go).
type OnboardingStackProps struct {
	awscdk.StackProps
	// AssetDir is the directory holding the task binary `bootstrap` (linux/arm64,
	// provided.al2023); default DefaultAssetDir.
	AssetDir string
	// LogRetention is how long the functions' and the state machine's logs are kept; default
	// three months (the retention of Step Functions execution history).
	LogRetention awslogs.RetentionDays
}

// stackBuilder carries what the parts of the stack share while it is built.
type stackBuilder struct {
	stack     awscdk.Stack
	cfg       Config
	props     OnboardingStackProps
	resources resources
	code      awslambda.Code
	roles     map[roleID]awsiam.Role
	functions map[string]awslambda.Function // by task
}

// NewOnboardingStack builds the onboarding workflow stack in scope. Invalid context is reported
// as a synth error on the stack; a missing bootstrap binary panics (run `make lambda`).
func NewOnboardingStack(scope constructs.Construct, id string, props *OnboardingStackProps) awscdk.Stack {
	var p OnboardingStackProps
	if props != nil {
		p = *props
	}
	if p.AssetDir == "" {
		p.AssetDir = DefaultAssetDir
	}
	if p.LogRetention == "" {
		p.LogRetention = awslogs.RetentionDays_THREE_MONTHS
	}
	if p.Description == nil {
		p.Description = jsii.String("dzonboard: onboards an existing S3 data set into Amazon DataZone (Step Functions workflow, Go task functions).")
	}
	stack := awscdk.NewStack(scope, &id, &p.StackProps)
	cfg, err := ConfigFromContext(stack.Node())
	if err != nil {
		addError(stack, err.Error())
		return stack
	}
	bootstrap := filepath.Join(p.AssetDir, "bootstrap")
	if _, err := os.Stat(bootstrap); err != nil {
		panic(fmt.Sprintf("infra: task binary %s not found (run `make lambda` first): %v", bootstrap, err))
	}
	b := &stackBuilder{
		stack:     stack,
		cfg:       cfg,
		props:     p,
		resources: resources{stack: stack, cfg: cfg},
		code:      awslambda.Code_FromAsset(jsii.String(p.AssetDir), nil),
	}

	b.resources.stateBucket = b.stateBucket()
	b.roles = b.taskRoles()
	b.functions = b.taskFunctions()
	sm := b.stateMachine()
	b.projectMemberships()
	b.dataLakeAdmins()
	alarms := b.alarmTopic()
	b.executionsAlarm(alarms, sm)
	schedule := b.schedule(sm, alarms)
	b.allowAlarms(alarms)
	b.outputs(sm, alarms.topic, schedule)
	b.suppressFindings(sm)
	return stack
}

func addError(c constructs.IConstruct, msg string) {
	awscdk.Annotations_Of(c).AddError(jsii.String(msg))
}

func addWarning(c constructs.IConstruct, id, msg string) {
	awscdk.Annotations_Of(c).AddWarningV2(jsii.String("dzonboard:"+id), jsii.String(msg), nil)
}
