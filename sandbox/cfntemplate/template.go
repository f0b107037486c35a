package cfntemplate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Template is a parsed CloudFormation template.
type Template struct {
	Resources  map[string]Resource  `json:"Resources"`
	Parameters map[string]Parameter `json:"Parameters"`
	Conditions map[string]any       `json:"Conditions"`
}

// Resource is one resource of a template, its intrinsic functions unresolved.
type Resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	// Condition names the template condition that decides whether the resource is created.
	Condition string `json:"Condition"`
}

// Parameter is a template parameter; a Ref to it resolves to its Default.
type Parameter struct {
	Type    string `json:"Type"`
	Default any    `json:"Default"`
}

// Parse reads a template (JSON).
func Parse(b []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("parse template: no Resources")
	}
	return &t, nil
}

// Env is the account and stack a template is resolved for.
type Env struct {
	StackName string
	Account   string
	Region    string
	// Partition is "aws", "aws-cn" or "aws-us-gov"; empty means PartitionOf(Region).
	Partition string
}

// PartitionOf returns the partition of a region: aws-cn for the China regions, aws-us-gov for
// the GovCloud regions, aws otherwise.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// urlSuffix is the AWS::URLSuffix of a partition.
func urlSuffix(partition string) string {
	if partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}
