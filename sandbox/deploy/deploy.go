package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/cfntemplate"
	"github.com/dzonboard/dzonboard/sandbox/iampolicy"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfadmins"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
)

// handlerTimeout is the time the custom-resource handler is given, as a Lambda's remaining time.
const handlerTimeout = 16 * time.Second

// contributor is the designation of the one-time admin step (README, "One-time admin steps").
const contributor = "PROJECT_CONTRIBUTOR"

// Options configure Deploy.
type Options struct {
	// StackName names the stack: roles without a RoleName are <StackName>-<LogicalId>.
	StackName string
	// Config reaches the sandbox (region, BaseEndpoint, retryer) and signs as the world's
	// administrator; each role's calls use a copy with the role's access key.
	Config aws.Config
	// DomainID and ProjectIDs are the execution input's domain and its producer and consumer
	// projects, for the one-time admin step when the template has no project membership.
	DomainID   string
	ProjectIDs []string
	// Log gets one line per step (nil: none).
	Log io.Writer
}

// Deployment is a template as deployed into a sandbox.
type Deployment struct {
	Stack *cfntemplate.Stack
	// Keys are the deployed roles' access keys, by role ARN.
	Keys map[string]sandbox.AccessKey
	cfg  aws.Config
}

// Deploy stands the template up in sb (see the package documentation).
func Deploy(ctx context.Context, sb *sandbox.Sandbox, template []byte, opt Options) (*Deployment, error) {
	tmpl, err := cfntemplate.Parse(template)
	if err != nil {
		return nil, fmt.Errorf("deploy %s: %w", opt.StackName, err)
	}
	w := sb.World()
	st, err := tmpl.Stack(cfntemplate.Env{StackName: opt.StackName, Account: w.Account, Region: w.Region, Partition: sb.Partition()})
	if err != nil {
		return nil, fmt.Errorf("deploy %s: %w", opt.StackName, err)
	}
	d := &Deployment{Stack: st, Keys: map[string]sandbox.AccessKey{}, cfg: opt.Config}
	log := func(format string, args ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "deploy: "+format+"\n", args...)
		}
	}
	if err := d.roles(sb, log); err != nil {
		return nil, fmt.Errorf("deploy %s: %w", opt.StackName, err)
	}
	for _, b := range st.Buckets {
		if err := sb.CreateBucket(b.Name); err != nil {
			return nil, fmt.Errorf("deploy %s: %s: %w", opt.StackName, b.LogicalID, err)
		}
		log("bucket %s", b.Name)
	}
	if err := d.memberships(ctx, opt, log); err != nil {
		return nil, fmt.Errorf("deploy %s: %w", opt.StackName, err)
	}
	if err := d.customResources(ctx, log); err != nil {
		return nil, fmt.Errorf("deploy %s: %w", opt.StackName, err)
	}
	return d, nil
}

// roles deploys every role with its policies.
func (d *Deployment) roles(sb *sandbox.Sandbox, log func(string, ...any)) error {
	for _, r := range d.Stack.Roles {
		var policies []*iampolicy.Policy
		statements := 0
		for _, doc := range r.Policies {
			p, err := iampolicy.Parse(doc.Document)
			if err != nil {
				return fmt.Errorf("role %s: policy %s: %w", r.LogicalID, doc.Source, err)
			}
			policies = append(policies, p)
			statements += len(p.Statements)
		}
		d.Keys[r.ARN] = sb.DeployRole(r.ARN, policies)
		log("role %s: %d %s, %d %s", r.Name, len(policies), plural(len(policies), "policy", "policies"),
			statements, plural(statements, "statement", "statements"))
		for _, arn := range r.ManagedPolicyARNs {
			// An AWS managed policy's document is not in the template: the sandbox does not know
			// it and treats it as granting nothing.
			log("role %s: managed policy %s is not in the template; the sandbox grants nothing for it", r.Name, arn)
		}
	}
	return nil
}

