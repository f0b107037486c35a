package sandbox

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	"github.com/dzonboard/dzonboard/sandbox/cfntemplate"
	"github.com/dzonboard/dzonboard/sandbox/iampolicy"
)

// IAM for deployed roles. The sandbox authorises a call with IAM only when the caller is a role
// a deployed stack created (DeployRole): the call is allowed only if that role's identity-based
// policies allow the operation's action on each of its resource ARNs (iamRules), and on the
// actions the service then performs as the caller. Every other caller (the world's
// administrator, DataZone's environment roles, the crawler's role) is not IAM-checked: the
// world file does not describe their policies.

// iamState is the sandbox's IAM: the policies of the deployed roles, by role ARN.
type iamState struct {
	policies map[string][]*iampolicy.Policy
}

// AccessKey is a long-term access key that signs as a role.
type AccessKey struct {
	ID     string
	Secret string
}

// neverExpires is the expiry of deployed roles' access keys.
var neverExpires = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// DeployRole makes a role exist in the sandbox's IAM with these identity-based policies, as a
// deployed stack leaves it, and returns an access key that acts as the role. From then on every
// call signed with the key is authorised by the policies. Deploying a role again replaces its
// policies; the key stays the same (it is derived from the ARN).
func (s *Sandbox) DeployRole(arn string, policies []*iampolicy.Policy) AccessKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.extraRoles, arn) {
		s.extraRoles = append(s.extraRoles, arn)
	}
	if s.iam == nil {
		s.iam = &iamState{policies: map[string][]*iampolicy.Policy{}}
	}
	s.iam.policies[arn] = policies
	key := accessKeyOf(arn)
	s.creds[key.ID] = mintedCreds{role: arn, exp: neverExpires}
	return key
}

// accessKeyOf derives a stable AKIA... key and secret from a role ARN.
func accessKeyOf(arn string) AccessKey {
	h := sha256.Sum256([]byte("dzonboard-sandbox-access-key:" + arn))
	return AccessKey{
		ID:     "AKIA" + base32.StdEncoding.EncodeToString(h[:])[:16],
		Secret: base64.RawStdEncoding.EncodeToString(append(h[:], h[:]...))[:40],
	}
}

// Partition is the partition of the world's region (aws, aws-cn, aws-us-gov): the partition of
// every ARN the sandbox's IAM checks.
func (s *Sandbox) Partition() string { return cfntemplate.PartitionOf(s.world.Region) }

// iamCheck is one action IAM authorises for a call, on one resource.
type iamCheck struct {
	action   string
	resource string // an ARN, or "*" for an action without resource type
	context  map[string][]string
	// denied, when set, is the service's answer when the check fails; by default it is the
	// service's AccessDeniedException with IAM's text.
	denied func() *apiError
}

// authorize checks IAM for a call by a deployed role (s.mu held); calls by any other principal
// pass. It returns the service's AccessDeniedException for the first check that fails.
func (s *Sandbox) authorize(r *request) error {
	if s.iam == nil {
		return nil
	}
	policies, ok := s.iam.policies[r.caller]
	if !ok {
		return nil
	}
	rule, ok := iamRules[r.service+":"+r.op]
	if !ok {
		return errorf(500, "InternalFailure", "the sandbox has no IAM rule for %s:%s: add it to iamRules (sandbox/iam_rules.go)", r.service, r.op)
	}
	if rule.unauthenticated {
		return nil
	}
	checks, ok := s.iamChecks(r, rule)
	if !ok {
		// The request does not name its resources (a malformed or unknown one): the handler
		// answers it with the service's validation or not-found error.
		return nil
	}
	for _, c := range checks {
		ctx := map[string][]string{
			// Global condition keys every request carries (IAM User Guide, "AWS global condition
			// context keys"); calls reach AWS over TLS, so aws:SecureTransport is true.
			"aws:PrincipalArn":     {r.caller},
			"aws:PrincipalAccount": {s.world.Account},
			"aws:PrincipalType":    {"AssumedRole"},
			"aws:RequestedRegion":  {s.world.Region},
			"aws:SecureTransport":  {"true"},
		}
		for k, v := range c.context {
			ctx[k] = v
		}
		d := iampolicy.Evaluate(policies, iampolicy.Request{Action: c.action, Resource: c.resource, Context: ctx})
		if d == iampolicy.Allowed {
			continue
		}
		if c.denied != nil {
			return c.denied()
		}
		return iamDenied(r.service, iamDeniedMessage(r.service, s.assumedRoleARN(r.caller), c.action, c.resource, d))
	}
	return nil
}

