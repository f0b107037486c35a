package awsapi

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
)

// TaskDataLakeAdmins is the TASK of the CloudFormation custom resource (tasks/lfadmins) that adds
// the workflow's Lake Formation role to the data lake administrators at deploy time. It is not a
// state of the workflow, so it is not in workflow.Tasks.
const TaskDataLakeAdmins = "DataLakeAdmins"

// DataLakeAdminsAPI: the DataLakeAdmins custom resource reads the data lake settings and writes
// them back with its principals added (Create, Update) or removed (Delete).
type DataLakeAdminsAPI interface {
	GetDataLakeSettings(ctx context.Context, params *lakeformation.GetDataLakeSettingsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.GetDataLakeSettingsOutput, error)
	PutDataLakeSettings(ctx context.Context, params *lakeformation.PutDataLakeSettingsInput, optFns ...func(*lakeformation.Options)) (*lakeformation.PutDataLakeSettingsOutput, error)
}

var _ DataLakeAdminsAPI = (*lakeformation.Client)(nil)

func init() {
	Uses = append(Uses, Use{Task: TaskDataLakeAdmins, Service: "lakeformation", API: reflect.TypeFor[DataLakeAdminsAPI]()})
}
