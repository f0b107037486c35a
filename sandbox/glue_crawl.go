package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// crawledTable is a table the crawl found under a target.
type crawledTable struct {
	name, location string
	columns        []GlueColumn
}

// crawl runs one crawl of the crawler's targets into its database (s.mu held). It returns the
// Summary JSON, or the error message of a failed crawl (which changes nothing).
func (s *Sandbox) crawl(c GlueCrawler) (summary, errMsg string) {
	db, ok := s.glue.databases[c.DatabaseName]
	if !ok {
		return "", fmt.Sprintf("Database %s not found.", c.DatabaseName)
	}
	if msg := s.crawlerLFCheck(c, db); msg != "" {
		return "", msg
	}
	var found []crawledTable
	for _, target := range c.S3Targets {
		if !s.roleS3Access(c.Role, target) {
			return "", fmt.Sprintf("Unable to read s3 path %s: Access Denied (Service: Amazon S3; Status Code: 403; "+
				"Error Code: AccessDenied). The crawler role %s is not authorized to perform: s3:ListBucket on "+
				"resource: \"arn:aws:s3:::%s\" because no identity-based policy allows the s3:ListBucket action",
				target, c.Role, bucketOf(target))
		}
		tables, err := s.scanTarget(target, c.TablePrefix)
		if err != nil {
			return "", fmt.Sprintf("Internal Service Exception: unable to crawl %s: %v", target, err)
		}
		found = append(found, tables...)
	}
	var added, updated []string
	now := s.now()
	for _, f := range found {
		t, exists := db.tables[f.name]
		switch {
		case !exists:
			db.tables[f.name] = &glueTable{Database: db.Name, Name: f.name, Location: f.location, Columns: f.columns,
				CreateTime: now, UpdateTime: now, Creator: c.Role}
			if db.IAMAllowed {
				s.lf.grantIAMAllowed(lfResource{Database: db.Name, Table: f.name})
			}
			added = append(added, f.name)
		case t.isLink():
			continue
		case !slices.Equal(t.Columns, f.columns) || t.Location != f.location:
			t.Columns, t.Location = f.columns, f.location
			t.UpdateTime = now
			t.VersionID++
			updated = append(updated, f.name)
		}
	}
	return crawlSummary(added, updated), ""
}

// crawlerLFCheck returns the failure message when Lake Formation stops the crawler role from
// writing the database or reading a registered location, "" when it may.
func (s *Sandbox) crawlerLFCheck(c GlueCrawler, db *glueDatabase) string {
	if s.isLFAdmin(c.Role) {
		return ""
	}
	if !s.lfHas(c.Role, "CREATE_TABLE", lfResource{Database: db.Name}) {
		return fmt.Sprintf("Insufficient Lake Formation permission(s) on %s (Database name: %s): "+
			"Required Create Table on database %s for principal %s", db.Name, db.Name, db.Name, c.Role)
	}
	for _, target := range c.S3Targets {
		reg, ok := s.lfRegistrationFor(target)
		if !ok || reg.HybridAccessEnabled {
			continue
		}
		loc := normalizeLocationARN(target)
		if !s.lfHas(c.Role, "DATA_LOCATION_ACCESS", lfResource{DataLocation: loc}) {
			return fmt.Sprintf("Insufficient Lake Formation permission(s) on %s: Required Data Location Access "+
				"on %s for principal %s", db.Name, loc, c.Role)
		}
	}
	return ""
}

// scanTarget finds one table per first-level folder with CSV files under an S3 target.
func (s *Sandbox) scanTarget(target, prefix string) ([]crawledTable, error) {
	dir, err := s.s3Dir(target)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []crawledTable
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		files, err := csvFilesUnder(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue
		}
		cols, err := inferCSVSchema(files)
		if err != nil {
			return nil, err
		}
		out = append(out, crawledTable{
			name:     glueTableName(prefix + e.Name()),
			location: strings.TrimSuffix(target, "/") + "/" + e.Name() + "/",
			columns:  cols,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// glueTableName lower-cases a name and replaces every character outside [a-z0-9_] with _.
func glueTableName(name string) string {
	b := []byte(strings.ToLower(name))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
