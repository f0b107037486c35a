package sandbox

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// FaultRule injects a fault into calls of one operation (or "*" for any) of one service (or "*").
type FaultRule struct {
	// Service is glue, lakeformation, datazone, athena, sts or "*".
	Service string
	// Op is the SDK operation name or "*".
	Op string
	// Kind is "throttle", "5xx" or "latency".
	Kind string
	// Rate is the probability, 0..1, that a matching call gets the fault.
	Rate float64
	// Latency is the extra real-time delay of a "latency" fault.
	Latency time.Duration
}

// ParseFaults reads a comma-separated fault spec, each rule `service:op=kind@rate` with
// `:duration` after the rate for latency, e.g.
// "datazone:AcceptSubscriptionRequest=throttle@0.3,glue:*=5xx@0.1,athena:*=latency@1:200ms".
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
		if kind == "latency" {
			var lat string
			rateStr, lat, ok = strings.Cut(rest, ":")
			if !ok {
				return nil, fmt.Errorf("fault %q: latency needs @rate:duration", part)
			}
			d, err := time.ParseDuration(lat)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("fault %q: bad latency %q", part, lat)
			}
			r.Latency = d
		}
		switch kind {
		case "throttle", "5xx", "latency":
		default:
			return nil, fmt.Errorf("fault %q: kind %q is not throttle, 5xx or latency", part, kind)
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
	if f.Kind == "latency" {
		s += ":" + f.Latency.String()
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
		case "latency":
			d.latency += r.Latency
		case "throttle":
			if d.err == nil {
				d.err = throttleError(service)
			}
		case "5xx":
			if d.err == nil {
				d.err = serverError(service)
			}
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
