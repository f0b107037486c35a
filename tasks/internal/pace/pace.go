package pace

import (
	"context"
	"fmt"
	"sync"
	"time"

	smithytime "github.com/aws/smithy-go/time"
)

// Limiter lets one call through at most every interval. It is safe for concurrent use, and one
// Limiter is meant to be shared by every invocation a Lambda process serves.
type Limiter struct {
	every time.Duration
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time

	mu   sync.Mutex
	last time.Time // when the last call went through; zero before the first
}

// New returns a Limiter that spaces calls every apart, waiting with sleep. A nil sleep sleeps for
// real (and stops early when ctx ends).
func New(every time.Duration, sleep func(ctx context.Context, d time.Duration) error) *Limiter {
	if sleep == nil {
		sleep = Sleep
	}
	return &Limiter{every: every, sleep: sleep, now: time.Now}
}

// WithClock makes the limiter measure time with now (the task's clock) instead of time.Now, and
// returns it: in the local runner the sleep lets virtual time pass, and the limiter must see it.
func (l *Limiter) WithClock(now func() time.Time) *Limiter {
	if l != nil {
		l.now = now
	}
	return l
}

// Wait blocks until the next call may go: the first call goes at once, later ones once every has
// passed since the previous one. It returns the error of sleep (the context's, for a real sleep),
// and a nil *Limiter never waits.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pace: %w", err)
	}
	if !l.last.IsZero() {
		if d := l.every - l.now().Sub(l.last); d > 0 {
			if err := l.sleep(ctx, d); err != nil {
				return fmt.Errorf("pace: %w", err)
			}
		}
	}
	l.last = l.now()
	return nil
}

// Sleep waits for d or until ctx ends, whichever comes first; it returns ctx's error if ctx ended.
var Sleep = smithytime.SleepWithContext
