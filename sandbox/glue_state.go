package sandbox

import (
	"fmt"
	"sort"
	"time"
)

// glueState is the Glue Data Catalog and the crawlers.
type glueState struct {
	databases map[string]*glueDatabase
	crawlers  map[string]*glueCrawler
}

// glueDatabase is a catalog database. IAMAllowed means CreateTableDefaultPermissions gives
// IAMAllowedPrincipals ALL to new tables. Creator, when known, holds Lake Formation's implicit
// permissions on it.
type glueDatabase struct {
	Name, LocationURI string
	IAMAllowed        bool
	Creator           string
	CreateTime        time.Time
	tables            map[string]*glueTable
}

// defaultDatabase is the catalog's "default" database, which Athena needs DESCRIBE on.
const defaultDatabase = "default"

// glueTable is a catalog table or, when TargetDatabase is set, a resource link to one.
type glueTable struct {
	Database, Name, Location string // Location s3://bucket/prefix/
	Columns                  []GlueColumn
	CreateTime, UpdateTime   time.Time
	VersionID                int    // bumps when the crawler changes the schema
	TargetDatabase           string // set on resource links
	TargetTable              string
	// Creator is the principal that created the table (the crawler's role), which holds Lake
	// Formation's implicit permissions on it; "" when unknown.
	Creator string
}

// isLink reports whether the table is a resource link.
func (t *glueTable) isLink() bool { return t.TargetDatabase != "" }

// newGlue builds the catalog from the world: its databases and tables, and each DataZone
// environment's subscription and publishing databases (Lake Formation-enforced).
func newGlue(s *Sandbox) error {
	g := &glueState{databases: map[string]*glueDatabase{}, crawlers: map[string]*glueCrawler{}}
	s.glue = g
	now := s.now()
	for _, d := range s.world.Glue.Databases {
		if _, dup := g.databases[d.Name]; dup {
			return fmt.Errorf("glue database %q is defined twice", d.Name)
		}
		g.databases[d.Name] = &glueDatabase{Name: d.Name, LocationURI: d.LocationURI, IAMAllowed: d.IAMAllowedPrincipals,
			CreateTime: now, tables: map[string]*glueTable{}}
	}
	// DataZone's environment provisioning creates the environment databases with the blueprint's
	// provisioning role (DZBlueprint.ProvisioningRoleARN), which makes it their creator.
	for _, p := range s.world.DataZone.Projects {
		for _, e := range p.Environments {
			for _, name := range []string{e.SubscriptionDatabase, e.PublishingDatabase} {
				if name == "" || g.databases[name] != nil {
					continue
				}
				g.databases[name] = &glueDatabase{Name: name, Creator: s.world.DataZone.Blueprint.ProvisioningRoleARN,
					CreateTime: now, tables: map[string]*glueTable{}}
			}
		}
	}
	// Every catalog has a "default" database (Athena creates it, and its Lake Formation limitations
	// page requires DESCRIBE on it). A world that does not define it gets one made under the
	// account's settings: the sandbox's CreateDatabaseDefaultPermissions start empty, so it does
	// not grant IAMAllowedPrincipals and only Lake Formation permissions reveal it.
	if g.databases[defaultDatabase] == nil {
		g.databases[defaultDatabase] = &glueDatabase{Name: defaultDatabase, CreateTime: now, tables: map[string]*glueTable{}}
	}
	for _, d := range s.world.Glue.Databases {
		for _, t := range d.Tables {
			g.databases[d.Name].tables[t.Name] = &glueTable{Database: d.Name, Name: t.Name, Location: t.Location,
				Columns: append([]GlueColumn(nil), t.Columns...), CreateTime: now, UpdateTime: now, VersionID: 0}
			if t.IAMAllowedPrincipals {
				s.lf.grantIAMAllowed(lfResource{Database: d.Name, Table: t.Name})
			}
		}
	}
	for _, c := range s.world.Glue.Crawlers {
		if _, ok := g.databases[c.DatabaseName]; !ok {
			return fmt.Errorf("crawler %q writes to unknown database %q", c.Name, c.DatabaseName)
		}
		g.crawlers[c.Name] = &glueCrawler{def: c, state: "READY", created: now, updated: now, version: 1}
	}
	for _, d := range g.databases {
		if d.IAMAllowed {
			s.lf.grantIAMAllowed(lfResource{Database: d.Name})
		}
	}
	return nil
}

// glueTable returns a table (or resource link) of a database (s.mu held).
func (s *Sandbox) glueTable(db, name string) (*glueTable, bool) {
	d, ok := s.glue.databases[db]
	if !ok {
		return nil, false
	}
	t, ok := d.tables[name]
	return t, ok
}

// glueTables returns a database's tables sorted by name, nil if the database is unknown (s.mu
// held).
func (s *Sandbox) glueTables(db string) []*glueTable {
	d, ok := s.glue.databases[db]
	if !ok {
		return nil
	}
	out := make([]*glueTable, 0, len(d.tables))
	for _, t := range d.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// glueDatabaseExists reports whether the catalog has the database (s.mu held).
func (s *Sandbox) glueDatabaseExists(db string) bool {
	_, ok := s.glue.databases[db]
	return ok
}

// glueCreateResourceLink creates db.name as a resource link to targetDB.targetTable (s.mu held).
// It is idempotent for the same target; a different table of that name is an error.
func (s *Sandbox) glueCreateResourceLink(db, name, targetDB, targetTable string) error {
	d, ok := s.glue.databases[db]
	if !ok {
		return fmt.Errorf("create resource link %s.%s: database %s not found", db, name, db)
	}
	target, ok := s.glueTable(targetDB, targetTable)
	if !ok {
		return fmt.Errorf("create resource link %s.%s: target table %s.%s not found", db, name, targetDB, targetTable)
	}
	if t, exists := d.tables[name]; exists {
		if t.TargetDatabase == targetDB && t.TargetTable == targetTable {
			return nil
		}
		return fmt.Errorf("create resource link %s.%s: table already exists", db, name)
	}
	now := s.now()
	d.tables[name] = &glueTable{Database: db, Name: name, Location: target.Location, CreateTime: now, UpdateTime: now,
		TargetDatabase: targetDB, TargetTable: targetTable}
	return nil
}

// resolveTable follows a resource link to its target table (s.mu held).
func (s *Sandbox) resolveTable(t *glueTable) (*glueTable, bool) {
	for i := 0; t != nil && t.isLink() && i < 8; i++ {
		next, ok := s.glueTable(t.TargetDatabase, t.TargetTable)
		if !ok {
			return nil, false
		}
		t = next
	}
	return t, t != nil && !t.isLink()
}
