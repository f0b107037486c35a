package sandbox

import (
	"errors"
	"maps"
	"time"
)

// JournalEntry is one recorded call to a mutating operation.
type JournalEntry struct {
	// Seq numbers entries from 1 in call order.
	Seq int
	// Time is the virtual time of the call.
	Time time.Time
	// Service is glue, lakeformation, datazone, athena or sts; Op the SDK operation name.
	Service, Op string
	// Caller is the IAM role ARN the call was made as.
	Caller string
	// Keys are the operation's key fields (names, IDs, tokens).
	Keys map[string]string
	// Error is the error code the call failed with, "" if it succeeded.
	Error string
}

// Journal returns a copy of every mutating call recorded so far, in order.
func (s *Sandbox) Journal() []JournalEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]JournalEntry, len(s.journal))
	for i, e := range s.journal {
		e.Keys = maps.Clone(e.Keys)
		out[i] = e
	}
	return out
}

// record appends a journal entry for r (s.mu held).
func (s *Sandbox) record(r *request, err error) {
	code := ""
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			code = ae.code
		} else {
			code = "InternalServerException"
		}
	}
	s.journal = append(s.journal, JournalEntry{
		Seq:     len(s.journal) + 1,
		Time:    s.now(),
		Service: r.service,
		Op:      r.op,
		Caller:  r.caller,
		Keys:    maps.Clone(r.keys),
		Error:   code,
	})
}
