// Package docstore keeps the workflow's documents (the per-table list that no longer fits in the
// Step Functions state, the full report) as JSON objects in the state bucket: one document per
// key, written whole and read whole. The caller makes the keys, so that a retried task writes the
// same key again and never reads a document another attempt is still writing.
//
// Errors are the workflow's named errors (awsapi.Classify): a missing document is a ServiceError
// wrapping a *NotFoundError, a refused write an AccessDeniedError, throttling a TransientError.
//
//	store := docstore.New(clients.S3)
//	err := store.Put(ctx, bucket, "executions/"+exec+"/tables.json", tables)
//	err = store.Get(ctx, bucket, "executions/"+exec+"/tables.json", &tables)
package docstore
