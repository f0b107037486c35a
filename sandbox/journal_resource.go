package sandbox

import (
	"bytes"
	"encoding/json"
	"strings"
)

// setResource names what the call created, changed or read, for its journal entry. Handlers call
// it where the request alone does not say (a create's new ID, a replayed create's first ID).
func (r *request) setResource(id string) { r.resource = id }

// callResource is the journal resource of a call (s.mu held): what the handler named, else the
// identifier the request carries, as an ARN where the service identifies things by name (Glue,
// Lake Formation, Athena) and as the ID where it identifies them by ID (DataZone).
func (s *Sandbox) callResource(r *request) string {
	if r.resource != "" {
		return r.resource
	}
	body := r.bodyFields()
	switch r.service {
	case "glue":
		return s.glueResource(r, body)
	case "lakeformation":
		return s.lfCallResource(body)
	case "athena":
		if id := firstOf(r.keys["QueryExecutionId"], stringField(body, "QueryExecutionId")); id != "" {
			return id
		}
		if wg := firstOf(r.keys["WorkGroup"], stringField(body, "WorkGroup")); wg != "" {
			return s.arn("athena", "workgroup/"+wg)
		}
	case "sts":
		return s.assumedRoleARN(r.caller)
	case "datazone":
		for _, p := range []string{"identifier", "dataSourceIdentifier", "environmentIdentifier",
			"environmentBlueprintIdentifier", "projectIdentifier", "domainIdentifier"} {
			if v := r.params[p]; v != "" {
				return v
			}
		}
	}
	return ""
}

// glueResource is the ARN of the crawler, table or database a Glue call names, else the catalog.
func (s *Sandbox) glueResource(r *request, body map[string]any) string {
	db := stringField(body, "DatabaseName")
	name := firstOf(r.keys["Name"], stringField(body, "Name"), stringField(body, "TableName"))
	switch {
	case stringField(body, "CrawlerName") != "":
		return s.arn("glue", "crawler/"+stringField(body, "CrawlerName"))
	case strings.Contains(r.op, "Crawler") && name != "":
		return s.arn("glue", "crawler/"+name)
	case db != "" && name != "":
		return s.arn("glue", "table/"+db+"/"+name)
	case db != "":
		return s.arn("glue", "database/"+db)
	case strings.Contains(r.op, "Database") && name != "":
		return s.arn("glue", "database/"+name)
	}
	return s.arn("glue", "catalog")
}

// lfCallResource is the location ARN or the catalog resource a Lake Formation call names, else
// the catalog.
func (s *Sandbox) lfCallResource(body map[string]any) string {
	if arn := stringField(body, "ResourceArn"); arn != "" {
		return arn
	}
	res, _ := body["Resource"].(map[string]any)
	if t, ok := res["Table"].(map[string]any); ok {
		name := stringField(t, "Name")
		if _, wild := t["TableWildcard"]; wild || name == "" {
			name = "*"
		}
		return s.arn("glue", "table/"+stringField(t, "DatabaseName")+"/"+name)
	}
	if d, ok := res["Database"].(map[string]any); ok {
		return s.arn("glue", "database/"+stringField(d, "Name"))
	}
	if l, ok := res["DataLocation"].(map[string]any); ok {
		return stringField(l, "ResourceArn")
	}
	return s.arn("glue", "catalog")
}

// arn is the ARN of a resource of the sandbox's account and region.
func (s *Sandbox) arn(service, resource string) string {
	return "arn:aws:" + service + ":" + s.world.Region + ":" + s.world.Account + ":" + resource
}

// bodyFields decodes a JSON request body's top level (nil for an empty or non-JSON body).
func (r *request) bodyFields() map[string]any {
	b := bytes.TrimSpace(r.body)
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// names are the identifiers a request carries: path parameters, query parameters and the
// top-level string members of its JSON body.
func (r *request) names() []string {
	var out []string
	for _, v := range r.params {
		out = append(out, v)
	}
	for _, vs := range r.query {
		out = append(out, vs...)
	}
	for _, v := range r.bodyFields() {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// stringField returns m[k] when it is a string, else "".
func stringField(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

// firstOf returns the first non-empty string.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
