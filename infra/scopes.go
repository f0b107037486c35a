package infra

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/internal/iamref"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// scope is the resources (and condition) an action is allowed on.
type scope int

const (
	crawlerScope     scope = iota // the crawlers of crawlerNames
	catalogScope                  // the Glue catalog, the databases of glueDatabases and their tables
	domainScope                   // the DataZone domain of domainId
	serviceScope                  // "*": the action has no resource type, so IAM matches it only to "*"
	lfRoleScope                   // Lake Formation's service-linked role
	lfRoleCreate                  // creating that role, only for lakeformation.amazonaws.com
	stateBucketScope              // the state bucket itself (listing it)
	stateReadScope                // the state bucket's table lists (workflow.ReadPrefix)
	stateWriteScope               // the state bucket's prefixes the role's tasks write (workflow.WritePrefix)
)

// actionScopes places each IAM action a task needs (awsapi.Actions) on its resources. An action
// without an entry that AWS's IAM action data (internal/iamref, the Service Authorization
// Reference) lists with no resource type takes "*": IAM ignores a statement that names an ARN for
// such an action, so any narrower resource would be a grant that never applies. The other actions
// fall back to serviceScopes, and an action in none of these fails the synth, so a new SDK call in
// tasks/ cannot reach a role without a decision about its resources.
var actionScopes = map[string]scope{
	"glue:GetCrawler":             crawlerScope,
	"glue:StartCrawler":           crawlerScope,
	"glue:ListCrawls":             crawlerScope,
	"glue:GetDatabase":            catalogScope,
	"glue:GetTables":              catalogScope,
	"glue:GetTable":               catalogScope,
	"iam:GetRole":                 lfRoleScope,
	"iam:PutRolePolicy":           lfRoleScope,
	"iam:CreateServiceLinkedRole": lfRoleCreate,
	"s3:ListBucket":               stateBucketScope,
	"s3:GetObject":                stateReadScope,
	"s3:PutObject":                stateWriteScope,
}

var serviceScopes = map[string]scope{
	// The few DataZone actions with a resource type (GetDomain, UpdateDomain, tagging, ...) take
	// the domain; the others have none (iamref) and take "*" (DataZone's project membership
	// check still limits what the role can touch).
	"datazone": domainScope,
}

// Fixed actions every function's role has besides its tasks' calls: writing its own log group
// (the log group is the resource), and X-Ray tracing (added by CDK for active tracing; X-Ray has
// no resource-level permissions).
var (
	logActions  = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
	xrayActions = []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"}
)

// lfServiceLinkedRole is the role Lake Formation registers locations with.
const lfServiceLinkedRole = "aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"

// resources builds the ARNs of each scope from the configuration.
type resources struct {
	stack       awscdk.Stack
	cfg         Config
	stateBucket awss3.IBucket
}

func scopeOf(action string) (scope, error) {
	if s, ok := actionScopes[action]; ok {
		return s, nil
	}
	if types, known := iamref.ResourceTypes(action); known && len(types) == 0 {
		return serviceScope, nil
	}
	service, _, _ := strings.Cut(action, ":")
	if s, ok := serviceScopes[service]; ok {
		return s, nil
	}
	return 0, fmt.Errorf("no resource scope for %s: decide which resources it needs in infra/scopes.go", action)
}

// statements allows the actions of a role's tasks, one statement per scope, with sorted actions.
func (r resources) statements(g roleGroup) ([]awsiam.PolicyStatement, error) {
	byScope := map[scope][]string{}
	for _, a := range g.actions() {
		s, err := scopeOf(a)
		if err != nil {
			return nil, err
		}
		byScope[s] = append(byScope[s], a)
	}
	scopes := make([]scope, 0, len(byScope))
	for s := range byScope {
		scopes = append(scopes, s)
	}
	slices.Sort(scopes)
	var out []awsiam.PolicyStatement
	for _, s := range scopes {
		acts := byScope[s]
		sort.Strings(acts)
		props := &awsiam.PolicyStatementProps{
			Sid:       jsii.String(sids[s]),
			Actions:   jsii.Strings(acts...),
			Resources: r.arns(s, g.tasks),
		}
		if s == lfRoleCreate {
			props.Conditions = &map[string]interface{}{
				"StringEquals": map[string]interface{}{"iam:AWSServiceName": "lakeformation.amazonaws.com"},
			}
		}
		out = append(out, awsiam.NewPolicyStatement(props))
	}
	return out, nil
}

