// Package subscribe is the SubscribeProjects task: it subscribes the producer project (and every
// consumer project of the input) to each onboarded listing and waits until DataZone has granted
// each listing into the project's environment, recording the table (resource link) the grant made
// in the environment's subscription database.
//
// It is a wait-loop task. Each invocation moves every table's access as far as it can go now,
// without sleeping: find an APPROVED subscription or a PENDING request before creating one,
// accept a request only while it is still PENDING (DataZone may approve it by itself), create the
// grant only when DataZone does not (a MANUAL subscription target, or no grant after a few polls),
// and read the grant's per-asset outcome. A second execution finds everything the first made and
// makes no mutating call.
package subscribe
