// Package cfntemplate reads a synthesized CloudFormation template (build/cdk.out/<Stack>.template.json)
// the way CloudFormation would deploy it into one account: it resolves the intrinsic functions CDK
// emits (Ref to pseudo parameters, parameters and resources, Fn::GetAtt, Fn::Join, Fn::Sub,
// Fn::Select, Fn::Split, Fn::If with the condition functions) for an account, region and
// partition, and collects what the dzonboard sandbox needs to stand up the stack: each IAM role
// with the policy documents attached to it, each Lambda function's role and environment, the
// DataZone project memberships and the custom resources with their properties.
//
// Physical names follow a fixed rule instead of CloudFormation's random suffixes: a resource
// without an explicit name is named <StackName>-<LogicalId>, so a role's ARN is
// arn:<partition>:iam::<account>:role/<StackName>-<LogicalId>. Only the values dzonboard reads are
// resolved; an intrinsic function or attribute the package does not know is an error naming where
// it was found, never a guess.
package cfntemplate
