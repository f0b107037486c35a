package preflight

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
)

// workgroupKeys are the provisioned-resource names that may hold an environment's Athena
// workgroup, in order of preference (aws-reference.md §2, §13: the V1 key is not confirmed).
var workgroupKeys = []string{"workgroupName", "athenaWorkGroupName", "athenaWorkgroupName"}

// resource returns the value of the provisioned resource called name (ignoring case), or "".
func resource(rs []dztypes.Resource, name string) string {
	for _, r := range rs {
		if strings.EqualFold(aws.ToString(r.Name), name) {
			return aws.ToString(r.Value)
		}
	}
	return ""
}

// workgroup finds the Athena workgroup among provisioned resources: a known key first, then any
// resource whose Name or Type contains "workgroup" (ignoring case). It returns "" when none does.
func workgroup(rs []dztypes.Resource) string {
	for _, k := range workgroupKeys {
		if v := resource(rs, k); v != "" {
			return v
		}
	}
	for _, r := range rs {
		name, typ := strings.ToLower(aws.ToString(r.Name)), strings.ToLower(aws.ToString(r.Type))
		if strings.Contains(name, "workgroup") || strings.Contains(typ, "workgroup") {
			if v := aws.ToString(r.Value); v != "" {
				return v
			}
		}
	}
	return ""
}

// resourceList is every Name/Type of provisioned resources, for logs and messages:
// "glueConsumerDBName (GLUE_DATABASE), userRoleArn (IAM_ROLE)".
func resourceList(rs []dztypes.Resource) string {
	if len(rs) == 0 {
		return "none"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s (%s)", aws.ToString(r.Name), aws.ToString(r.Type))
	}
	return strings.Join(parts, ", ")
}
