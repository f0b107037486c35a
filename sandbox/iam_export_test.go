package sandbox

import "sort"

// Test-only access to the IAM rule table.

// IAMRule reports whether the sandbox has an IAM rule for an operation ("glue:GetTable"), its
// IAM action, the resource types it checks, and whether IAM does not authorise the operation.
func IAMRule(op string) (action string, types []string, ok, unauthenticated bool) {
	r, ok := iamRules[op]
	action = r.action
	if action == "" {
		action = op
	}
	return action, r.types, ok, r.unauthenticated
}

// IAMResources returns the ARNs IAM checks an operation on for a request body and path
// parameters; ok is false when the request does not name them.
func (s *Sandbox) IAMResources(op string, body []byte, params map[string]string) (arns []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := iamRules[op]
	if r.resources == nil {
		return []string{"*"}, true
	}
	return r.resources(s, &request{body: body, params: params})
}

// ServedOperations lists every operation the sandbox serves, as "<service>:<Operation>", sorted.
func ServedOperations() []string {
	var out []string
	for op := range glueOps {
		out = append(out, "glue:"+op)
	}
	for op := range athenaOps {
		out = append(out, "athena:"+op)
	}
	for op := range stsOps {
		out = append(out, "sts:"+op)
	}
	for _, rt := range lakeformationRoutes {
		out = append(out, "lakeformation:"+rt.op)
	}
	for _, rt := range datazoneRoutes {
		out = append(out, "datazone:"+rt.op)
	}
	for _, op := range s3Served {
		out = append(out, "s3:"+op)
	}
	sort.Strings(out)
	return out
}
