package sandbox_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

// Names from examples/sandbox-world.json.
const (
	account      = "123456789012"
	adminRole    = "arn:aws:iam::123456789012:role/Admin"
	crawlerRole  = "arn:aws:iam::123456789012:role/service-role/AWSGlueServiceRole-acme"
	workflowRole = "arn:aws:iam::123456789012:role/dzonboard-workflow"
	manageRole   = "arn:aws:iam::123456789012:role/service-role/AmazonDataZoneGlueAccess-us-east-1-dzd_5xk2q8m1v3c9tb"
	salesUser    = "arn:aws:iam::123456789012:role/datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn"
	crawlerName  = "acme-sales-orders"
	salesDB      = "acme_sales"
	salesSubDB   = "sales_env_sub_db"
	salesWG      = "sales_env-wg"
	locationARN  = "arn:aws:s3:::acme-sales-data/sales"
	slrARN       = "arn:aws:iam::123456789012:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"
	boundaryARN  = "arn:aws:iam::123456789012:policy/AmazonDataZoneEnvironmentRolePermissionsBoundary"
)

// clients are the SDK clients of one sandbox.
type clients struct {
	sb   *sandbox.Sandbox
	cfg  aws.Config
	glue *glue.Client
	lf   *lakeformation.Client
	ath  *athena.Client
	sts  *sts.Client
}

// start serves a named world, changed by the optional edits, and returns clients for it.
func start(t *testing.T, world string, edits ...func(*sandbox.World)) clients {
	t.Helper()
	w := sandboxtest.World(t, world)
	for _, e := range edits {
		e(w)
	}
	sb, cfg := sandboxtest.Start(t, w, sandbox.Options{})
	return newClients(sb, cfg)
}

func newClients(sb *sandbox.Sandbox, cfg aws.Config) clients {
	return clients{
		sb: sb, cfg: cfg,
		glue: glue.NewFromConfig(cfg),
		lf:   lakeformation.NewFromConfig(cfg),
		ath:  athena.NewFromConfig(cfg),
		sts:  sts.NewFromConfig(cfg),
	}
}

// as returns the clients signing with an access key.
func (c clients) as(akid, secret, token string) clients {
	return newClients(c.sb, sandboxtest.As(c.cfg, akid, secret, token))
}

// withIdentity maps an access key to a role in the world.
func withIdentity(akid, role string) func(*sandbox.World) {
	return func(w *sandbox.World) {
		w.Identities = append(w.Identities, sandbox.Identity{AccessKeyID: akid, ARN: role})
	}
}

func principal(arn string) *lftypes.DataLakePrincipal {
	return &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(arn)}
}

func dbResource(db string) *lftypes.Resource {
	return &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String(db)}}
}

func tableResource(db, table string) *lftypes.Resource {
	return &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(db), Name: aws.String(table)}}
}

func locationResource(arn string) *lftypes.Resource {
	return &lftypes.Resource{DataLocation: &lftypes.DataLocationResource{ResourceArn: aws.String(arn)}}
}

// grant grants permissions as the clients' identity and fails the test on error.
func (c clients) grant(t *testing.T, who string, res *lftypes.Resource, perms []lftypes.Permission, grantable ...lftypes.Permission) {
	t.Helper()
	_, err := c.lf.GrantPermissions(t.Context(), &lakeformation.GrantPermissionsInput{
		Principal: principal(who), Resource: res, Permissions: perms, PermissionsWithGrantOption: grantable,
	})
	if err != nil {
		t.Fatalf("grant %v to %s: %v", perms, who, err)
	}
}

// register registers the sample location with the service-linked role.
func (c clients) register(t *testing.T) {
	t.Helper()
	_, err := c.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("register %s: %v", locationARN, err)
	}
}

// wantErrCase checks the error of a table case that may expect an error of type E. When wantErr
// is set it fails the test unless err is an E and returns true, so the case ends there; otherwise
// it fails the test on any error and returns false.
func wantErrCase[E error](t *testing.T, err error, wantErr bool) bool {
	t.Helper()
	if wantErr {
		var target E
		if !errors.As(err, &target) {
			t.Fatalf("err = %v, want %T", err, target)
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}
