package sandbox

import "time"

// Test-only access to internals that no API exposes directly.

// LFManaged exposes lfManaged.
func (s *Sandbox) LFManaged(db, table string) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lfManaged(db, table)
}

// CreateResourceLink exposes glueCreateResourceLink.
func (s *Sandbox) CreateResourceLink(db, name, targetDB, targetTable string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.glueCreateResourceLink(db, name, targetDB, targetTable)
}

// MintCredentials exposes mintCredentials.
func (s *Sandbox) MintCredentials(role string, ttl time.Duration) (akid, secret, token string, exp time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mintCredentials(role, ttl)
}

// LFGrant exposes lfGrant.
func (s *Sandbox) LFGrant(principal string, perms []string, db, table string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lfGrant(principal, perms, lfResource{Database: db, Table: table})
}
