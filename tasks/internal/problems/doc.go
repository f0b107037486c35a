// Package problems keeps the problem list of a named workflow error short enough for a Step
// Functions Cause (which keeps 32 KiB): with a thousand tables failing, the error spells out the
// first few, the log has every one with its fix, and one last problem sums up the rest.
package problems
