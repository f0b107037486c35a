package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfadmins"
)

const (
	// dataLakeAdminsTimeout covers the handler's retry window (two minutes for IAM propagation)
	// plus the margin it keeps to answer CloudFormation.
	dataLakeAdminsTimeout = 180
	// dataLakeAdminsServiceTimeout is how long CloudFormation waits for the answer.
	dataLakeAdminsServiceTimeout = 300
)

// dataLakeAdmins makes the Lake Formation role a data lake administrator (granting with grant
// option needs one) and the DataZone role a read-only administrator with the
// Custom::DataLakeAdmins resource (tasks/lfadmins): a read-modify-write of the data lake settings
// that keeps every other entry and setting, and on delete removes only what it added.
// AWS::LakeFormation::DataLakeSettings cannot promise that (see tasks/lfadmins).
//
// The DataZone role reads catalog metadata and grants (Preflight, Verify): Lake Formation hides a
// managed table's metadata from a principal without permissions on it, and shows a
// non-administrator only its own grants; a read-only administrator may view all catalog metadata
// and every grant, and grant nothing (../shared/docs/aws-reference.md §14).
func (b *stackBuilder) dataLakeAdmins() {
	lfRole, dzRole, role := b.roles[lakeFormationRole], b.roles[dataZoneRole], b.roles[dataLakeAdmins]
	if lfRole == nil || dzRole == nil || role == nil {
		return
	}
	fn := b.function(awsapi.TaskDataLakeAdmins, role, dataLakeAdminsTimeout, 128, map[string]*string{})
	awscdk.NewCustomResource(b.stack, jsii.String("DataLakeAdmins"), &awscdk.CustomResourceProps{
		ServiceToken:   fn.FunctionArn(),
		ResourceType:   jsii.String(lfadmins.ResourceType),
		ServiceTimeout: awscdk.Duration_Seconds(jsii.Number(dataLakeAdminsServiceTimeout)),
		Properties: &map[string]interface{}{
			lfadmins.AdminsProperty:         []*string{lfRole.RoleArn()},
			lfadmins.ReadOnlyAdminsProperty: []*string{dzRole.RoleArn()},
		},
	})
}
