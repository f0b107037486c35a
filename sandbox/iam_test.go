package sandbox_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/dzonboard/dzonboard/sandbox/iampolicy"
)

const (
	deployedRole = "arn:aws:iam::123456789012:role/Dzonboard-TestRole"
	deployedUser = "arn:aws:sts::123456789012:assumed-role/Dzonboard-TestRole/dzonboard"
	domainID     = "dzd_5xk2q8m1v3c9tb"
	salesEnv     = "c8m2v7k4q1x9tn"
	ordersTable  = "arn:aws:glue:us-east-1:123456789012:table/acme_sales/orders"
)

// Statements as the CDK stack writes them (infra/scopes.go) for this account.
const (
	stackGlueCatalog = `{"Effect":"Allow","Action":["glue:GetDatabase","glue:GetTable","glue:GetTables"],"Resource":[
		"arn:aws:glue:us-east-1:123456789012:catalog","arn:aws:glue:us-east-1:123456789012:database/*",
		"arn:aws:glue:us-east-1:123456789012:table/*/*"]}`
	stackDataZoneDomain = `{"Effect":"Allow","Action":["datazone:GetDomain","datazone:GetEnvironment"],
		"Resource":"arn:aws:datazone:us-east-1:123456789012:domain/*"}`
	stackLakeFormation = `{"Effect":"Allow","Action":["lakeformation:RegisterResource","lakeformation:GrantPermissions"],"Resource":"*"}`
	stackSLR           = `{"Effect":"Allow","Action":["iam:GetRole","iam:PutRolePolicy"],"Resource":"` + slrARN + `"},
		{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"` + slrARN + `",
		 "Condition":{"StringEquals":{"iam:AWSServiceName":"lakeformation.amazonaws.com"}}}`
)

// deploy makes the test role exist with one policy of the given statements and returns clients
// that sign as it.
func (c clients) deploy(t *testing.T, statements ...string) clients {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	p, err := iampolicy.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("policy: %v\n%s", err, doc)
	}
	key := c.sb.DeployRole(deployedRole, []*iampolicy.Policy{p})
	return c.as(key.ID, key.Secret, "")
}

