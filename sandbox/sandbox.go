package sandbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// DefaultStart is the virtual time a sandbox starts at when Options.Start is zero.
var DefaultStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Options configure a Sandbox.
type Options struct {
	// Faults are fault injection rules (see ParseFaults).
	Faults []FaultRule
	// Seed seeds generated IDs and fault decisions, so runs are deterministic.
	Seed int64
	// Start is the virtual clock's start; zero means DefaultStart.
	Start time.Time
}

// Sandbox is one emulated AWS account. It is safe for concurrent use.
type Sandbox struct {
	mu    sync.Mutex
	world *World
	opt   Options

	clock  clock
	events eventQueue
	rng    *rand.Rand

	faults  *faultState
	journal []JournalEntry
	// created is when a call first created each resource (journal resource), for the notfound
	// fault.
	created map[string]time.Time
	reqSeq  int

	creds map[string]mintedCreds
	// extraRoles are IAM roles added after the world was loaded (AddRole).
	extraRoles []string
	// iam holds the policies of deployed roles (DeployRole); nil until one is deployed.
	iam *iamState

	glue   *glueState
	lf     *lfState
	athena *athenaState
	dz     *dzState
	s3     *s3State
}

// New builds a sandbox whose state is the given world.
func New(w *World, opt Options) (*Sandbox, error) {
	if w == nil {
		return nil, fmt.Errorf("new sandbox: world is nil")
	}
	if opt.Start.IsZero() {
		opt.Start = DefaultStart
	}
	s := &Sandbox{
		world:  w,
		opt:    opt,
		clock:  clock{virtual: opt.Start.UTC()},
		rng:    rand.New(rand.NewPCG(uint64(opt.Seed), 0x64_7a_6f_6e_62_6f_61_72)),
		faults: newFaultState(opt.Seed, opt.Faults),
		creds:  map[string]mintedCreds{},
	}
	s.lf = newLFState(s)
	if err := newGlue(s); err != nil {
		return nil, fmt.Errorf("new sandbox: %w", err)
	}
	if err := s.lf.load(s); err != nil {
		return nil, fmt.Errorf("new sandbox: %w", err)
	}
	if err := newDataZone(s); err != nil {
		return nil, fmt.Errorf("new sandbox: datazone: %w", err)
	}
	s.athena = newAthena(s)
	s3, err := newS3(s)
	if err != nil {
		return nil, fmt.Errorf("new sandbox: %w", err)
	}
	s.s3 = s3
	return s, nil
}

// World returns the world the sandbox was built from. Callers must not modify it.
func (s *Sandbox) World() *World { return s.world }

// Now returns the current virtual time.
func (s *Sandbox) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runDue()
	return s.clock.now()
}

// Advance moves the virtual clock forward by d and runs every event that became due, in time order.
func (s *Sandbox) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d > 0 {
		s.clock.advance(d)
	}
	s.runDue()
}

// Sleep lets d of virtual time pass (Advance) instead of waiting: the sleep of a task whose clock is
// the sandbox's (Now). It returns ctx's error when ctx has ended.
func (s *Sandbox) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.Advance(d)
	return nil
}

// RunRealTime makes the virtual clock follow wall time multiplied by speed from now on (speed <= 0
// means 1). Advance still adds to it. Used by `dzonboard sandbox serve`.
func (s *Sandbox) RunRealTime(speed float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runDue()
	s.clock.realTime(time.Now(), speed)
}

// ServeHTTP serves every emulated service on one handler.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r)
}

// now is the virtual time seen by handlers and events (s.mu held): inside an event it is the
// event's own due time.
func (s *Sandbox) now() time.Time { return s.clock.now() }

// after schedules fn to run (s.mu held) once the virtual clock reaches now+d. Due events run in
// time order (ties in insertion order) before each request and on Advance.
func (s *Sandbox) after(d time.Duration, fn func()) {
	if d < 0 {
		d = 0
	}
	s.events.push(s.clock.now().Add(d), fn)
}

// runDue runs every due event (s.mu held). While an event runs, now() is the event's due time.
func (s *Sandbox) runDue() {
	for {
		at, fn, ok := s.events.popDue(s.clock.current())
		if !ok {
			return
		}
		s.clock.pin(at)
		fn()
		s.clock.unpin()
	}
}
