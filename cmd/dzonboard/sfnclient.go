package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// startExecutionAPI is the Step Functions call of start.
type startExecutionAPI interface {
	StartExecution(ctx context.Context, params *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// followAPI is the Step Functions calls of follow.
type followAPI interface {
	sfn.GetExecutionHistoryAPIClient
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// sfnAPI is every Step Functions call of the CLI.
type sfnAPI interface {
	startExecutionAPI
	followAPI
}

var _ sfnAPI = (*sfn.Client)(nil)

// newSFNClient builds a Step Functions client from the default configuration chain
// (environment, shared config and credentials files, SSO, instance roles).
func newSFNClient(ctx context.Context) (sfnAPI, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws configuration: %w", err)
	}
	return sfn.NewFromConfig(cfg), nil
}
