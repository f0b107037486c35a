package datasource

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

// duplicateName is the message of the ValidationException CreateDataSource returns for a name
// the project already uses (aws-reference §13).
const duplicateName = "must be unique"

// find returns the ID of the project's GLUE data source with the plan's name in the producer
// environment, or "" when there is none. DataZone may match the name filter loosely, so the name
// is compared again here; a data source being deleted is only returned when nothing else matches.
func find(ctx context.Context, dz awsapi.DataSourceAPI, p workflow.Plan, envID string) (string, error) {
	in := &datazone.ListDataSourcesInput{
		DomainIdentifier:  aws.String(p.DomainID),
		ProjectIdentifier: aws.String(p.Producer.ProjectID),
		Name:              aws.String(p.DataSourceName),
		Type:              aws.String("GLUE"),
	}
	if envID != "" {
		in.EnvironmentIdentifier = aws.String(envID)
	}
	var found, deleting string
	pages := datazone.NewListDataSourcesPaginator(dz, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return "", awsapi.Classify(fmt.Sprintf("list data sources named %s in project %s", p.DataSourceName, p.Producer.ProjectID), err)
		}
		for _, s := range out.Items {
			if aws.ToString(s.Name) != p.DataSourceName || !strings.EqualFold(aws.ToString(s.Type), "GLUE") {
				continue
			}
			if envID != "" && s.EnvironmentId != nil && aws.ToString(s.EnvironmentId) != envID {
				continue
			}
			id := aws.ToString(s.DataSourceId)
			switch {
			case s.Status == dztypes.DataSourceStatusDeleting:
				deleting = id
			case found == "":
				found = id
			default:
				slog.InfoContext(ctx, "several data sources share a name; using the first",
					"name", p.DataSourceName, "using", found, "also", id)
			}
		}
	}
	if found == "" {
		found = deleting
	}
	return found, nil
}

// create creates the plan's data source exactly as aws-reference §4.1 describes, with a client
// token derived from the execution and the name. A name another call took first (a retry, or a
// concurrent execution) is found again and adopted: created reports whether this call made it.
func create(ctx context.Context, dz awsapi.DataSourceAPI, p workflow.Plan) (id string, created bool, err error) {
	op := "create data source " + p.DataSourceName
	out, err := dz.CreateDataSource(ctx, &datazone.CreateDataSourceInput{
		DomainIdentifier:      aws.String(p.DomainID),
		ProjectIdentifier:     aws.String(p.Producer.ProjectID),
		EnvironmentIdentifier: aws.String(p.Producer.EnvironmentID),
		Name:                  aws.String(p.DataSourceName),
		Description:           aws.String(fmt.Sprintf("Glue database %s (%s), onboarded by dzonboard", p.GlueDatabase, p.S3Location)),
		Type:                  aws.String("GLUE"),
		EnableSetting:         dztypes.EnableSettingEnabled,
		// PublishAssets publishes explicitly, after checking every table's import.
		PublishOnImport: aws.Bool(false),
		Recommendation:  &dztypes.RecommendationConfiguration{EnableBusinessNameGeneration: aws.Bool(false)},
		Configuration:   glueConfig(p, nil, nil),
		ClientToken:     aws.String(workflow.ClientToken(p.Execution, workflow.TaskDataSource, p.DataSourceName)),
	})
	if err == nil {
		return aws.ToString(out.Id), true, nil
	}
	var ve *dztypes.ValidationException
	var ce *dztypes.ConflictException
	if !(errors.As(err, &ve) && strings.Contains(ve.ErrorMessage(), duplicateName)) && !errors.As(err, &ce) {
		return "", false, awsapi.Classify(op, err)
	}
	slog.InfoContext(ctx, "data source name already taken; adopting the existing one",
		"name", p.DataSourceName, "unconfirmed", awsapi.Code(err)+": "+awsapi.Message(err))
	id, ferr := find(ctx, dz, p, p.Producer.EnvironmentID)
	if ferr != nil || id != "" {
		return id, false, ferr
	}
	// The name is taken in the project, but not in our environment.
	other, ferr := find(ctx, dz, p, "")
	if ferr != nil {
		return "", false, ferr
	}
	if other != "" {
		return "", false, &workflow.ServiceError{Op: op, Err: fmt.Errorf(
			"data source %s of project %s already uses this name for another environment, not %s Fix: give \"dataSourceName\" another name, or delete data source %s",
			other, p.Producer.ProjectID, p.Producer.EnvironmentID, other)}
	}
	return "", false, awsapi.Classify(op, err)
}
