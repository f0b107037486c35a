// Package tasktest holds what the task packages' tests share: the names of the default world
// (examples/sandbox-world.json), sandboxes set up to the start of a given stage (after Preflight,
// after the crawl, after the data source run, after publishing), a driver that runs a wait loop as
// the state machine does, and the assertions on the sandbox's journal of mutating calls and on the
// named errors a task returns.
//
// It is a normal package so that every task's tests can import it, but only _test files may:
//
//	e := tasktest.Start(t, "registered", nil, sandbox.Options{})
//	w := tasktest.Preflight(t, e, tasktest.Input())
//	before := len(e.SB.Journal())
//	w, err := crawl.NewStart(e.C.Glue, e.SB.Now).Handle(ctx, w)
//	...
//	w, _, err = tasktest.Drive(t, e.SB, crawl.NewCheck(e.C.Glue, e.SB.Now).Handle, w, 20)
//	tasktest.WantOps(t, e.SB, before, "StartCrawler")
package tasktest
