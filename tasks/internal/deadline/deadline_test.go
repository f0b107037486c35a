package deadline

import (
	"context"
	"testing"
	"time"
)

func TestNear(t *testing.T) {
	tests := []struct {
		name string
		left time.Duration // time to the context's deadline; 0 for no deadline
		want bool
	}{
		{name: "no deadline is never near", want: false},
		{name: "ten seconds left is near", left: 10 * time.Second, want: true},
		{name: "a deadline already passed is near", left: -time.Second, want: true},
		{name: "a minute left is not near", left: time.Minute, want: false},
		{name: "fifteen minutes left is not near", left: 15 * time.Minute, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.left != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, time.Now().Add(tt.left))
				defer cancel()
			}
			if got := Near(ctx); got != tt.want {
				t.Errorf("Near = %v with %v left, want %v", got, tt.left, tt.want)
			}
		})
	}
}
