package sandbox

import (
	"strings"
	"time"
)

// mintedCreds are temporary credentials the sandbox issued for a role.
type mintedCreds struct {
	role string
	exp  time.Time
}

const (
	idAlphabet   = "abcdefghijklmnopqrstuvwxyz0123456789"
	akidAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secAlphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// newID returns a deterministic 14-character [a-z0-9] ID (s.mu held).
func (s *Sandbox) newID() string { return s.randString(14, idAlphabet) }

func (s *Sandbox) randString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// newUUID returns a deterministic UUID-shaped ID (s.mu held).
func (s *Sandbox) newUUID() string {
	h := "0123456789abcdef"
	x := s.randString(32, h)
	return x[0:8] + "-" + x[8:12] + "-4" + x[13:16] + "-a" + x[17:20] + "-" + x[20:32]
}

// mintCredentials issues temporary credentials that the sandbox recognises as roleARN until exp
// (s.mu held).
func (s *Sandbox) mintCredentials(roleARN string, ttl time.Duration) (akid, secret, token string, exp time.Time) {
	akid = "ASIA" + s.randString(16, akidAlphabet)
	secret = s.randString(40, secAlphabet)
	token = "IQoJb3JpZ2luX2VjE" + s.randString(120, secAlphabet)
	exp = s.now().Add(ttl)
	s.creds[akid] = mintedCreds{role: roleARN, exp: exp}
	return akid, secret, token, exp
}

// identify returns the role ARN an access key acts as (s.mu held): minted credentials (an error
// once expired), then the world's identities, else the world's default identity.
func (s *Sandbox) identify(service, akid string) (string, *apiError) {
	if c, ok := s.creds[akid]; ok {
		if !s.now().Before(c.exp) {
			return c.role, expiredTokenError(service)
		}
		return c.role, nil
	}
	for _, id := range s.world.Identities {
		if id.AccessKeyID == akid {
			return id.ARN, nil
		}
	}
	return s.world.DefaultIdentity, nil
}

// role returns the world's role with this ARN.
func (s *Sandbox) role(arn string) (Role, bool) {
	for _, r := range s.world.Roles {
		if r.ARN == arn {
			return r, true
		}
	}
	return Role{}, false
}

// roleHasBoundary reports whether the role has a permissions boundary: set on the world role, or
// the role is a DataZone environment user role and the blueprint defines the environment boundary.
func (s *Sandbox) roleHasBoundary(arn string) bool {
	if r, ok := s.role(arn); ok && r.PermissionsBoundary != "" {
		return true
	}
	if s.world.DataZone.Blueprint.PermissionsBoundary == "" {
		return false
	}
	for _, p := range s.world.DataZone.Projects {
		for _, e := range p.Environments {
			if e.UserRoleARN == arn {
				return true
			}
		}
	}
	return false
}

// roleS3Access reports whether the role's IAM policies allow reading the s3:// location.
func (s *Sandbox) roleS3Access(arn, location string) bool {
	r, ok := s.role(arn)
	if !ok {
		return false
	}
	loc := strings.TrimSuffix(location, "/") + "/"
	for _, p := range r.S3Access {
		p = strings.TrimSuffix(p, "*")
		if !strings.HasSuffix(p, "/") {
			p += "/"
		}
		if strings.HasPrefix(loc, p) {
			return true
		}
	}
	return false
}

// roleName is the last path element of a role ARN.
func roleName(arn string) string {
	i := strings.LastIndex(arn, "/")
	if i < 0 {
		return arn
	}
	return arn[i+1:]
}

// assumedRoleARN is the STS ARN of a session of the role, e.g.
// arn:aws:sts::123456789012:assumed-role/Admin/dzonboard.
func (s *Sandbox) assumedRoleARN(arn string) string {
	if !strings.Contains(arn, ":role/") {
		return arn
	}
	return "arn:aws:sts::" + s.world.Account + ":assumed-role/" + roleName(arn) + "/dzonboard"
}
