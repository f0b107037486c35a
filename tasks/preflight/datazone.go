package preflight

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// defaultDataLake is the name of DataZone's managed data lake blueprint.
const defaultDataLake = "DefaultDataLake"

// envRef is one environment to check and the input fields that name it and its project.
type envRef struct {
	field, projectField string
	projectID, envID    string
}

// dataZone checks the domain, the blueprint, each environment and project membership.
func (c *check) dataZone(ctx context.Context) error {
	ok, err := c.domain(ctx)
	if err != nil || !ok {
		return err
	}
	blueprint, err := c.blueprint(ctx)
	if err != nil {
		return err
	}
	refs := []envRef{{field: "environmentId", projectField: "projectId", projectID: c.in.ProjectID, envID: c.in.EnvironmentID}}
	for i, cons := range c.in.Consumers {
		f := fmt.Sprintf("consumers[%d]", i)
		refs = append(refs, envRef{field: f + ".environmentId", projectField: f + ".projectId", projectID: cons.ProjectID, envID: cons.EnvironmentID})
	}
	for i, ref := range refs {
		target, found, err := c.environment(ctx, ref, blueprint)
		if err != nil {
			return err
		}
		if i == 0 {
			c.producer = target
		} else {
			c.consumers = append(c.consumers, target)
		}
		if found {
			if err := c.membership(ctx, ref); err != nil {
				return err
			}
		}
	}
	return nil
}

// domain checks that the domain exists, is V1 and AVAILABLE. It returns false when the
// environment checks would only repeat that the domain is unusable.
func (c *check) domain(ctx context.Context) (bool, error) {
	id := c.in.DomainID
	out, err := c.d.DataZone.GetDomain(ctx, &datazone.GetDomainInput{Identifier: aws.String(id)})
	var notFound *dztypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		c.add("domainId", fmt.Sprintf("DataZone domain %s does not exist in this account and region.", id),
			"use the ID of an existing domain (dzd_...), and run the workflow in the domain's account and region.")
		return false, nil
	case err != nil:
		return false, c.failed("domainId", "get DataZone domain "+id, err)
	}
	slog.InfoContext(ctx, "domain", "domain", id, "version", string(out.DomainVersion), "status", string(out.Status))
	if out.DomainVersion == dztypes.DomainVersionV2 {
		c.add("domainId", fmt.Sprintf("DataZone domain %s is a V2 domain (Amazon SageMaker Unified Studio), which dzonboard does not support: it onboards into V1 DataZone domains with DefaultDataLake environments.", id),
			"use a V1 Amazon DataZone domain; in SageMaker Unified Studio, publish the data through the project's lakehouse catalog instead.")
		return false, nil
	}
	if out.Status != dztypes.DomainStatusAvailable {
		c.add("domainId", fmt.Sprintf("DataZone domain %s is %s, not AVAILABLE.", id, out.Status),
			"wait until the domain is AVAILABLE (or use an available domain) and start again.")
	}
	return true, nil
}

// blueprint finds the managed DefaultDataLake blueprint and its manage-access role. It returns the
// blueprint ID, or "" when there is none.
func (c *check) blueprint(ctx context.Context) (string, error) {
	var id string
	p := datazone.NewListEnvironmentBlueprintsPaginator(c.d.DataZone, &datazone.ListEnvironmentBlueprintsInput{
		DomainIdentifier: aws.String(c.in.DomainID),
		Managed:          aws.Bool(true),
		Name:             aws.String(defaultDataLake),
	})
	for id == "" && p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", c.failed("domainId", "list the managed environment blueprints of domain "+c.in.DomainID, err)
		}
		for _, b := range out.Items {
			if aws.ToString(b.Name) == defaultDataLake {
				id = aws.ToString(b.Id)
				break
			}
		}
	}
	if id == "" {
		c.add("domainId", fmt.Sprintf("DataZone domain %s has no managed %s blueprint.", c.in.DomainID, defaultDataLake),
			"enable the DefaultDataLake blueprint in the domain (DataZone console > Blueprints > DefaultDataLake > Enable) with a manage access role.")
		return "", nil
	}

	out, err := c.d.DataZone.GetEnvironmentBlueprintConfiguration(ctx, &datazone.GetEnvironmentBlueprintConfigurationInput{
		DomainIdentifier:               aws.String(c.in.DomainID),
		EnvironmentBlueprintIdentifier: aws.String(id),
	})
	var notFound *dztypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
	case err != nil:
		return id, c.failed("domainId", "get the configuration of blueprint "+defaultDataLake, err)
	default:
		c.manageAccessRole = aws.ToString(out.ManageAccessRoleArn)
	}
	if c.manageAccessRole == "" {
		c.add("domainId", fmt.Sprintf("the %s blueprint of domain %s has no manage access role in this account and region, so DataZone cannot read or grant the Glue tables.", defaultDataLake, c.in.DomainID),
			"enable the blueprint with a manage access role (DataZone console > Blueprints > DefaultDataLake > Manage access role; the default is AmazonDataZoneGlueAccess-<region>-<domainId>).")
	}
	slog.InfoContext(ctx, "blueprint", "blueprintId", id, "manageAccessRoleArn", c.manageAccessRole)
	return id, nil
}

