package sandbox

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

// request is one decoded API call, as seen by a handler.
type request struct {
	service, op string // "glue", "GetCrawler"
	caller      string // IAM role ARN of the caller
	accessKey   string
	body        []byte
	params      map[string]string // restJson1 path parameters, URL-decoded
	query       url.Values
	keys        map[string]string // journal key fields
	resource    string            // journal resource, when the handler names it (see callResource)
}

// decode reads the JSON body into v. An empty body decodes as {}.
func (r *request) decode(v any) error {
	b := bytes.TrimSpace(r.body)
	if len(b) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return errorf(400, "SerializationException", "Could not parse request body for %s: %v", r.op, err)
	}
	return nil
}

// key adds a key field to this call's journal entry.
func (r *request) key(k, v string) {
	if r.keys == nil {
		r.keys = map[string]string{}
	}
	r.keys[k] = v
}

// handler serves one operation. Its result is marshalled as JSON (nil means {}).
type handler func(s *Sandbox, r *request) (any, error)

// restRoute is one restJson1 operation: method, path pattern with {param} segments, SDK
// operation name and handler.
type restRoute struct {
	method, pattern, op string
	h                   handler
}

// match reports whether the route serves method and the escaped path, and returns the decoded
// path parameters.
func (rt restRoute) match(method, escapedPath string) (map[string]string, bool) {
	if rt.method != method {
		return nil, false
	}
	pat := strings.Split(strings.Trim(rt.pattern, "/"), "/")
	got := strings.Split(strings.Trim(escapedPath, "/"), "/")
	if len(pat) != len(got) {
		// A greedy last parameter ({name+}) takes the rest of the path.
		last := pat[len(pat)-1]
		if !(strings.HasSuffix(last, "+}") && len(got) >= len(pat)) {
			return nil, false
		}
	}
	params := map[string]string{}
	for i, p := range pat {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			name := strings.TrimSuffix(strings.Trim(p, "{}"), "+")
			raw := got[i]
			if strings.HasSuffix(p, "+}") {
				raw = strings.Join(got[i:], "/")
			}
			v, err := url.PathUnescape(raw)
			if err != nil {
				return nil, false
			}
			params[name] = v
			continue
		}
		if p != got[i] {
			return nil, false
		}
	}
	return params, true
}

// mutating reports whether an operation changes state and so is journalled.
func mutating(op string) bool {
	for _, p := range []string{"Create", "Start", "Update", "Put", "Grant", "BatchGrant", "Revoke",
		"BatchRevoke", "Register", "Deregister", "Accept", "Reject", "Delete", "Stop", "Cancel"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}
