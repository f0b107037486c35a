// Package clock is the time a task reads and sleeps in: the real one in Lambda, the sandbox's
// virtual one in the local runner and the tests.
package clock

import (
	"context"
	"time"
)

// Clock reads the time and sleeps.
type Clock struct {
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}
