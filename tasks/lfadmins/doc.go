// Package lfadmins is the CloudFormation custom resource (Custom::DataLakeAdmins) that makes the
// workflow's Lake Formation role a data lake administrator at deploy time, without touching
// anything else in the account's data lake settings.
//
// PutDataLakeSettings replaces the whole settings object, so the handler reads the settings
// (GetDataLakeSettings), adds the principals of its Admins property to DataLakeAdmins and puts
// the object back with every other field as it was read. It records the principals it actually
// added (not the ones that were administrators already) in its physical resource ID, and Delete
// removes only those. AWS::LakeFormation::DataLakeSettings does not give that guarantee: with
// MutationType REPLACE it overwrites the administrators the account already has (and fields it
// does not model, such as ReadOnlyAdmins), and what APPEND does on update and delete is not
// documented.
//
// The handler runs in the task binary with TASK=DataLakeAdmins (awsapi.TaskDataLakeAdmins),
// wrapped by cfn.LambdaWrap, which sends the response to CloudFormation. Unlike the workflow's
// tasks it has no state machine around it to wait in, so it retries transient failures itself
// for a bounded time: Lake Formation rejects a role created seconds earlier as an invalid
// principal until IAM has propagated it.
package lfadmins
