// Package templatecheck holds the checks of the synthesized CloudFormation template that no
// deploy can make here: that the alarm topic accepts CloudWatch's notifications (topic policy and
// key policy), that no Allow statement grants an action on resources it can never apply to (held
// against AWS's IAM action data in internal/iamref), that no ARN hard-codes the aws partition,
// that a schedule's failures reach the alarm topic, and that the data lake administrators custom
// resource names the stack's roles. The infra tests run them on the stacks they synthesize, and
// `make check-template` (infra/checktemplate) on the templates of build/cdk.out, printing one line
// per check.
//
// The checks read the template as data; CloudFormation values (Ref, Fn::GetAtt, Fn::Join,
// Fn::Sub) are rendered with a sample partition, region and account (Sample*) and, for a
// resource's ARN, the ARN shape of its type.
package templatecheck
