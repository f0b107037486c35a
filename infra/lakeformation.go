package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfadmins"
)

const (
	// dataLakeAdminsTimeout covers the handler's retry window (IAM propagation) plus a margin.
	dataLakeAdminsTimeout = 180
	// dataLakeAdminsServiceTimeout is how long CloudFormation waits for the answer.
	dataLakeAdminsServiceTimeout = 300
)

// dataLakeAdmins adds the Lake Formation role to the data lake administrators with the
// Custom::DataLakeAdmins resource (tasks/lfadmins): a read-modify-write of the data lake
// settings that keeps every other administrator and setting, and on delete removes only what
// it added. AWS::LakeFormation::DataLakeSettings cannot promise that (see tasks/lfadmins).
func (b *stackBuilder) dataLakeAdmins() {
	lfRole, role := b.roles[lakeFormationRole], b.roles[dataLakeAdmins]
	if lfRole == nil || role == nil {
		return
	}
	fn := b.function(awsapi.TaskDataLakeAdmins, role, dataLakeAdminsTimeout, 128, map[string]*string{})
	awscdk.NewCustomResource(b.stack, jsii.String("DataLakeAdmins"), &awscdk.CustomResourceProps{
		ServiceToken:   fn.FunctionArn(),
		ResourceType:   jsii.String(lfadmins.ResourceType),
		ServiceTimeout: awscdk.Duration_Seconds(jsii.Number(dataLakeAdminsServiceTimeout)),
		Properties: &map[string]interface{}{
			lfadmins.AdminsProperty: []*string{lfRole.RoleArn()},
		},
	})
}
