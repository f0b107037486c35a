// Package deploy stands a synthesized CloudFormation template up in the sandbox the way
// `cdk deploy` leaves an AWS account, so that the workflow can run as its deployed roles:
//
//   - every AWS::IAM::Role exists in the sandbox's IAM with the policy documents the template
//     attaches to it, and an access key that signs as it (sandbox.DeployRole); from then on the
//     sandbox authorises each call by such a role with its policies;
//   - every AWS::DataZone::ProjectMembership is created through the real DataZone API, as the
//     world's administrator; a template without one (the default context leaves domainId unset)
//     gets the README's one-time admin step instead: the DataZone role becomes a
//     PROJECT_CONTRIBUTOR of the execution input's producer and consumer projects;
//   - the Custom::DataLakeAdmins resource is applied by invoking the real custom-resource handler
//     (tasks/lfadmins) with a CloudFormation Create event, as the role of the function its
//     ServiceToken names, with the resource's properties from the template unchanged.
//
// Each step prints one line. The result maps every task (the TASK variable of each function) to
// its role, so the local runner can give each task handler its own credentials.
package deploy
