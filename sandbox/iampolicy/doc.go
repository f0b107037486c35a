// Package iampolicy evaluates AWS IAM identity-based policy documents: it decides whether a set
// of policies allows one action on one resource, following the IAM policy evaluation logic for a
// principal in its own account with no resource-based policy, permissions boundary, session
// policy or SCP: an explicit Deny wins, then an Allow, and with neither the request is implicitly
// denied.
//
// It reads the policy grammar the dzonboard stack emits and a little more: Effect, Action and
// NotAction (case-insensitive, * and ? wildcards), Resource and NotResource (case-sensitive ARN
// patterns whose wildcards stay inside one ARN segment unless a * ends the segment), and
// Condition with the string, ARN, Bool and Null operators, their IfExists forms and the
// ForAnyValue/ForAllValues set qualifiers. A document it cannot read fully (an unknown operator,
// a Principal in an identity policy, a statement without Action or Resource) is an error rather
// than a guess, as IAM refuses such a document when it is attached.
//
// The package has no dependency on the sandbox: the sandbox authorises calls with it and the
// tests hold it against the examples of the IAM User Guide.
package iampolicy
