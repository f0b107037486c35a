package awsapi

import (
	"time"
)

// ReadAfterWrite is how long after its own create a task reads a "not found" as "not visible
// yet": nothing promises that a read right after a create finds what it made (DataZone's
// GetListing, GetSubscriptionRequestDetails, a new run, ...), so the task looks again instead of
// failing. After that, not found means not found.
const ReadAfterWrite = 2 * time.Minute

// notFoundCodes are the error codes with which the services answer a read of what does not exist.
var notFoundCodes = map[string]bool{
	"ResourceNotFoundException": true, // DataZone, Athena (some operations)
	"EntityNotFoundException":   true, // Glue, Lake Formation
	"NoSuchKey":                 true, // S3
	"NotFound":                  true, // S3 HeadObject
}

// NotYetVisible reports whether err is a "not found" answer to a read of something the task itself
// created at created (zero: it did not create it), less than ReadAfterWrite before now.
func NotYetVisible(err error, created, now time.Time) bool {
	return err != nil && !created.IsZero() && now.Sub(created) < ReadAfterWrite && notFoundCodes[Code(err)]
}
