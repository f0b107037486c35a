package awsapi

import (
	"reflect"
	"sort"

	"github.com/dzonboard/dzonboard/workflow"
)

// Use records that a task calls the methods of API on Service. AsEnvironmentRole marks calls
// made with an environment's own credentials (from GetEnvironmentCredentials): the environment
// role's policies allow them, so the Lambda role needs no permission for them.
type Use struct {
	Task              string
	Service           string // the IAM service prefix
	API               reflect.Type
	AsEnvironmentRole bool
}

// Uses is every interface every task calls. A test checks that every interface of this package
// is listed here, and the CDK stack grants each task's role exactly the actions that follow.
var Uses = []Use{
	{Task: workflow.TaskPreflight, Service: "sts", API: reflect.TypeFor[PreflightSTS]()},
	{Task: workflow.TaskPreflight, Service: "datazone", API: reflect.TypeFor[PreflightDataZone]()},
	{Task: workflow.TaskPreflight, Service: "glue", API: reflect.TypeFor[PreflightGlue]()},
	{Task: workflow.TaskPreflight, Service: "lakeformation", API: reflect.TypeFor[PreflightLakeFormation]()},
	{Task: workflow.TaskLakeFormation, Service: "lakeformation", API: reflect.TypeFor[LocationAPI]()},
	{Task: workflow.TaskCrawl, Service: "glue", API: reflect.TypeFor[CrawlerAPI]()},
	{Task: workflow.TaskTables, Service: "glue", API: reflect.TypeFor[TablesGlue]()},
	{Task: workflow.TaskTables, Service: "lakeformation", API: reflect.TypeFor[TablesLakeFormation]()},
	{Task: workflow.TaskDataSource, Service: "datazone", API: reflect.TypeFor[DataSourceAPI]()},
	{Task: workflow.TaskRun, Service: "datazone", API: reflect.TypeFor[RunAPI]()},
	{Task: workflow.TaskPublish, Service: "datazone", API: reflect.TypeFor[PublishAPI]()},
	{Task: workflow.TaskSubscribe, Service: "datazone", API: reflect.TypeFor[SubscribeAPI]()},
	{Task: workflow.TaskVerify, Service: "datazone", API: reflect.TypeFor[VerifyDataZone]()},
	{Task: workflow.TaskVerify, Service: "glue", API: reflect.TypeFor[VerifyGlue]()},
	{Task: workflow.TaskVerify, Service: "athena", API: reflect.TypeFor[VerifyAthena](), AsEnvironmentRole: true},
}

// Every task but Preflight reads its table list from the state bucket and writes the next one
// (Report: the full report); the stack scopes the writes to workflow.WritePrefix(task). Such a
// task may also list the bucket: without s3:ListBucket, S3 answers a GetObject of a missing
// (expired) key with 403 AccessDenied instead of 404 NoSuchKey (S3 API reference, GetObject),
// and the task would ask for a permission it has.
func init() {
	for _, task := range workflow.Tasks {
		if task != workflow.TaskPreflight {
			Uses = append(Uses, Use{Task: task, Service: "s3", API: reflect.TypeFor[StateObjects]()})
			Extra[task] = append(Extra[task], "s3:ListBucket")
		}
	}
}

// Extra are IAM actions a task needs beyond the operations it calls: AWS performs them on the
// caller's behalf. Registering a location with the service-linked role makes Lake Formation
// create the role (first time) and add the path to its inline policy; Lake Formation reads the
// Glue catalog as the grantor when granting on named databases and tables.
var Extra = map[string][]string{
	workflow.TaskLakeFormation: {
		"iam:CreateServiceLinkedRole", "iam:GetRole", "iam:PutRolePolicy",
		"glue:GetDatabase", "glue:GetTable", "glue:GetTables",
	},
	workflow.TaskTables: {"glue:GetTable"},
}

// Unauthenticated are operations IAM does not authorise: no policy grants or denies them.
var Unauthenticated = map[string]bool{"sts:GetCallerIdentity": true}

// Actions returns the IAM actions the Lambda role of a task needs ("glue:GetCrawler", ...),
// sorted: every method of every interface it uses as itself, plus Extra.
func Actions(task string) []string {
	set := map[string]bool{}
	for _, u := range Uses {
		if u.Task != task || u.AsEnvironmentRole {
			continue
		}
		for _, op := range Operations(u.API) {
			if a := u.Service + ":" + op; !Unauthenticated[a] {
				set[a] = true
			}
		}
	}
	for _, a := range Extra[task] {
		set[a] = true
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Operations returns the method names of an interface type, sorted.
func Operations(api reflect.Type) []string {
	ops := make([]string, api.NumMethod())
	for i := range ops {
		ops[i] = api.Method(i).Name
	}
	sort.Strings(ops)
	return ops
}
