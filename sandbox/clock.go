package sandbox

import (
	"container/heap"
	"time"
)

// clock is the sandbox's virtual clock. In real-time mode it follows the wall clock times speed.
type clock struct {
	virtual  time.Time // virtual time at wallBase (or the current time when not real-time)
	real     bool
	wallBase time.Time
	speed    float64
	pinned   *time.Time // set while an event runs
}

func (c *clock) current() time.Time {
	if !c.real {
		return c.virtual
	}
	elapsed := time.Since(c.wallBase)
	return c.virtual.Add(time.Duration(float64(elapsed) * c.speed))
}

func (c *clock) now() time.Time {
	if c.pinned != nil {
		return *c.pinned
	}
	return c.current()
}

func (c *clock) advance(d time.Duration) { c.virtual = c.virtual.Add(d) }

func (c *clock) realTime(wall time.Time, speed float64) {
	if speed <= 0 {
		speed = 1
	}
	c.virtual = c.current()
	c.wallBase = wall
	c.speed = speed
	c.real = true
}

func (c *clock) pin(t time.Time) { c.pinned = &t }
func (c *clock) unpin()          { c.pinned = nil }

// event is a scheduled callback.
type event struct {
	at  time.Time
	seq int
	fn  func()
}

// eventQueue is a min-heap of events by (at, seq).
type eventQueue struct {
	items []event
	seq   int
}

func (q *eventQueue) Len() int { return len(q.items) }
func (q *eventQueue) Less(i, j int) bool {
	if !q.items[i].at.Equal(q.items[j].at) {
		return q.items[i].at.Before(q.items[j].at)
	}
	return q.items[i].seq < q.items[j].seq
}
func (q *eventQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *eventQueue) Push(x any)    { q.items = append(q.items, x.(event)) }
func (q *eventQueue) Pop() any {
	n := len(q.items)
	e := q.items[n-1]
	q.items = q.items[:n-1]
	return e
}

func (q *eventQueue) push(at time.Time, fn func()) {
	q.seq++
	heap.Push(q, event{at: at, seq: q.seq, fn: fn})
}

// popDue removes and returns the earliest event due at or before now.
func (q *eventQueue) popDue(now time.Time) (time.Time, func(), bool) {
	if len(q.items) == 0 || q.items[0].at.After(now) {
		return time.Time{}, nil, false
	}
	e := heap.Pop(q).(event)
	return e.at, e.fn, true
}
