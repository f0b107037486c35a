package preflight

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// identity reads who Preflight runs as.
func (c *check) identity(ctx context.Context) error {
	out, err := c.d.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return c.failed("", "read its own identity (sts get-caller-identity)", err)
	}
	c.account = aws.ToString(out.Account)
	c.caller = roleARN(aws.ToString(out.Arn))
	slog.InfoContext(ctx, "preflight runs as", "arn", aws.ToString(out.Arn), "role", c.caller, "account", c.account)
	return nil
}

// roleARN turns an assumed-role ARN (arn:aws:sts::<acct>:assumed-role/<name>/<session>) into the
// role's ARN (arn:aws:iam::<acct>:role/<name>); any other ARN is returned as it is. The role's
// path is not in an assumed-role ARN, which is why roles are compared with sameRole.
func roleARN(s string) string {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "sts" || !strings.HasPrefix(a.Resource, "assumed-role/") {
		return s
	}
	name := strings.Split(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")[0]
	return "arn:" + a.Partition + ":iam::" + a.AccountID + ":role/" + name
}

// sameRole reports whether two IAM role ARNs (or assumed-role ARNs) name the same role: the
// same account and role name, whatever the paths.
func sameRole(x, y string) bool {
	ax, okx := roleKey(x)
	ay, oky := roleKey(y)
	return okx && oky && ax == ay
}

// roleKey is "<account>/<role name>" of a role or assumed-role ARN.
func roleKey(s string) (string, bool) {
	a, err := arn.Parse(roleARN(s))
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return "", false
	}
	parts := strings.Split(a.Resource, "/")
	return a.AccountID + "/" + parts[len(parts)-1], true
}

// crawlerRoleARN is the ARN of a crawler's Role, which Glue keeps as given: an ARN, or a name
// (possibly with a path) in the crawler's account.
func crawlerRoleARN(role, partition, account string) string {
	if strings.HasPrefix(role, "arn:") {
		return role
	}
	return "arn:" + partition + ":iam::" + account + ":role/" + strings.TrimPrefix(role, "/")
}

// partition is the caller's ARN partition ("aws" when the caller is not known: identity reports
// that as a problem of its own).
func (c *check) partition() string {
	if a, err := arn.Parse(c.caller); err == nil {
		return a.Partition
	}
	return "aws"
}