// iamChecks lists what IAM checks for a call: the operation's action on each of its resources,
// then the actions the service performs as the caller. ok is false when the resources cannot
// be read from the request.
func (s *Sandbox) iamChecks(r *request, rule iamRule) ([]iamCheck, bool) {
	action := rule.action
	if action == "" {
		action = r.service + ":" + r.op
	}
	resources := []string{"*"}
	if rule.resources != nil {
		var ok bool
		if resources, ok = rule.resources(s, r); !ok {
			return nil, false
		}
	}
	var checks []iamCheck
	for _, res := range resources {
		checks = append(checks, iamCheck{action: action, resource: res})
	}
	if rule.onBehalf != nil {
		checks = append(checks, rule.onBehalf(s, r)...)
	}
	return checks, true
}

// iamDeniedMessage is IAM's text for a denied request. For an action without resource type
// (resource "*") the text names no resource, e.g. "User: arn:aws:sts::…:assumed-role/ProwlerExecRole/prowler
// is not authorized to perform: glue:GetSecurityConfiguration because no identity-based policy
// allows the glue:GetSecurityConfiguration action" (prowler-cloud/prowler#988); with a resource
// it is "… is not authorized to perform: glue:GetTable on resource: arn:aws:glue:…:database/… because no
// identity-based policy allows the glue:GetTable action" (Altinity/ClickHouse#954,
// dacort/metabase-athena-driver#105). An explicit deny ends "with an explicit deny in an
// identity-based policy" (IAM User Guide, "Troubleshooting access denied error messages", and
// the texts users quote from S3 and IAM denials). S3 quotes the resource: `on resource:
// "arn:aws:s3:::bucket/key"` (S3 user guide, "Troubleshoot access denied (403 Forbidden) errors
// in Amazon S3"; s3_access.go writes its own denials the same way).
func iamDeniedMessage(service, principal, action, resource string, d iampolicy.Decision) string {
	on := ""
	switch {
	case resource == "*":
	case service == "s3":
		on = fmt.Sprintf(" on resource: %q", resource)
	default:
		on = " on resource: " + resource
	}
	if d == iampolicy.ExplicitDeny {
		return fmt.Sprintf("User: %s is not authorized to perform: %s%s with an explicit deny in an identity-based policy",
			principal, action, on)
	}
	return fmt.Sprintf("User: %s is not authorized to perform: %s%s because no identity-based policy allows the %s action",
		principal, action, on, action)
}

// iamDenied is each service's AccessDeniedException for an IAM denial. Glue and Athena (awsJson1_1)
// answer HTTP 400: "(Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException" for
// glue:GetCatalogImportStatus (dacort/metabase-athena-driver#105), "AccessDeniedException: … not
// authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:…:workgroup/primary
// … status code: 400" (grafana/athena-datasource#156). DataZone answers 403 ("Service: DataZone,
// Status Code: 403", aws/modern-data-architecture-accelerator#39). Lake Formation answers
// AccessDeniedException with 400 for its own denials ("Service: AWSLakeFormation; Status Code: 400;
// Error Code: AccessDeniedException", aws-cloudformation/cloudformation-coverage-roadmap#1302); that
// an IAM denial has the same status is UNCONFIRMED. STS and S3 answer AccessDenied (403).
func iamDenied(service, msg string) *apiError {
	switch service {
	case "datazone":
		return errorf(403, "AccessDeniedException", "%s", msg)
	case "sts", "s3":
		return errorf(403, "AccessDenied", "%s", msg)
	}
	return errorf(400, "AccessDeniedException", "%s", msg)
}
