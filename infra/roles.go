package infra

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// roleID names a role by what it touches.
type roleID string

const (
	glueRole          roleID = "GlueRole"
	lakeFormationRole roleID = "LakeFormationRole"
	dataZoneRole      roleID = "DataZoneRole"
	dataLakeAdmins    roleID = "DataLakeAdminsRole"
)

// roleGroup is a role and the tasks that run as it.
type roleGroup struct {
	id          roleID
	description string
	tasks       []string
}

// roleGroups assigns every task to one role, grouped by what the tasks touch (issue 4 §3).
var roleGroups = []roleGroup{
	{
		id:          glueRole,
		description: "dzonboard: runs the Glue crawler and waits for it.",
		tasks:       []string{workflow.TaskCrawl},
	},
	{
		id:          lakeFormationRole,
		description: "dzonboard: registers the S3 location with Lake Formation and grants on the catalog (a data lake administrator).",
		tasks:       []string{workflow.TaskLakeFormation, workflow.TaskTables},
	},
	{
		id:          dataZoneRole,
		description: "dzonboard: reads the account, runs the DataZone data source, publishes, subscribes and verifies (a project contributor and a Lake Formation read-only administrator).",
		tasks: []string{
			workflow.TaskPreflight, workflow.TaskDataSource, workflow.TaskRun,
			workflow.TaskPublish, workflow.TaskSubscribe, workflow.TaskVerify,
			workflow.TaskReport,
		},
	},
	{
		id:          dataLakeAdmins,
		description: "dzonboard: deploy-time custom resource that makes the Lake Formation role a data lake administrator and the DataZone role a read-only administrator.",
		tasks:       []string{awsapi.TaskDataLakeAdmins},
	},
}

// roleOf returns the role a task runs as.
func roleOf(task string) roleID {
	for _, g := range roleGroups {
		if slices.Contains(g.tasks, task) {
			return g.id
		}
	}
	return ""
}

// roleActions is the union of awsapi.Actions of the group's tasks, sorted.
func (g roleGroup) actions() []string {
	var out []string
	for _, t := range g.tasks {
		for _, a := range awsapi.Actions(t) {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}

// taskRoles creates every role with the statements of its tasks' actions; the functions add
// their log groups (functions.go) and CDK adds X-Ray for active tracing.
func (b *stackBuilder) taskRoles() map[roleID]awsiam.Role {
	roles := map[roleID]awsiam.Role{}
	for _, g := range roleGroups {
		role := awsiam.NewRole(b.stack, jsii.String(string(g.id)), &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String(g.description),
		})
		statements, err := b.resources.statements(g)
		if err != nil {
			addError(role, "infra: role "+string(g.id)+": "+err.Error())
			continue
		}
		for _, s := range statements {
			role.AddToPrincipalPolicy(s)
		}
		roles[g.id] = role
	}
	return roles
}
