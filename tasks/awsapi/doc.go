// Package awsapi is the tasks' only door to AWS: the narrow interfaces each task calls (with the
// SDK clients' exact signatures), the registry of which task calls which interface (the CDK stack
// derives its IAM policies from it), client construction, and the one table that classifies AWS
// errors into the workflow's named errors.
package awsapi
