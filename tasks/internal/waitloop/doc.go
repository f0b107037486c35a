// Package waitloop is the one skeleton of every stage that waits for AWS (crawl, data source, run,
// publish, subscribe, verify). It owns a whole invocation of the stage's task: the stage's timing
// and the first poll on the loop's first invocation, the invocation's budget near the Lambda
// deadline, looking again every few seconds inside the invocation while that is cheap, the
// compaction of problems into the stage's named error, the "still waiting for" text of a timeout,
// and the poll that tells the state machine's Choice and Wait states what comes next.
//
// A stage supplies only its items, a step that moves one item as far as it goes now and reports
// its status, and a status table in the shape of Terraform's StateChangeConf (pending, target and
// failed statuses).
package waitloop
