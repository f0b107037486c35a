package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ClientToken derives the idempotency token of one create call from the execution name, the step
// and the keys of the thing created: a retried task sends the same token, a new execution a new
// one. It is 40 hex characters (DataZone takes up to 128; Athena wants 32-128).
func ClientToken(execution, step string, keys ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(append([]string{execution, step}, keys...), "\x00")))
	return hex.EncodeToString(sum[:20])
}