// memberships creates the template's project memberships as the administrator, or does the
// one-time admin step for the DataZone role when it has none.
func (d *Deployment) memberships(ctx context.Context, opt Options, log func(string, ...any)) error {
	dz := datazone.NewFromConfig(d.cfg)
	add := func(domain, project, designation string, member dztypes.Member, who string) error {
		_, err := dz.CreateProjectMembership(ctx, &datazone.CreateProjectMembershipInput{
			DomainIdentifier: aws.String(domain), ProjectIdentifier: aws.String(project),
			Designation: dztypes.UserDesignation(designation), Member: member,
		})
		var ve *dztypes.ValidationException
		switch {
		case errors.As(err, &ve) && strings.Contains(aws.ToString(ve.Message), "already in the project"):
			log("project %s: %s is already a member", project, who)
			return nil
		case err != nil:
			return fmt.Errorf("make %s a %s of project %s: %w", who, designation, project, err)
		}
		log("project %s: %s is now a %s", project, who, designation)
		return nil
	}
	for _, m := range d.Stack.ProjectMemberships {
		var member dztypes.Member = &dztypes.MemberMemberUserIdentifier{Value: m.UserIdentifier}
		who := m.UserIdentifier
		if m.GroupIdentifier != "" {
			member, who = &dztypes.MemberMemberGroupIdentifier{Value: m.GroupIdentifier}, "group "+m.GroupIdentifier
		}
		if err := add(m.DomainIdentifier, m.ProjectIdentifier, m.Designation, member, who); err != nil {
			return fmt.Errorf("%s: %w", m.LogicalID, err)
		}
	}
	if len(d.Stack.ProjectMemberships) > 0 {
		return nil
	}
	roles := d.dataZoneRoles()
	if len(roles) == 0 || len(opt.ProjectIDs) == 0 {
		log("no project membership in the template and no project to add the DataZone role to")
		return nil
	}
	log("no project membership in the template: the one-time admin step adds %s to the input's projects", strings.Join(roles, ", "))
	for _, p := range opt.ProjectIDs {
		for _, role := range roles {
			if err := add(opt.DomainID, p, contributor, &dztypes.MemberMemberUserIdentifier{Value: role}, role); err != nil {
				return fmt.Errorf("one-time admin step: %w", err)
			}
		}
	}
	return nil
}

// dataZoneRoles are the roles of the functions whose task calls DataZone (tasks/awsapi.Uses), sorted.
func (d *Deployment) dataZoneRoles() []string {
	calls := map[string]bool{}
	for _, u := range awsapi.Uses {
		if u.Service == "datazone" && !u.AsEnvironmentRole {
			calls[u.Task] = true
		}
	}
	var roles []string
	for _, fn := range d.Stack.Functions {
		if calls[fn.Environment[workflow.EnvTask]] && !slices.Contains(roles, fn.RoleARN) {
			roles = append(roles, fn.RoleARN)
		}
	}
	sort.Strings(roles)
	return roles
}