var sids = map[scope]string{
	crawlerScope:     "Crawlers",
	catalogScope:     "GlueCatalog",
	domainScope:      "DataZoneDomain",
	serviceScope:     "NoResourceLevelPermissions",
	lfRoleScope:      "LakeFormationServiceLinkedRole",
	lfRoleCreate:     "CreateLakeFormationServiceLinkedRole",
	stateBucketScope: "ListStateBucket",
	stateReadScope:   "ReadTableLists",
	stateWriteScope:  "WriteOwnStatePrefix",
}

// arns are the resources of scope s for a role that runs tasks.
func (r resources) arns(s scope, tasks []string) *[]*string {
	switch s {
	case stateBucketScope:
		return &[]*string{r.stateBucket.BucketArn()}
	case stateReadScope:
		return &[]*string{r.stateBucket.ArnForObjects(jsii.String(workflow.ReadPrefix + "*"))}
	case stateWriteScope:
		var out []*string
		for _, t := range tasks {
			if slices.Contains(awsapi.Actions(t), "s3:PutObject") {
				out = append(out, r.stateBucket.ArnForObjects(jsii.String(workflow.WritePrefix(t)+"*")))
			}
		}
		return &out
	case crawlerScope:
		var out []*string
		for _, name := range r.cfg.CrawlerNames {
			out = append(out, r.arn("glue", "crawler", name))
		}
		return &out
	case catalogScope:
		out := []*string{r.arn("glue", "catalog", "")}
		dbs := r.cfg.GlueDatabases
		if len(dbs) == 0 {
			dbs = []string{"*"}
		}
		for _, db := range dbs {
			out = append(out, r.arn("glue", "database", db), r.arn("glue", "table", db+"/*"))
		}
		return &out
	case domainScope:
		id := r.cfg.DomainID
		if id == "" {
			id = "*"
		}
		return &[]*string{r.arn("datazone", "domain", id)}
	case lfRoleScope, lfRoleCreate:
		return &[]*string{r.stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("iam"), Region: jsii.String(""), Resource: jsii.String("role"),
			ResourceName: jsii.String(lfServiceLinkedRole),
		})}
	}
	return &[]*string{jsii.String("*")}
}

func (r resources) arn(service, resource, name string) *string {
	c := &awscdk.ArnComponents{Service: jsii.String(service), Resource: jsii.String(resource)}
	if name != "" {
		c.ResourceName = jsii.String(name)
	}
	return r.stack.FormatArn(c)
}

// wildcardReasons says, for a scope whose ARN contains "*", why it cannot be narrower; cdk-nag
// suppressions quote it (see nag.go).
func (r resources) wildcardReason(s scope) string {
	switch s {
	case crawlerScope:
		return "Crawler ARNs come from the crawlerNames context; it is not set, so the role may run any crawler of this account and region (executions name the crawler at run time). Set crawlerNames to scope it."
	case catalogScope:
		if len(r.cfg.GlueDatabases) == 0 {
			return "Glue database ARNs come from the glueDatabases context; it is not set, so the role may read any database of this account and region (executions name the database at run time). Set glueDatabases to scope it."
		}
		return "Tables are found by the crawler at run time, so the table part of the ARN cannot be named; it is limited to the databases of the glueDatabases context."
	case domainScope:
		return "The DataZone domain ARN (for GetDomain, the one DataZone action here with a resource type) comes from the domainId context; it is not set, so the role may read any domain of this account and region. Set domainId to scope it."
	case stateReadScope:
		return "Each task reads the table list its input names, written by an earlier stage under tables/<stage>/<execution>/ with a content hash in its name; the keys are not known before the execution runs, so the grant is every list of the state bucket, which holds nothing else of value."
	case stateWriteScope:
		return "Each task writes only under its own prefix of the state bucket (tables/<its stage>/, or reports/ for Report); the execution name and content hash in the key are known only at run time."
	case serviceScope:
		return "These actions have no resource type in the Service Authorization Reference (internal/iamref): IAM ignores a statement that names an ARN for such an action, so Resource * is the only grant that takes effect. " +
			"That covers Lake Formation (it authorises with its own grants), every DataZone action but GetDomain and a few others (DataZone's project membership still scopes what the role may touch) and X-Ray's PutTraceSegments/PutTelemetryRecords; the actions are exactly the SDK calls of tasks/awsapi for this role's tasks."
	}
	return ""
}
