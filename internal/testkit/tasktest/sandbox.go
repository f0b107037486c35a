package tasktest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
)

// Env is one test's sandbox and the SDK clients of its world's default identity (the
// administrator in every world but not-member, where it is the workflow's role).
type Env struct {
	SB  *sandbox.Sandbox
	C   *awsapi.Clients
	cfg aws.Config
}

// Start starts a sandbox of the named world ("" is "default"), changed by edit when it is not
// nil, that serves until the test ends.
func Start(t testing.TB, world string, edit func(*sandbox.World), opt sandbox.Options) Env {
	t.Helper()
	if world == "" {
		world = "default"
	}
	w := sandboxtest.World(t, world)
	if edit != nil {
		edit(w)
	}
	sb, cfg := sandboxtest.Start(t, w, opt)
	return Env{SB: sb, C: awsapi.NewClients(cfg), cfg: cfg}
}

// Admin returns the clients of the account's administrator (access key AKIDADMIN): a Lake
// Formation administrator and the owner of every project, whatever the world's default identity.
func (e Env) Admin() *awsapi.Clients {
	return awsapi.NewClients(sandboxtest.As(e.cfg, "AKIDADMIN", "secret", ""))
}

// CrawlTime is how much virtual time Crawl lets pass: more than the default world's crawler takes
// to start and finish.
const CrawlTime = 3 * time.Minute

// Crawl runs the default world's crawler once as c, as an administrator would, lets CrawlTime
// pass, and requires the crawl to have succeeded.
func Crawl(t testing.TB, sb *sandbox.Sandbox, c *awsapi.Clients) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Glue.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String(CrawlerName)}); err != nil {
		t.Fatalf("setup: start crawler: %v", err)
	}
	sb.Advance(CrawlTime)
	out, err := c.Glue.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(CrawlerName)})
	if err != nil {
		t.Fatalf("setup: get crawler: %v", err)
	}
	if lc := out.Crawler.LastCrawl; lc == nil || lc.Status != gluetypes.LastCrawlStatusSucceeded {
		t.Fatalf("setup: crawl did not succeed: %+v", lc)
	}
}

// OnDatabase is the Lake Formation resource of the default world's Glue database.
func OnDatabase() *lftypes.Resource {
	return &lftypes.Resource{Database: &lftypes.DatabaseResource{Name: aws.String(Database)}}
}

// OnAllTables is the Lake Formation resource of every table of the default world's Glue database.
func OnAllTables() *lftypes.Resource {
	return &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(Database), TableWildcard: &lftypes.TableWildcard{}}}
}

// Grant grants perms on res to principal, and grantable of them with the grant option, through
// lf (an administrator's client).
func Grant(t testing.TB, lf *lakeformation.Client, principal string, res *lftypes.Resource, perms, grantable []lftypes.Permission) {
	t.Helper()
	_, err := lf.GrantPermissions(context.Background(), &lakeformation.GrantPermissionsInput{
		Principal:                  &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(principal)},
		Resource:                   res,
		Permissions:                perms,
		PermissionsWithGrantOption: grantable,
	})
	if err != nil {
		t.Fatalf("setup: grant %v to %s: %v", perms, principal, err)
	}
}

// Register registers an S3 location with Lake Formation (with the service-linked role) through lf
// (an administrator's client).
func Register(t testing.TB, lf *lakeformation.Client, arn string) {
	t.Helper()
	_, err := lf.RegisterResource(context.Background(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String(arn), UseServiceLinkedRole: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("setup: register %s: %v", arn, err)
	}
}
