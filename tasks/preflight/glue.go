package preflight

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/workflow"
)

// iamAllowedPrincipals is Lake Formation's principal for "IAM permissions only".
const iamAllowedPrincipals = "IAM_ALLOWED_PRINCIPALS"

// glue checks the crawler, its database and the tables already in it.
func (c *check) glue(ctx context.Context) error {
	c.database, c.s3Location = c.in.GlueDatabase, c.in.S3Location
	if err := c.crawler(ctx); err != nil {
		return err
	}
	if c.database == "" {
		return nil
	}
	exists, err := c.glueDatabase(ctx)
	if err != nil || !exists {
		return err
	}
	return c.existingTables(ctx)
}

// crawler checks the crawler and derives the database, the S3 location and the crawler role.
func (c *check) crawler(ctx context.Context) error {
	name := c.in.CrawlerName
	out, err := c.d.Glue.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(name)})
	var notFound *gluetypes.EntityNotFoundException
	switch {
	case errors.As(err, &notFound):
		c.add("crawlerName", fmt.Sprintf("Glue crawler %s does not exist in this account and region.", name),
			"create a crawler over the data set's S3 location (its target database is the one to onboard), or correct crawlerName.")
		return nil
	case err != nil:
		return c.failed("crawlerName", "get glue crawler "+name, err)
	}
	cr := out.Crawler
	if cr == nil {
		cr = &gluetypes.Crawler{}
	}

	db := aws.ToString(cr.DatabaseName)
	switch {
	case db == "" && c.database == "":
		c.add("crawlerName", fmt.Sprintf("Glue crawler %s has no target database.", name),
			"set the crawler's output database to the database to onboard.")
	case c.database != "" && db != "" && db != c.database:
		c.add("glueDatabase", fmt.Sprintf("is %s, but crawler %s writes its tables to database %s.", c.database, name, db),
			fmt.Sprintf("omit glueDatabase (or set it to %s), or point the crawler at %s.", db, c.database))
	case c.database == "":
		c.database = db
	}

	var targets []string
	if cr.Targets != nil {
		for _, t := range cr.Targets.S3Targets {
			if p := aws.ToString(t.Path); p != "" {
				targets = append(targets, strings.TrimSuffix(p, "/")+"/")
			}
		}
	}
	c.checkTargets(name, targets)

	role := aws.ToString(cr.Role)
	if role == "" {
		c.add("crawlerName", fmt.Sprintf("Glue crawler %s has no IAM role.", name), "give the crawler an IAM role that can read the data set.")
	} else {
		c.crawlerRole = crawlerRoleARN(role, c.partition(), c.account)
	}
	slog.InfoContext(ctx, "crawler", "crawler", name, "state", string(cr.State), "database", db, "targets", strings.Join(targets, ","), "role", c.crawlerRole)
	return nil
}

// checkTargets checks the crawler's S3 targets against s3Location, or derives s3Location from the
// only target.
func (c *check) checkTargets(name string, targets []string) {
	list := strings.Join(targets, ", ")
	switch {
	case len(targets) == 0:
		c.add("crawlerName", fmt.Sprintf("Glue crawler %s has no S3 target.", name),
			"add the data set's S3 location (s3://bucket/prefix/) as the crawler's S3 target.")
	case c.s3Location != "":
		for _, t := range targets {
			if t == c.s3Location || strings.HasPrefix(c.s3Location, t) {
				return
			}
		}
		c.add("s3Location", fmt.Sprintf("%s is not a target of crawler %s, nor under one (its S3 targets: %s).", c.s3Location, name, list),
			"set s3Location to one of the crawler's S3 targets (or a prefix under it), or omit it.")
	case len(targets) > 1:
		c.add("s3Location", fmt.Sprintf("is required: crawler %s has %d S3 targets (%s).", name, len(targets), list),
			"set s3Location to the target to onboard.")
	default:
		if _, _, err := workflow.ParseS3Location(targets[0]); err != nil {
			c.add("crawlerName", fmt.Sprintf("the S3 target of crawler %s is not a location dzonboard can onboard: %v", name, err),
				"point the crawler at a bucket or prefix (s3://bucket/prefix/), or set s3Location.")
			return
		}
		c.s3Location = targets[0]
	}
}

// databaseField is the input field a database problem points at.
func (c *check) databaseField() string {
	if c.in.GlueDatabase != "" {
		return "glueDatabase"
	}
	return "crawlerName"
}

// glueDatabase checks the database exists and what its new tables will be.
func (c *check) glueDatabase(ctx context.Context) (bool, error) {
	db := c.database
	out, err := c.d.Glue.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String(db)})
	var notFound *gluetypes.EntityNotFoundException
	switch {
	case errors.As(err, &notFound):
		c.add(c.databaseField(), fmt.Sprintf("Glue database %s does not exist.", db),
			"create the crawler's target database (or correct glueDatabase) and start again.")
		return false, nil
	case err != nil:
		return false, c.failed(c.databaseField(), "get glue database "+db, err)
	}
	if c.in.MakeManaged || out.Database == nil {
		return true, nil
	}
	for _, p := range out.Database.CreateTableDefaultPermissions {
		if p.Principal != nil && aws.ToString(p.Principal.DataLakePrincipalIdentifier) == iamAllowedPrincipals {
			c.add("makeManaged", fmt.Sprintf("Glue database %s gives IAMAllowedPrincipals to new tables, so the tables the crawler creates will not be Lake Formation-managed and DataZone cannot grant subscriptions to them.", db),
				fmt.Sprintf("start again with \"makeManaged\": true (the workflow then revokes IAMAllowedPrincipals from the onboarded tables), or clear \"Use only IAM access control for new tables\" on database %s in Lake Formation.", db))
			break
		}
	}
	return true, nil
}

// existingTables finds onboarded tables that already exist and still grant IAMAllowedPrincipals.
func (c *check) existingTables(ctx context.Context) error {
	db := c.database
	filters := c.in.Tables
	if len(filters) == 0 {
		filters = []string{"*"}
	}
	var names []string
	p := glue.NewGetTablesPaginator(c.d.Glue, &glue.GetTablesInput{DatabaseName: aws.String(db)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return c.failed(c.databaseField(), "list the tables of glue database "+db, err)
		}
		for _, t := range out.TableList {
			if n := aws.ToString(t.Name); workflow.MatchTable(filters, n) {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	slog.InfoContext(ctx, "tables already in the catalog", "database", db, "matching", len(names))
	if len(names) == 0 && c.in.SkipCrawl {
		c.add("tables", fmt.Sprintf("no table of Glue database %s matches %q, and skipCrawl is true, so there is nothing to onboard.", db, filters),
			"set skipCrawl to false so that the crawler creates the tables, or correct tables.")
	}
	if len(names) == 0 || c.in.MakeManaged {
		return nil
	}
	unmanaged, err := c.iamAllowedTables(ctx, db, names)
	if err != nil || len(unmanaged) == 0 {
		return err
	}
	nm := &workflow.TablesNotManagedError{Database: db, Tables: unmanaged}
	c.add("makeManaged", fmt.Sprintf("tables %s of database %s still grant IAMAllowedPrincipals, so Lake Formation does not manage them and DataZone cannot grant subscriptions to them.", strings.Join(unmanaged, ", "), db),
		fixOf(nm.Error()))
	return nil
}

// fixOf is the "Fix: ..." part of a named error's message.
func fixOf(msg string) string {
	if i := strings.Index(msg, "Fix: "); i >= 0 {
		return msg[i+len("Fix: "):]
	}
	return msg
}
