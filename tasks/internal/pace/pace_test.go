package pace

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestLimiterWait(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		every  time.Duration
		at     []time.Duration // when each call is made, after t0
		want   []time.Duration // the sleeps asked for
		cancel bool
		err    error
	}{
		{name: "first call goes at once", every: time.Second, at: []time.Duration{0}},
		{name: "back-to-back calls are spaced", every: 350 * time.Millisecond, at: []time.Duration{0, 0, 0},
			want: []time.Duration{350 * time.Millisecond, 350 * time.Millisecond}},
		{name: "time already passed counts", every: time.Second, at: []time.Duration{0, 400 * time.Millisecond, 5 * time.Second},
			want: []time.Duration{600 * time.Millisecond}},
		{name: "a cancelled context stops it", every: time.Second, at: []time.Duration{0}, cancel: true, err: context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var slept []time.Duration
			var clock time.Time
			l := New(tc.every, func(_ context.Context, d time.Duration) error {
				slept = append(slept, d)
				clock = clock.Add(d)
				return nil
			})
			l.now = func() time.Time { return clock }
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			for _, at := range tc.at {
				if c := t0.Add(at); c.After(clock) {
					clock = c
				}
				if err := l.Wait(ctx); !errors.Is(err, tc.err) {
					t.Fatalf("Wait = %v, want %v", err, tc.err)
				}
			}
			if !slices.Equal(slept, tc.want) {
				t.Errorf("slept %v, want %v", slept, tc.want)
			}
		})
	}
}

func TestNilLimiterNeverWaits(t *testing.T) {
	var l *Limiter
	for range 3 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatalf("Wait = %v", err)
		}
	}
}

func TestSleep(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		ctx  func() context.Context
		want error
	}{
		{name: "ends with the context", d: time.Hour, want: context.Canceled, ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
		{name: "zero returns at once", d: 0, ctx: context.Background},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Sleep(tc.ctx(), tc.d); !errors.Is(err, tc.want) {
				t.Errorf("Sleep = %v, want %v", err, tc.want)
			}
		})
	}
}
