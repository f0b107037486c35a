// Package lfadmins is the CloudFormation custom resource (Custom::DataLakeAdmins) that makes the
// workflow's Lake Formation role a data lake administrator and its DataZone role a read-only
// administrator at deploy time, without touching anything else in the account's data lake
// settings.
//
// PutDataLakeSettings replaces the whole settings object, so the handler reads the settings
// (GetDataLakeSettings), adds the principals of its Admins property to DataLakeAdmins and those
// of its ReadOnlyAdmins property to ReadOnlyAdmins, and puts the object back with every other
// field as it was read. It records the principals it actually added (not the ones that were there
// already) in its physical resource ID, and Delete removes only those.
// AWS::LakeFormation::DataLakeSettings does not give that guarantee: with MutationType REPLACE it
// overwrites the administrators the account already has (and fields it does not model, such as
// ReadOnlyAdmins), and what APPEND does on update and delete is not documented.
//
// Lake Formation refuses the whole write when any entry names a principal IAM no longer knows
// ("Invalid principal, arn: <arn>", aws/aws-cdk#19492: a deleted role left among the
// administrators). Such an entry that was there before is someone else's: the handler leaves it
// out of the settings it writes, writes again, and reports it (response Data SkippedPrincipals
// and the log), so neither a deploy nor a teardown fails because of it. A principal the handler
// adds itself that Lake Formation rejects is most likely a role IAM has not propagated yet; that
// is retried (bounded) and then fails with its own message and fix.
//
// The handler runs in the task binary with TASK=DataLakeAdmins (awsapi.TaskDataLakeAdmins),
// wrapped by cfn.LambdaWrap, which sends the response to CloudFormation. Unlike the workflow's
// tasks it has no state machine around it to wait in, so it retries for a bounded time itself:
// transient failures (IAM propagation, concurrent modification, throttling) for up to two minutes,
// and AccessDenied (its own role's policy may be seconds old) for up to one, both within the
// Lambda deadline.
package lfadmins
