package lfsetup

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
)

// Registration outcomes, recorded in workflow.LakeFormationState.Registration.
const (
	registered        = "registered"
	alreadyRegistered = "already registered"
	coveredBy         = "covered by "
)

// register makes sure the location is registered with Lake Formation: already registered, or
// covered by a registered parent path, or registered now with the service-linked role.
func (p *Prepare) register(ctx context.Context, partition, arn string) (string, error) {
	found, err := p.describe(ctx, arn)
	if err != nil || found {
		return alreadyRegistered, err
	}
	parent, err := p.registeredParent(ctx, partition, arn)
	if err != nil {
		return "", awsapi.Classify("list lake formation locations under "+bucketARN(partition, arn), err)
	}
	if parent != "" {
		slog.InfoContext(ctx, "location is covered by a registered parent path", "location", arn, "registered", parent)
		return coveredBy + parent, nil
	}
	_, err = p.lf.RegisterResource(ctx, &lakeformation.RegisterResourceInput{
		ResourceArn:          aws.String(arn),
		UseServiceLinkedRole: aws.Bool(true),
	})
	var exists *lftypes.AlreadyExistsException
	switch {
	case errors.As(err, &exists):
		// Registered by someone else (or an earlier attempt) since we looked.
		if _, err := p.describe(ctx, arn); err != nil {
			return "", err
		}
		return alreadyRegistered, nil
	case err != nil:
		return "", awsapi.Classify("register "+arn+" with lake formation", err)
	}
	slog.InfoContext(ctx, "location registered with the service-linked role", "location", arn)
	return registered, nil
}

// describe reports whether arn is registered itself; EntityNotFound means it is not.
func (p *Prepare) describe(ctx context.Context, arn string) (bool, error) {
	out, err := p.lf.DescribeResource(ctx, &lakeformation.DescribeResourceInput{ResourceArn: aws.String(arn)})
	var notFound *lftypes.EntityNotFoundException
	switch {
	case errors.As(err, &notFound):
		return false, nil
	case err != nil:
		return false, awsapi.Classify("describe lake formation location "+arn, err)
	}
	if info := out.ResourceInfo; info != nil {
		attrs := []any{"location", arn, "roleArn", aws.ToString(info.RoleArn),
			"hybridAccessEnabled", aws.ToBool(info.HybridAccessEnabled), "verificationStatus", string(info.VerificationStatus)}
		if info.VerificationStatus == lftypes.VerificationStatusVerificationFailed {
			slog.WarnContext(ctx, "location is registered but Lake Formation could not verify its role: queries may fail to read it", attrs...)
		} else {
			slog.InfoContext(ctx, "location already registered", attrs...)
		}
	}
	return true, nil
}

// registeredParent returns a registered location that covers arn (arn itself or a parent path
// on a "/" boundary), or "".
func (p *Prepare) registeredParent(ctx context.Context, partition, arn string) (string, error) {
	pg := lakeformation.NewListResourcesPaginator(p.lf, &lakeformation.ListResourcesInput{
		FilterConditionList: []lftypes.FilterCondition{{
			Field:              lftypes.FieldNameStringResourceArn,
			ComparisonOperator: lftypes.ComparisonOperatorBeginsWith,
			StringValueList:    []string{bucketARN(partition, arn)},
		}},
	})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, r := range out.ResourceInfoList {
			if reg := strings.TrimSuffix(aws.ToString(r.ResourceArn), "/"); covers(reg, arn) {
				return reg, nil
			}
		}
	}
	return "", nil
}

// covers reports whether the registered location reg covers arn.
func covers(reg, arn string) bool {
	return reg == arn || strings.HasPrefix(arn, reg+"/")
}

// bucketARN is the bucket part of a location ARN in a partition: arn:<partition>:s3:::bucket.
func bucketARN(partition, arn string) string {
	prefix := "arn:" + partition + ":s3:::"
	rest := strings.TrimPrefix(arn, prefix)
	if i := strings.Index(rest, "/"); i >= 0 {
		rest = rest[:i]
	}
	return prefix + rest
}