// httpStatus is the HTTP status of an SDK error (0 when it has none).
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestDeployedRoleIsAuthorisedByItsPolicies(t *testing.T) {
	getOrders := func(c clients) error {
		_, err := c.glue.GetTable(t.Context(), &glue.GetTableInput{DatabaseName: aws.String(salesDB), Name: aws.String("orders")})
		return err
	}
	getEnvironment := func(c clients) error {
		_, err := datazone.NewFromConfig(c.cfg).GetEnvironment(t.Context(), &datazone.GetEnvironmentInput{
			DomainIdentifier: aws.String(domainID), Identifier: aws.String(salesEnv)})
		return err
	}
	tests := []struct {
		name       string
		statements []string
		// lfDescribe grants the role DESCRIBE on the orders table as the administrator: Lake
		// Formation, checked after IAM, hides a managed table's metadata without it.
		lfDescribe bool
		call       func(c clients) error
		wantCode   string // "" for success
		wantStatus int
		wantMsg    string
	}{
		{name: "glue:GetTable allowed on the catalog, the database and the table", statements: []string{stackGlueCatalog},
			lfDescribe: true, call: getOrders},
		{name: "glue:GetTable without the table: the table is named",
			statements: []string{`{"Effect":"Allow","Action":"glue:GetTable","Resource":["arn:aws:glue:us-east-1:123456789012:catalog","arn:aws:glue:us-east-1:123456789012:database/acme_sales"]}`},
			call:       getOrders, wantCode: "AccessDeniedException", wantStatus: 400,
			wantMsg: "User: " + deployedUser + " is not authorized to perform: glue:GetTable on resource: " + ordersTable +
				" because no identity-based policy allows the glue:GetTable action"},
		{name: "glue:GetTable on the table only: the catalog is checked first",
			statements: []string{`{"Effect":"Allow","Action":"glue:GetTable","Resource":"` + ordersTable + `"}`},
			call:       getOrders, wantCode: "AccessDeniedException", wantStatus: 400,
			wantMsg: "on resource: arn:aws:glue:us-east-1:123456789012:catalog because"},
		{name: "an explicit deny wins over an allow",
			statements: []string{`{"Effect":"Allow","Action":"*","Resource":"*"}`,
				`{"Effect":"Deny","Action":"glue:Get*","Resource":"arn:aws:glue:us-east-1:123456789012:table/acme_sales/*"}`},
			call: getOrders, wantCode: "AccessDeniedException", wantStatus: 400,
			wantMsg: "User: " + deployedUser + " is not authorized to perform: glue:GetTable on resource: " + ordersTable +
				" with an explicit deny in an identity-based policy"},
		{name: "datazone:GetEnvironment has no resource type: a domain ARN grants nothing",
			statements: []string{stackDataZoneDomain}, call: getEnvironment, wantCode: "AccessDeniedException", wantStatus: 403,
			wantMsg: "User: " + deployedUser + " is not authorized to perform: datazone:GetEnvironment because no identity-based policy allows the datazone:GetEnvironment action"},
		{name: "datazone:GetDomain is authorised on the domain ARN", statements: []string{stackDataZoneDomain},
			call: func(c clients) error {
				_, err := datazone.NewFromConfig(c.cfg).GetDomain(t.Context(), &datazone.GetDomainInput{Identifier: aws.String(domainID)})
				return err
			}},
		{name: "IAM allows datazone:GetEnvironment on *, then DataZone checks project membership",
			statements: []string{`{"Effect":"Allow","Action":"datazone:GetEnvironment","Resource":"*"}`},
			call:       getEnvironment, wantCode: "AccessDeniedException", wantStatus: 403,
			wantMsg: "User is not permitted to perform operation: GetEnvironment"},
		{name: "athena:StartQueryExecution is authorised on the workgroup",
			statements: []string{`{"Effect":"Allow","Action":"athena:StartQueryExecution","Resource":"arn:aws:athena:us-east-1:123456789012:workgroup/primary"}`},
			call: func(c clients) error {
				_, err := c.ath.StartQueryExecution(t.Context(), &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), WorkGroup: aws.String(salesWG)})
				return err
			},
			wantCode: "AccessDeniedException", wantStatus: 400,
			wantMsg: "athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:123456789012:workgroup/" + salesWG + " because"},
		{name: "s3:GetObject is authorised on the object, and S3 quotes it",
			statements: []string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-sales-data/other/*"}`},
			call: func(c clients) error {
				_, err := s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(t.Context(),
					&s3.GetObjectInput{Bucket: aws.String("acme-sales-data"), Key: aws.String("sales/orders/orders.csv")})
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403,
			wantMsg: `User: ` + deployedUser + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::acme-sales-data/sales/orders/orders.csv" because no identity-based policy allows the s3:GetObject action`},
		{name: "a missing key without s3:ListBucket is AccessDenied, so keys cannot be probed",
			statements: []string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::dzonboard-state-123456789012-us-east-1/*"}`},
			call: func(c clients) error {
				_, err := s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(t.Context(),
					&s3.GetObjectInput{Bucket: aws.String("dzonboard-state-123456789012-us-east-1"), Key: aws.String("tables/gone.json.gz")})
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403, wantMsg: "Access Denied"},
		{name: "a missing key with s3:ListBucket is NoSuchKey",
			statements: []string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::dzonboard-state-123456789012-us-east-1/*"}`,
				`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::dzonboard-state-123456789012-us-east-1"}`},
			call: func(c clients) error {
				_, err := s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(t.Context(),
					&s3.GetObjectInput{Bucket: aws.String("dzonboard-state-123456789012-us-east-1"), Key: aws.String("tables/gone.json.gz")})
				return err
			},
			wantCode: "NoSuchKey", wantStatus: 404, wantMsg: "The specified key does not exist."},
		{name: "sts:GetCallerIdentity needs no permission",
			call: func(c clients) error {
				out, err := c.sts.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				if err == nil && aws.ToString(out.Arn) != deployedUser {
					t.Errorf("caller %s, want %s", aws.ToString(out.Arn), deployedUser)
				}
				return err
			}},
		{name: "registering with the service-linked role needs iam:CreateServiceLinkedRole the first time",
			statements: []string{stackLakeFormation},
			call: func(c clients) error {
				_, err := c.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)})
				return err
			},
			wantCode: "AccessDeniedException", wantStatus: 400,
			wantMsg: "User: " + deployedUser + " is not authorized to perform: iam:CreateServiceLinkedRole on resource: " + slrARN +
				" because no identity-based policy allows the iam:CreateServiceLinkedRole action"},
		{name: "the service-linked role condition must name Lake Formation",
			statements: []string{stackLakeFormation, `{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:PutRolePolicy"],"Resource":"*",
				"Condition":{"StringEquals":{"iam:AWSServiceName":"glue.amazonaws.com"}}}`},
			call: func(c clients) error {
				_, err := c.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)})
				return err
			},
			wantCode: "AccessDeniedException", wantStatus: 400, wantMsg: "iam:CreateServiceLinkedRole on resource: " + slrARN},
		{name: "the stack's service-linked role statements let it register", statements: []string{stackLakeFormation, stackSLR},
			call: func(c clients) error {
				_, err := c.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)})
				return err
			}},
		{name: "granting on a table needs Glue permission on it",
			statements: []string{stackLakeFormation, `{"Effect":"Allow","Action":"glue:GetTable","Resource":["arn:aws:glue:us-east-1:123456789012:catalog","arn:aws:glue:us-east-1:123456789012:database/acme_sales"]}`},
			call: func(c clients) error {
				_, err := c.lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{Principal: principal(manageRole),
					Resource: tableResource(salesDB, "orders"), Permissions: []lftypes.Permission{lftypes.PermissionDescribe}})
				return err
			},
			wantCode: "AccessDeniedException", wantStatus: 400, wantMsg: "Insufficient Glue permissions to access table orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin := start(t, "default")
			admin.crawl(t)
			role := admin.deploy(t, tt.statements...)
			if tt.lfDescribe {
				admin.grant(t, deployedRole, tableResource(salesDB, "orders"), []lftypes.Permission{lftypes.PermissionDescribe})
			}
			err := tt.call(role)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("call: %v", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.wantCode {
				t.Fatalf("err = %v, want %s", err, tt.wantCode)
			}
			if !strings.Contains(ae.ErrorMessage(), tt.wantMsg) {
				t.Errorf("message %q lacks %q", ae.ErrorMessage(), tt.wantMsg)
			}
			if got := httpStatus(err); got != tt.wantStatus {
				t.Errorf("HTTP %d, want %d", got, tt.wantStatus)
			}
		})
	}
}

// Once the service-linked role exists, a further registration needs only iam:PutRolePolicy on it;
// and principals that are not deployed roles (the world's administrator) are not IAM-checked.
func TestServiceLinkedRoleIsCreatedOnce(t *testing.T) {
	admin := start(t, "default")
	first := admin.deploy(t, stackLakeFormation, stackSLR)
	if _, err := first.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)}); err != nil {
		t.Fatalf("first registration: %v", err)
	}
	second := admin.deploy(t, stackLakeFormation, `{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"`+slrARN+`"}`)
	if _, err := second.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String("arn:aws:s3:::acme-sales-data/archive"), UseServiceLinkedRole: aws.Bool(true)}); err != nil {
		t.Fatalf("second registration without iam:CreateServiceLinkedRole: %v", err)
	}
	none := admin.deploy(t, stackLakeFormation)
	_, err := none.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String("arn:aws:s3:::acme-sales-data/more"), UseServiceLinkedRole: aws.Bool(true)})
	if err == nil || !strings.Contains(err.Error(), "iam:PutRolePolicy on resource: "+slrARN) {
		t.Errorf("registration without iam:PutRolePolicy: %v", err)
	}
	if _, err := admin.glue.GetDatabase(t.Context(), &glue.GetDatabaseInput{Name: aws.String(salesDB)}); err != nil {
		t.Errorf("the administrator has no IAM policies in the world and is not IAM-checked: %v", err)
	}
}