// environment checks one environment; found reports whether DataZone returned it.
func (c *check) environment(ctx context.Context, ref envRef, blueprint string) (workflow.Target, bool, error) {
	target := workflow.Target{ProjectID: ref.projectID, EnvironmentID: ref.envID}
	env, err := c.d.DataZone.GetEnvironment(ctx, &datazone.GetEnvironmentInput{
		DomainIdentifier: aws.String(c.in.DomainID),
		Identifier:       aws.String(ref.envID),
	})
	var notFound *dztypes.ResourceNotFoundException
	switch {
	case notPermitted(err):
		c.notAMember(ref, "GetEnvironment", err)
		return target, false, nil
	case errors.As(err, &notFound):
		c.add(ref.field, fmt.Sprintf("DataZone environment %s does not exist in domain %s.", ref.envID, c.in.DomainID),
			"use the ID of the project's DefaultDataLake environment (DataZone portal > project > Environments).")
		return target, false, nil
	case err != nil:
		return target, false, c.failed(ref.field, "get DataZone environment "+ref.envID, err)
	}

	target.EnvironmentName = aws.ToString(env.Name)
	if ref.field == "environmentId" {
		c.region = aws.ToString(env.AwsAccountRegion)
	}
	if pid := aws.ToString(env.ProjectId); pid != ref.projectID {
		c.add(ref.field, fmt.Sprintf("environment %s belongs to project %s, not to %s %s.", ref.envID, pid, ref.projectField, ref.projectID),
			fmt.Sprintf("use an environment of project %s, or set %s to %s.", ref.projectID, ref.projectField, pid))
	}
	if env.Status != dztypes.EnvironmentStatusActive {
		c.add(ref.field, fmt.Sprintf("environment %s is %s: %s", ref.envID, env.Status, statusMeaning(env)), statusFix(env.Status))
	}
	if blueprint != "" && aws.ToString(env.EnvironmentBlueprintId) != blueprint {
		c.add(ref.field, fmt.Sprintf("environment %s was not made from the managed %s blueprint (its blueprint is %s).", ref.envID, defaultDataLake, aws.ToString(env.EnvironmentBlueprintId)),
			"use a DefaultDataLake (data lake) environment of the project.")
	}

	rs := env.ProvisionedResources
	slog.InfoContext(ctx, "environment provisioned resources", "environment", ref.envID, "unconfirmed", resourceList(rs))
	target.SubscriptionDatabase = resource(rs, "glueConsumerDBName")
	target.UserRoleARN = resource(rs, "userRoleArn")
	target.Workgroup = workgroup(rs)
	missing := func(what, key string) {
		c.add(ref.field, fmt.Sprintf("environment %s reports no %s (provisioned resource %s; it has: %s).", ref.envID, what, key, resourceList(rs)),
			"use a DefaultDataLake environment whose deployment completed; redeploy the environment if it was changed by hand.")
	}
	if target.SubscriptionDatabase == "" {
		missing("subscription database", "glueConsumerDBName")
	}
	if target.UserRoleARN == "" {
		missing("user role", "userRoleArn")
	}
	if target.Workgroup == "" {
		missing("Athena workgroup", "workgroupName, athenaWorkGroupName or any name or type containing \"workgroup\"")
	}
	return target, true, nil
}

