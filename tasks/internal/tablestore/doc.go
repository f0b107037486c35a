// Package tablestore keeps a Work's per-table records out of the Step Functions state: each task
// loads Work.Tables from the S3 object Work.TableSet names, and, when it changed them, writes a
// new object and points TableSet at it. Objects are content-addressed (the key holds the
// SHA-256 of the content) and never rewritten, so a retried task, or a task whose earlier attempt
// is still running, always reads exactly the list its input names; the reader checks the hash.
//
// The lists are gzip-compressed JSON ({"tables": [...]}): 10,000 verified tables are about
// 8 MB of JSON and under 1 MB stored. Report writes the full report as plain JSON under
// workflow.ReportKey.
//
//	store := tablestore.New(clients.S3, bucket)
//	err := store.Load(ctx, &w)           // w.Tables from w.TableSet
//	err = store.Save(ctx, &w, "Publish") // a new object when w.Tables changed
package tablestore
