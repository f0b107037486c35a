package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"
)

// Outcomes of a journalled call.
const (
	// OutcomeApplied: the service did what the call asked and answered it (a read was answered).
	OutcomeApplied = "applied"
	// OutcomeRefused: the service refused the call with an error of its own (validation, access,
	// conflict, not found, ...); nothing changed.
	OutcomeRefused = "refused"
	// OutcomeFaulted: an injected fault (throttle, 5xx, notfound) answered the call; nothing
	// changed.
	OutcomeFaulted = "faulted"
	// OutcomeLost: the call was applied, then an injected "lost" fault answered a server error.
	OutcomeLost = "lost"
)

// datazoneService is the caller DataZone's own background work is journalled as.
const datazoneService = "datazone.amazonaws.com"

// JournalEntry is one call the sandbox answered, or one change DataZone made by itself in the
// background. Its JSON form is one line of the journal [Sandbox.WriteJournal] writes.
type JournalEntry struct {
	// Seq numbers entries from 1 in order. In [Sandbox.Journal] it counts the mutating calls
	// only; in [Sandbox.JournalAll] and the written journal it counts every entry.
	Seq int `json:"seq"`
	// Time is the virtual time of the call.
	Time time.Time `json:"time"`
	// Service is glue, lakeformation, datazone, athena or sts; Op the SDK operation name.
	Service string `json:"service"`
	Op      string `json:"operation"`
	// Resource is the ARN or ID of what the call created, changed or read ("" when the call
	// names nothing, e.g. a refused call without an identifier).
	Resource string `json:"resource,omitempty"`
	// Outcome is OutcomeApplied, OutcomeRefused, OutcomeFaulted or OutcomeLost.
	Outcome string `json:"outcome"`
	// Caller is the IAM role ARN the call was made as (datazone.amazonaws.com for DataZone's own
	// background work).
	Caller string `json:"caller"`
	// Keys are the operation's key fields (names, IDs, tokens) for mutating calls.
	Keys map[string]string `json:"keys,omitempty"`
	// Error is the error code the client got, "" if the call succeeded.
	Error string `json:"error,omitempty"`
	// Mutating reports an operation that changes state (Create*, Start*, Update*, Grant*, ...).
	Mutating bool `json:"mutating"`
	// Background marks a change DataZone made by itself (a data source's first run, publishing on
	// import, auto-approval, subscription fulfilment), not a call.
	Background bool `json:"background,omitempty"`
	// RequestID is the x-amzn-RequestId the client got ("" for background work).
	RequestID string `json:"requestId,omitempty"`
}

// Journal returns a copy of every mutating call recorded so far, in order, with Seq counting
// them from 1. Reads and DataZone's background work are left out (see JournalAll).
func (s *Sandbox) Journal() []JournalEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []JournalEntry
	for _, e := range s.journal {
		if !e.Mutating || e.Background {
			continue
		}
		e.Keys = maps.Clone(e.Keys)
		e.Seq = len(out) + 1
		out = append(out, e)
	}
	return out
}

// JournalAll returns a copy of the whole journal: every call the sandbox answered (reads
// included) and DataZone's background changes, in order.
func (s *Sandbox) JournalAll() []JournalEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]JournalEntry, len(s.journal))
	for i, e := range s.journal {
		e.Keys = maps.Clone(e.Keys)
		out[i] = e
	}
	return out
}

// WriteJournal writes the whole journal (see JournalAll) to w as JSON lines, one entry a line:
// {"seq":1,"time":"2026-01-05T09:00:00Z","service":"datazone","operation":"CreateDataSource",
// "resource":"...","outcome":"applied","caller":"arn:...","keys":{...},"mutating":true,...}.
func (s *Sandbox) WriteJournal(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, e := range s.JournalAll() {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("write journal entry %d: %w", e.Seq, err)
		}
	}
	return nil
}

// record appends the journal entry of a call (s.mu held). outcome is what the call's faults made
// of it (OutcomeApplied unless a fault answered); a call that failed otherwise is refused.
func (s *Sandbox) record(r *request, id string, err error, outcome string) {
	code := ""
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			code = ae.code
		} else {
			code = "InternalServerException"
		}
		if outcome == OutcomeApplied {
			outcome = OutcomeRefused
		}
	}
	e := JournalEntry{
		Time:      s.now(),
		Service:   r.service,
		Op:        r.op,
		Resource:  s.callResource(r),
		Outcome:   outcome,
		Caller:    r.caller,
		Keys:      maps.Clone(r.keys),
		Error:     code,
		Mutating:  mutating(r.op),
		RequestID: id,
	}
	if outcome == OutcomeApplied || outcome == OutcomeLost {
		s.noteCreated(r.op, e.Resource)
	}
	s.appendJournal(e)
}

// recordBackground journals a change DataZone made by itself (s.mu held), as the operation a
// caller would have used for it.
func (s *Sandbox) recordBackground(op, resource string, keys map[string]string) {
	s.appendJournal(JournalEntry{
		Time: s.now(), Service: "datazone", Op: op, Resource: resource, Outcome: OutcomeApplied,
		Caller: datazoneService, Keys: keys, Mutating: true, Background: true,
	})
}

func (s *Sandbox) appendJournal(e JournalEntry) {
	e.Seq = len(s.journal) + 1
	s.journal = append(s.journal, e)
}

// noteCreated remembers when a call first created resource, for the notfound fault (s.mu held).
func (s *Sandbox) noteCreated(op, resource string) {
	if resource == "" || !creates(op) {
		return
	}
	if s.created == nil {
		s.created = map[string]time.Time{}
	}
	if _, seen := s.created[resource]; !seen {
		s.created[resource] = s.now()
	}
}

// creates reports whether an operation makes a new resource that later calls read by its ID or
// ARN: every Create*, a data source run, a query execution and a registered location.
func creates(op string) bool {
	switch op {
	case "StartDataSourceRun", "StartQueryExecution", "RegisterResource":
		return true
	}
	return strings.HasPrefix(op, "Create")
}
