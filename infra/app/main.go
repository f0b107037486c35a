// Command app is the dzonboard CDK app (cdk.json runs it): the onboarding stack, checked by
// cdk-nag's AwsSolutions rules.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/infra"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	infra.NewOnboardingStack(app, "Dzonboard", &infra.OnboardingStackProps{
		StackProps: awscdk.StackProps{Env: env()},
	})
	infra.CheckAwsSolutions(app)
	app.Synth(nil)
}

// env returns nil: the stack is environment-agnostic and deploys to the account and region of
// the credentials `cdk deploy` runs with. To pin them, return
// &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")}.
func env() *awscdk.Environment {
	return nil
}
