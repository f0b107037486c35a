// Package iamref is AWS's IAM action data for the services dzonboard uses: for each action, the
// resource types it can be authorised on, and for each resource type its ARN formats. It is the
// one source for IAM scoping: the CDK stack's dead-grant test and the sandbox's IAM evaluation
// both read it. iam-actions.json is the Service Authorization Reference as bundled by cfn-lint
// 1.51.0 (src/cfnlint/data/AdditionalSpecs/Policies.json), copied unchanged.
package iamref
