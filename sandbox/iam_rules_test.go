package sandbox_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/dzonboard/dzonboard/internal/iamref"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
)

// Every operation a task calls (every method of every interface in awsapi.Uses), and every
// operation the sandbox serves, has an IAM rule: a deployed role calling an operation without
// one would get an internal error instead of IAM's answer.
func TestEveryOperationHasAnIAMRule(t *testing.T) {
	var ops []string
	for _, u := range awsapi.Uses {
		for _, op := range awsapi.Operations(u.API) {
			ops = append(ops, u.Service+":"+op)
		}
	}
	ops = append(ops, sandbox.ServedOperations()...)
	if len(ops) < 60 {
		t.Fatalf("found %d operations; the listing is broken", len(ops))
	}
	for _, op := range ops {
		if _, _, ok, _ := sandbox.IAMRule(op); !ok {
			t.Errorf("%s has no IAM rule in sandbox/iam_rules.go", op)
		}
	}
}

// Each rule agrees with AWS's IAM action data: the action exists; an action with no resource
// type is checked on "*" only; an action with resource types is checked on ARNs of those types,
// whose shape matches the type's ARN format.
func TestIAMRulesFollowTheServiceAuthorizationReference(t *testing.T) {
	c := start(t, "default")
	q, err := c.ath.StartQueryExecution(t.Context(), &athena.StartQueryExecutionInput{
		QueryString: aws.String("SELECT 1"), WorkGroup: aws.String(salesWG),
	})
	if err != nil {
		t.Fatal(err)
	}
	// One body and path that names everything any operation reads its resources from.
	body := []byte(`{"Name":"orders","CrawlerName":"acme-sales-orders","DatabaseName":"acme_sales","WorkGroup":"` + salesWG +
		`","QueryExecutionId":"` + aws.ToString(q.QueryExecutionId) + `"}`)
	params := map[string]string{"identifier": "dzd_5xk2q8m1v3c9tb", "domainIdentifier": "dzd_5xk2q8m1v3c9tb",
		"Bucket": "acme-sales-data", "Key": "sales/orders/orders.csv"}
	for _, op := range sandbox.ServedOperations() {
		t.Run(op, func(t *testing.T) {
			action, types, _, unauthenticated := sandbox.IAMRule(op)
			rts, known := iamref.ResourceTypes(action)
			if !known {
				t.Fatalf("%s (%s) is not an IAM action", action, op)
			}
			if unauthenticated {
				if len(rts) != 0 {
					t.Errorf("%s is skipped but has resource types %v", op, rts)
				}
				return
			}
			arns, ok := c.sb.IAMResources(op, body, params)
			if !ok {
				t.Fatalf("no resources from a request that names everything")
			}
			if len(rts) == 0 {
				if !slices.Equal(arns, []string{"*"}) || len(types) != 0 {
					t.Errorf("%s has no resource type, so IAM checks it on *; the rule checks %v (types %v)", op, arns, types)
				}
				return
			}
			if len(types) == 0 || len(arns) != len(types) {
				t.Fatalf("%s has resource types %v; the rule checks %v as %v", op, rts, arns, types)
			}
			for i, rt := range types {
				if !slices.Contains(rts, rt) {
					t.Errorf("%s: resource type %s is not one of %v", op, rt, rts)
				}
				if formats := iamref.ARNFormats(strings.Split(action, ":")[0], rt); !matchesFormat(arns[i], formats) {
					t.Errorf("%s: %s is not an ARN of type %s (%v)", op, arns[i], rt, formats)
				}
			}
		})
	}
}

func matchesFormat(arn string, formats []string) bool {
	for _, f := range formats {
		re := strings.NewReplacer("${Partition}", "aws", "${Region}", "us-east-1", "${Account}", account).Replace(f)
		if regexp.MustCompile("^" + re + "$").MatchString(arn) {
			return true
		}
	}
	return false
}
