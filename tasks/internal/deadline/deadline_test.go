package deadline

import (
	"context"
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	tests := []struct {
		name  string
		left  time.Duration // time to the context's deadline at the start; 0 for no deadline
		spent time.Duration // time the task's clock moves on after the start
		near  bool
	}{
		{name: "no deadline is never near", spent: 10 * time.Hour},
		{name: "ten seconds left is near at once", left: 10 * time.Second, near: true},
		{name: "a deadline already passed is near", left: -time.Second, near: true},
		{name: "a minute left is not near", left: time.Minute},
		{name: "a minute left, 25 s spent, is not near", left: time.Minute, spent: 25 * time.Second},
		{name: "a minute left, 31 s spent in the task's clock, is near", left: time.Minute, spent: 31 * time.Second, near: true},
		{name: "five minutes left, 4m31s spent, is near", left: 5 * time.Minute, spent: 4*time.Minute + 31*time.Second, near: true},
		{name: "five minutes left, 4m29s spent, is not near", left: 5 * time.Minute, spent: 4*time.Minute + 29*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.left != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, time.Now().Add(tt.left))
				defer cancel()
			}
			clock := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			b := Start(ctx, func() time.Time { return clock })
			clock = clock.Add(tt.spent)
			if got := b.Near(); got != tt.near {
				t.Errorf("Near = %v (left %v, spent %v), want %v", got, tt.left, tt.spent, tt.near)
			}
			if b.Spent() != tt.spent {
				t.Errorf("Spent = %v, want %v", b.Spent(), tt.spent)
			}
		})
	}
}
