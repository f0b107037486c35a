package verify

import (
	"fmt"
	"regexp"
	"strings"
)

// identPattern is what a database or table name must look like before it is put into SQL, even
// though the names come from AWS (the plan and the grant).
var identPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// The two checks of every subscribed table, in the order of Access.QueryIDs.
const (
	kindCount  = "count"
	kindSample = "sample"
)

var kinds = []string{kindCount, kindSample}

// quote makes a SQL identifier of a name: in double quotes, with any double quote doubled.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// checkSQL returns the SQL of one check of db.table.
func checkSQL(kind, db, table string, sampleRows int) string {
	from := quote(db) + "." + quote(table)
	if kind == kindCount {
		return "SELECT COUNT(*) FROM " + from
	}
	return fmt.Sprintf("SELECT * FROM %s LIMIT %d", from, sampleRows)
}
