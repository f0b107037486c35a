package sandbox

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Fault kinds a FaultRule can inject.
const (
	// FaultThrottle answers the service's own throttling error; the call is not applied.
	FaultThrottle = "throttle"
	// Fault5xx answers the service's own server error (HTTP 500); the call is not applied.
	Fault5xx = "5xx"
	// FaultLatency delays the call by the rule's Latency of real time.
	FaultLatency = "latency"
	// FaultLost applies the call, then answers the service's own server error (HTTP 500) as if
	// the response had been lost on the way back: the SDK retries the call, as it would in AWS,
	// and a call that is not idempotent may then apply twice. A 5xx rather than a reset
	// connection keeps the answer deterministic and visible in the journal; the SDK's standard
	// retryer retries both.
	FaultLost = "lost"
	// FaultNotFound answers the service's own not-found error to a read (Get*, Describe*) that
	// names something a call created less than the rule's Window of virtual time ago: nothing
	// promises read-after-write consistency in AWS.
	FaultNotFound = "notfound"
)

// FaultRule injects a fault into calls of one operation (or "*" for any) of one service (or "*").
type FaultRule struct {
	// Service is glue, lakeformation, datazone, athena, sts or "*".
	Service string
	// Op is the SDK operation name or "*".
	Op string
	// Kind is one of FaultThrottle, Fault5xx, FaultLatency, FaultLost and FaultNotFound.
	Kind string
	// Rate is the probability, 0..1, that a matching call gets the fault.
	Rate float64
	// Latency is the extra real-time delay of a "latency" fault.
	Latency time.Duration
	// Window is how long after its create a resource reads as not found ("notfound"), in virtual
	// time.
	Window time.Duration
}

// ParseFaults reads a comma-separated fault spec, each rule `service:op=kind@rate`, with
// `:duration` after the rate for latency (real time) and notfound (the window after a create,
// virtual time), e.g. "datazone:AcceptSubscriptionRequest=throttle@0.3,glue:*=5xx@0.1,
// athena:*=latency@1:200ms,datazone:CreateSubscriptionRequest=lost@0.5,datazone:GetListing=notfound@1:10s".
func ParseFaults(spec string) ([]FaultRule, error) {
	var rules []FaultRule
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		target, action, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("fault %q: want service:op=kind@rate", part)
		}
		svc, op, ok := strings.Cut(target, ":")
		if !ok || svc == "" || op == "" {
			return nil, fmt.Errorf("fault %q: want service:op before =", part)
		}
		kind, rest, ok := strings.Cut(action, "@")
		if !ok {
			return nil, fmt.Errorf("fault %q: want kind@rate after =", part)
		}
		r := FaultRule{Service: svc, Op: op, Kind: kind}
		rateStr := rest
		switch kind {
		case FaultLatency, FaultNotFound:
			var dur string
			rateStr, dur, ok = strings.Cut(rest, ":")
			if !ok {
				return nil, fmt.Errorf("fault %q: %s needs @rate:duration", part, kind)
			}
			d, err := time.ParseDuration(dur)
			if err != nil || d < 0 || (kind == FaultNotFound && d == 0) {
				return nil, fmt.Errorf("fault %q: bad %s duration %q", part, kind, dur)
			}
			if kind == FaultLatency {
				r.Latency = d
			} else {
				r.Window = d
			}
		case FaultThrottle, Fault5xx, FaultLost:
		default:
			return nil, fmt.Errorf("fault %q: kind %q is not throttle, 5xx, latency, lost or notfound", part, kind)
		}
		rate, err := strconv.ParseFloat(rateStr, 64)
		if err != nil || rate < 0 || rate > 1 {
			return nil, fmt.Errorf("fault %q: rate %q is not a number in [0,1]", part, rateStr)
		}
		r.Rate = rate
		rules = append(rules, r)
	}
	return rules, nil
}

// String formats the rule in ParseFaults syntax.
func (f FaultRule) String() string {
	s := fmt.Sprintf("%s:%s=%s@%g", f.Service, f.Op, f.Kind, f.Rate)
	switch f.Kind {
	case FaultLatency:
		s += ":" + f.Latency.String()
	case FaultNotFound:
		s += ":" + f.Window.String()
	}
	return s
}

// faultState decides faults deterministically: each decision hashes the seed, the rule, the
// operation and how many times that operation was called before, so it does not depend on how
// calls to other operations interleave.
type faultState struct {
	seed  int64
	rules []FaultRule
	calls map[string]int
}

// faultDecision is what happens to one call.
type faultDecision struct {
	err     *apiError
	latency time.Duration
	// lost: apply the call, then answer a server error.
	lost bool
	// notFound is the longest window of the notfound rules that hit: a read of something created
	// less than this long ago is answered not found.
	notFound time.Duration
}

func newFaultState(seed int64, rules []FaultRule) *faultState {
	return &faultState{seed: seed, rules: rules, calls: map[string]int{}}
}

// decide returns the faults for the next call of service:op (s.mu held).
func (f *faultState) decide(service, op string) faultDecision {
	var d faultDecision
	if len(f.rules) == 0 {
		return d
	}
	key := service + ":" + op
	n := f.calls[key]
	f.calls[key] = n + 1
	for i, r := range f.rules {
		if (r.Service != "*" && r.Service != service) || (r.Op != "*" && r.Op != op) {
			continue
		}
		if !f.hit(i, key, n, r.Rate) {
			continue
		}
		switch r.Kind {
		case FaultLatency:
			d.latency += r.Latency
		case FaultThrottle:
			if d.err == nil {
				d.err = throttleError(service)
			}
		case Fault5xx:
			if d.err == nil {
				d.err = serverError(service)
			}
		case FaultLost:
			d.lost = true
		case FaultNotFound:
			d.notFound = max(d.notFound, r.Window)
		}
	}
	return d
}

func (f *faultState) hit(rule int, key string, n int, rate float64) bool {
	if rate >= 1 {
		return true
	}
	if rate <= 0 {
		return false
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%d|%s|%d", f.seed, rule, key, n)
	x := splitmix(h.Sum64())
	return float64(x>>11)/float64(1<<53) < rate
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// readAfterWrite is the answer of a notfound fault with this window to a read (s.mu held): the
// service's own not-found error when the read names something a call created less than window
// ago, else nil. Only Get* and Describe* reads are answered so; a List or Search would leave the
// item out rather than fail, and the sandbox does not emulate that.
func (s *Sandbox) readAfterWrite(r *request, window time.Duration) *apiError {
	if window <= 0 || !(strings.HasPrefix(r.op, "Get") || strings.HasPrefix(r.op, "Describe")) {
		return nil
	}
	now := s.now()
	for _, name := range r.names() {
		if at, ok := s.created[name]; ok && now.Sub(at) < window {
			return notFoundError(r.service, name)
		}
	}
	return nil
}

// notFoundError is each service's answer to a read of something it does not know (yet). The
// messages follow the sandbox's own not-found answers of each service; DataZone's wording is
// UNCONFIRMED.
func notFoundError(service, id string) *apiError {
	switch service {
	case "glue", "lakeformation":
		return errorf(400, "EntityNotFoundException", "Entity not found")
	case "athena":
		return athenaInvalid("QueryExecution %s was not found", id)
	default:
		return dzNotFound("Resource %s not found", id)
	}
}
