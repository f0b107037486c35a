package sandbox

import (
	"slices"
	"strings"
)

// IAM principals of the account. Lake Formation refuses a principal that does not exist in IAM
// (a deleted or renamed role) with InvalidInputException "Invalid principal, arn: <arn>"
// (HTTP 400): in GrantPermissions and RevokePermissions, and in PutDataLakeSettings when the
// settings name one, e.g. a stale administrator (aws/aws-cdk#19492 quotes the message). The
// sandbox's IAM knows the world's roles, the identities' roles, roles added with AddRole (a
// deployed stack's roles), and Lake Formation's service-linked role once a location was
// registered with it.

// AddRole makes a role exist in the sandbox's IAM (a role a deployed stack created). It is
// idempotent.
func (s *Sandbox) AddRole(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.extraRoles, arn) {
		s.extraRoles = append(s.extraRoles, arn)
	}
}

// principalExists reports whether an IAM role or user ARN exists in the account (s.mu held).
// Role names are unique ignoring case in IAM, so the comparison ignores case.
func (s *Sandbox) principalExists(arn string) bool {
	known := func(a string) bool { return strings.EqualFold(a, arn) }
	if known(s.world.DefaultIdentity) || slices.ContainsFunc(s.extraRoles, known) {
		return true
	}
	for _, r := range s.world.Roles {
		if known(r.ARN) {
			return true
		}
	}
	for _, id := range s.world.Identities {
		if known(id.ARN) {
			return true
		}
	}
	return len(s.lf.slrPaths) > 0 && known(s.serviceLinkedRoleARN())
}

// checkPrincipal validates a Lake Formation principal: IAM_ALLOWED_PRINCIPALS, or an IAM role or
// user ARN that exists (s.mu held).
func (s *Sandbox) checkPrincipal(principal string) *apiError {
	if principal == iamAllowedPrincipals {
		return nil
	}
	if !principalRE.MatchString(principal) || !s.principalExists(principal) {
		return invalidPrincipal(principal)
	}
	return nil
}

// invalidPrincipal is Lake Formation's answer to a principal IAM does not know.
func invalidPrincipal(arn string) *apiError {
	return lfInvalid("Invalid principal, arn: %s", arn)
}

// settingsPrincipals returns every principal ARN a DataLakeSettings document names as an
// administrator (DataLakeAdmins, ReadOnlyAdmins) or in its default permissions, in order.
func settingsPrincipals(settings map[string]any) []string {
	out := append(settingsPrincipalList(settings, "DataLakeAdmins"), settingsPrincipalList(settings, "ReadOnlyAdmins")...)
	for _, key := range []string{"CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions"} {
		list, _ := settings[key].([]any)
		for _, p := range list {
			if m, ok := p.(map[string]any); ok {
				if pr, ok := m["Principal"].(map[string]any); ok {
					if id, ok := pr["DataLakePrincipalIdentifier"].(string); ok {
						out = append(out, id)
					}
				}
			}
		}
	}
	return out
}

// checkSettingsPrincipals validates every principal of a DataLakeSettings document (s.mu held).
func (s *Sandbox) checkSettingsPrincipals(settings map[string]any) *apiError {
	for _, p := range settingsPrincipals(settings) {
		if aerr := s.checkPrincipal(p); aerr != nil {
			return aerr
		}
	}
	return nil
}