// membership proves the caller may write in the project (a member): DataZone checks membership
// on ListDataSources as it does on CreateDataSource.
func (c *check) membership(ctx context.Context, ref envRef) error {
	if c.notMember[ref.projectID] {
		return nil
	}
	p := datazone.NewListDataSourcesPaginator(c.d.DataZone, &datazone.ListDataSourcesInput{
		DomainIdentifier:      aws.String(c.in.DomainID),
		ProjectIdentifier:     aws.String(ref.projectID),
		EnvironmentIdentifier: aws.String(ref.envID),
	})
	// The first page proves membership; the data sources themselves are EnsureDataSource's.
	_, err := p.NextPage(ctx)
	switch {
	case notPermitted(err):
		c.notAMember(ref, "ListDataSources", err)
	case err != nil:
		return c.failed(ref.projectField, "list the data sources of project "+ref.projectID, err)
	}
	return nil
}

// notPermitted reports whether err is DataZone's "User is not permitted to perform operation"
// access denial, which is about project membership; an IAM denial says "is not authorized".
func notPermitted(err error) bool {
	var denied *dztypes.AccessDeniedException
	return errors.As(err, &denied) && strings.Contains(awsapi.Message(err), "not permitted")
}

// notAMember records, once per project, that the caller is not a member of the project.
func (c *check) notAMember(ref envRef, op string, err error) {
	if c.notMember[ref.projectID] {
		return
	}
	c.notMember[ref.projectID] = true
	c.add(ref.projectField,
		fmt.Sprintf("the workflow's role %s is not a member of DataZone project %s, so DataZone refuses its calls (%s: %s).", c.who(), ref.projectID, op, awsapi.Message(err)),
		fmt.Sprintf("DataZone checks project membership as well as IAM: add the role to the project as a contributor (the stack's ProjectMembership, or aws datazone create-project-membership --domain-identifier %s --project-identifier %s --designation PROJECT_CONTRIBUTOR --member userIdentifier=%s).", c.in.DomainID, ref.projectID, c.who()))
}

// statusMeaning says what an environment status means.
func statusMeaning(env *datazone.GetEnvironmentOutput) string {
	var reason string
	if d := env.LastDeployment; d != nil && d.FailureReason != nil {
		reason = " (" + aws.ToString(d.FailureReason.Message) + ")"
	}
	switch env.Status {
	case dztypes.EnvironmentStatusCreating, dztypes.EnvironmentStatusUpdating:
		return "DataZone is still deploying it; only an ACTIVE environment has its databases, role and workgroup."
	case dztypes.EnvironmentStatusCreateFailed, dztypes.EnvironmentStatusUpdateFailed, dztypes.EnvironmentStatusValidationFailed:
		return "its last deployment failed" + reason + "."
	case dztypes.EnvironmentStatusDeleting, dztypes.EnvironmentStatusDeleted, dztypes.EnvironmentStatusDeleteFailed:
		return "it is being deleted or was deleted" + reason + "."
	case dztypes.EnvironmentStatusSuspended, dztypes.EnvironmentStatusDisabled, dztypes.EnvironmentStatusExpired:
		return "it is switched off and cannot be used until it is enabled again."
	case dztypes.EnvironmentStatusInaccessible:
		return "DataZone cannot reach its resources (a role or account it needs was changed or removed)."
	}
	return "only ACTIVE environments can be used."
}

// statusFix says what to do about an environment status.
func statusFix(s dztypes.EnvironmentStatus) string {
	switch s {
	case dztypes.EnvironmentStatusCreating, dztypes.EnvironmentStatusUpdating:
		return "wait until the environment is ACTIVE and start again."
	case dztypes.EnvironmentStatusCreateFailed, dztypes.EnvironmentStatusUpdateFailed, dztypes.EnvironmentStatusValidationFailed:
		return "fix the deployment error shown on the environment in the DataZone portal and redeploy it, or use another ACTIVE environment."
	}
	return "use an ACTIVE DefaultDataLake environment of the project."
}
