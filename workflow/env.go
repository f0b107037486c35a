package workflow

// The environment variables the stack gives every task function, which the Lambda entry point
// (cmd/task) reads.
const (
	// EnvTask selects the function's task: a name of Tasks.
	EnvTask = "TASK"
	// EnvStateBucket is the state bucket: the table lists and the full reports.
	EnvStateBucket = "DZONBOARD_STATE_BUCKET"
	// EnvLakeFormationRoleARN is given to Preflight, which checks that this role (the one the
	// LakeFormation task runs as) is a data lake administrator.
	EnvLakeFormationRoleARN = "DZONBOARD_LAKEFORMATION_ROLE_ARN"
)