// customResources applies each Custom::DataLakeAdmins resource with the real handler, as the
// role of the function its ServiceToken names; the sandbox has no handler for other types.
func (d *Deployment) customResources(ctx context.Context, log func(string, ...any)) error {
	for _, cr := range d.Stack.CustomResources {
		token, _ := cr.Properties["ServiceToken"].(string)
		fn, ok := d.function(token)
		if !ok || fn.Environment[workflow.EnvTask] != awsapi.TaskDataLakeAdmins {
			log("%s (%s): not applied, the sandbox has no handler for %s", cr.LogicalID, cr.Type, token)
			continue
		}
		cfg, err := d.configFor(fn.RoleARN)
		if err != nil {
			return fmt.Errorf("%s: %w", cr.LogicalID, err)
		}
		ev := cfn.Event{
			RequestType:        cfn.RequestCreate,
			RequestID:          "00000000-0000-4000-8000-00000000cf01",
			ResponseURL:        "https://cloudformation-custom-resource-response.invalid/",
			ResourceType:       cr.Type,
			LogicalResourceID:  cr.LogicalID,
			StackID:            fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000", d.Stack.Env.Partition, d.Stack.Env.Region, d.Stack.Env.Account, d.Stack.Env.StackName),
			ResourceProperties: cr.Properties,
		}
		// The handler retries what IAM propagation could heal until its Lambda deadline less the
		// 15 s it keeps for cfn.LambdaWrap. The sandbox has no propagation delay, so the
		// invocation gets a deadline that leaves no time for retries: a denial fails at once.
		hctx, cancel := context.WithTimeout(ctx, handlerTimeout)
		id, _, err := lfadmins.New(lakeformation.NewFromConfig(cfg)).Handle(hctx, ev)
		cancel()
		if err != nil {
			return fmt.Errorf("%s (%s) as %s: %w", cr.LogicalID, cr.Type, fn.RoleARN, err)
		}
		log("%s (%s): created as %s, physical ID %s", cr.LogicalID, cr.Type, fn.RoleARN, id)
	}
	return nil
}

// function finds a function by ARN.
func (d *Deployment) function(arn string) (cfntemplate.Function, bool) {
	for _, fn := range d.Stack.Functions {
		if fn.ARN == arn {
			return fn, true
		}
	}
	return cfntemplate.Function{}, false
}

// configFor is the deployment's configuration signing with a deployed role's key.
func (d *Deployment) configFor(roleARN string) (aws.Config, error) {
	key, ok := d.Keys[roleARN]
	if !ok {
		return aws.Config{}, fmt.Errorf("role %s is not a role of the template", roleARN)
	}
	return As(d.cfg, key), nil
}

// As returns a copy of cfg that signs with key.
func As(cfg aws.Config, key sandbox.AccessKey) aws.Config {
	c := cfg.Copy()
	c.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key.ID, key.Secret, ""))
	return c
}

// TaskConfigs returns, for each task a function of the template runs (its TASK variable), cfg
// signing as that function's role: what registry.Options.TaskConfigs wants.
func (d *Deployment) TaskConfigs(cfg aws.Config) map[string]aws.Config {
	out := map[string]aws.Config{}
	for _, fn := range d.Stack.Functions {
		task := fn.Environment[workflow.EnvTask]
		if key, ok := d.Keys[fn.RoleARN]; ok && task != "" {
			out[task] = As(cfg, key)
		}
	}
	return out
}

// Options are the task handlers' options for this deployment: each task calls AWS as its
// function's role, Preflight checks the Lake Formation role its function is told about, and the
// tasks keep their documents in the bucket their functions are given. cfg is the sandbox's
// configuration; the clock is the sandbox's.
func (d *Deployment) Options(sb *sandbox.Sandbox, cfg aws.Config) registry.Options {
	return registry.Options{
		Config:               cfg,
		TaskConfigs:          d.TaskConfigs(cfg),
		LakeFormationRoleARN: d.TaskEnvironment(workflow.TaskPreflight)[workflow.EnvLakeFormationRoleARN],
		StateBucket:          d.TaskEnvironment(workflow.TaskTables)[workflow.EnvStateBucket],
		Now:                  sb.Now,
		Sleep:                sb.Sleep,
	}
}

// TaskEnvironment returns the environment variables of the function that runs task.
func (d *Deployment) TaskEnvironment(task string) map[string]string {
	for _, fn := range d.Stack.Functions {
		if fn.Environment[workflow.EnvTask] == task {
			return fn.Environment
		}
	}
	return nil
}

// TaskRole returns the role ARN of the function that runs task.
func (d *Deployment) TaskRole(task string) string {
	for _, fn := range d.Stack.Functions {
		if fn.Environment[workflow.EnvTask] == task {
			return fn.RoleARN
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
