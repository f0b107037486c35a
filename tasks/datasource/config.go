package datasource

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/workflow"
)

// filters returns the plan's table filters, "*" when it has none.
func filters(p workflow.Plan) []string {
	if len(p.TableFilters) == 0 {
		return []string{"*"}
	}
	return p.TableFilters
}

// glueConfig is the data source configuration the plan asks for (aws-reference §4.1): the plan's
// database with one INCLUDE expression per table filter, and no data quality import. dataAccessRole
// and catalogName are kept from an adopted data source, so an update changes only what we own.
func glueConfig(p workflow.Plan, dataAccessRole, catalogName *string) *dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration {
	var exprs []dztypes.FilterExpression
	for _, f := range filters(p) {
		exprs = append(exprs, dztypes.FilterExpression{Type: dztypes.FilterExpressionTypeInclude, Expression: aws.String(f)})
	}
	return &dztypes.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: dztypes.GlueRunConfigurationInput{
		RelationalFilterConfigurations: []dztypes.RelationalFilterConfiguration{{
			DatabaseName:      aws.String(p.GlueDatabase),
			FilterExpressions: exprs,
		}},
		AutoImportDataQualityResult: aws.Bool(false),
		DataAccessRole:              dataAccessRole,
		CatalogName:                 catalogName,
	}}
}

// glueOutput returns the Glue run configuration of a data source, or nil for any other kind.
func glueOutput(c dztypes.DataSourceConfigurationOutput) *dztypes.GlueRunConfigurationOutput {
	if g, ok := c.(*dztypes.DataSourceConfigurationOutputMemberGlueRunConfiguration); ok {
		return &g.Value
	}
	return nil
}

// configDiff says how an existing data source's configuration differs from the plan's (database
// or INCLUDE filters), or "" when it does not.
func configDiff(p workflow.Plan, c dztypes.DataSourceConfigurationOutput) string {
	g := glueOutput(c)
	if g == nil {
		return "it has no Glue run configuration"
	}
	if len(g.RelationalFilterConfigurations) != 1 {
		return "it reads " + strings.Join(databases(g.RelationalFilterConfigurations), ", ") + ", not only " + p.GlueDatabase
	}
	rf := g.RelationalFilterConfigurations[0]
	if !strings.EqualFold(aws.ToString(rf.DatabaseName), p.GlueDatabase) {
		return "it reads database " + aws.ToString(rf.DatabaseName) + ", not " + p.GlueDatabase
	}
	var have []string
	for _, f := range rf.FilterExpressions {
		if f.Type != dztypes.FilterExpressionTypeInclude {
			return "it has a " + string(f.Type) + " filter " + aws.ToString(f.Expression)
		}
		have = append(have, aws.ToString(f.Expression))
	}
	if len(have) == 0 {
		have = []string{"*"}
	}
	if !sameSet(have, filters(p)) {
		return "its filters are " + strings.Join(have, ", ") + ", not " + strings.Join(filters(p), ", ")
	}
	return ""
}

func databases(rfs []dztypes.RelationalFilterConfiguration) []string {
	out := []string{}
	for _, rf := range rfs {
		out = append(out, aws.ToString(rf.DatabaseName))
	}
	return out
}

// sameSet reports whether a and b hold the same strings, ignoring order, duplicates and case.
func sameSet(a, b []string) bool {
	norm := func(s []string) []string {
		out := make([]string, len(s))
		for i, v := range s {
			out[i] = strings.ToLower(v)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}
