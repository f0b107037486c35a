package sandbox

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// awsJSONServices maps an X-Amz-Target prefix to the sandbox's service name.
var awsJSONServices = map[string]string{
	"AWSGlue":      "glue",
	"AmazonAthena": "athena",
}

// credentialRE reads the access key and signing service from a SigV4 Authorization header.
var credentialRE = regexp.MustCompile(`Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/aws4_request`)

// protocol is the wire protocol of one request.
type protocol int

const (
	protoJSON  protocol = iota // awsJson1_1
	protoREST                  // restJson1
	protoQuery                 // awsQuery (STS)
	protoS3                    // restXml (S3, served by gofakes3: s3_api.go)
)

// call is a routed request before it runs.
type call struct {
	proto protocol
	req   *request
	h     handler
	xh    xmlHandler
}

// serve routes and answers one HTTP request.
func (s *Sandbox) serve(w http.ResponseWriter, hr *http.Request) {
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	akid, signingService := "", ""
	if m := credentialRE.FindStringSubmatch(hr.Header.Get("Authorization")); m != nil {
		akid, signingService = m[1], m[2]
	}
	c, rerr := route(hr, body, signingService)
	if rerr != nil {
		s.mu.Lock()
		id := s.requestID()
		s.mu.Unlock()
		writeError(w, c.proto, id, rerr)
		return
	}
	c.req.accessKey = akid

	s.mu.Lock()
	s.runDue()
	fault := s.faults.decide(c.req.service, c.req.op)
	if fault.latency > 0 {
		s.mu.Unlock()
		time.Sleep(fault.latency)
		s.mu.Lock()
		s.runDue()
	}
	id := s.requestID()
	result, herr := s.run(c, fault, id)
	s.mu.Unlock()

	if herr != nil {
		var ae *apiError
		if !errors.As(herr, &ae) {
			ae = errorf(500, "InternalServerException", "%v", herr)
		}
		writeError(w, c.proto, id, ae)
		return
	}
	writeResult(w, c.proto, id, c.req.op, result)
}

// run identifies the caller, applies the fault decision, runs the handler and journals the call
// under the request ID id (s.mu held).
func (s *Sandbox) run(c call, f faultDecision, id string) (result any, err error) {
	r := c.req
	outcome := OutcomeApplied
	defer func() { s.record(r, id, err, outcome) }()
	caller, aerr := s.identify(r.service, r.accessKey)
	r.caller = caller
	if aerr != nil {
		return nil, aerr
	}
	if err := s.authorize(r); err != nil {
		return nil, err
	}
	ferr := f.err
	if ferr == nil {
		ferr = s.readAfterWrite(r, f.notFound)
	}
	if ferr != nil {
		outcome = OutcomeFaulted
		return nil, ferr
	}
	if c.xh != nil {
		result, err = c.xh(s, r)
	} else {
		result, err = c.h(s, r)
	}
	if err == nil && f.lost {
		// Applied, and then the answer is lost: the client sees a server error and retries.
		outcome = OutcomeLost
		return nil, serverError(r.service)
	}
	return result, err
}

// route finds the operation a request is for. On error the returned call still carries the
// protocol, for the error's shape.
func route(hr *http.Request, body []byte, signingService string) (call, *apiError) {
	if signingService == "s3" {
		return routeS3(hr, body)
	}
	if target := hr.Header.Get("X-Amz-Target"); target != "" {
		c := call{proto: protoJSON}
		prefix, op, _ := strings.Cut(target, ".")
		svc, ok := awsJSONServices[prefix]
		if !ok {
			return c, errorf(400, "UnknownOperationException", "Unknown operation %s: service %s is not served by the sandbox", target, prefix)
		}
		ops := glueOps
		if svc == "athena" {
			ops = athenaOps
		}
		h, ok := ops[op]
		if !ok {
			return c, errorf(400, "UnknownOperationException", "Unknown operation %s: %s.%s is not implemented by the sandbox", op, prefix, op)
		}
		c.h = h
		c.req = &request{service: svc, op: op, body: body, query: hr.URL.Query()}
		return c, nil
	}
	if isQueryRequest(hr, signingService) {
		c := call{proto: protoQuery}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return c, errorf(400, "MalformedQueryString", "could not parse the form body: %v", err)
		}
		op := form.Get("Action")
		xh, ok := stsOps[op]
		if !ok {
			return c, errorf(400, "UnknownOperationException", "Unknown operation %s: sts.%s is not implemented by the sandbox", op, op)
		}
		c.xh = xh
		c.req = &request{service: "sts", op: op, body: body, query: form}
		return c, nil
	}
	c := call{proto: protoREST}
	path := hr.URL.EscapedPath()
	for _, svc := range restServices(signingService) {
		for _, rt := range restRoutes(svc) {
			params, ok := rt.match(hr.Method, path)
			if !ok {
				continue
			}
			c.h = rt.h
			c.req = &request{service: svc, op: rt.op, body: body, params: params, query: hr.URL.Query()}
			return c, nil
		}
	}
	return c, errorf(400, "UnknownOperationException", "Unknown operation %s %s: no %s operation has this route in the sandbox", hr.Method, path, restLabel(signingService))
}

func isQueryRequest(hr *http.Request, signingService string) bool {
	if signingService == "sts" {
		return true
	}
	return strings.HasPrefix(hr.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// restServices are the restJson1 services to try, by the SigV4 signing service.
func restServices(signingService string) []string {
	switch signingService {
	case "lakeformation", "datazone":
		return []string{signingService}
	}
	return []string{"lakeformation", "datazone"}
}

func restRoutes(svc string) []restRoute {
	if svc == "lakeformation" {
		return lakeformationRoutes
	}
	return datazoneRoutes
}

func restLabel(signingService string) string {
	if signingService == "" {
		return "restJson1"
	}
	return signingService
}

// requestID is a deterministic request ID (s.mu held).
func (s *Sandbox) requestID() string {
	s.reqSeq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.reqSeq)
}

func writeResult(w http.ResponseWriter, p protocol, id, op string, result any) {
	switch p {
	case protoS3:
		writeS3Result(w, id, result)
		return
	case protoQuery:
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("x-amzn-RequestId", id)
		b, err := xml.Marshal(result)
		if err != nil {
			writeError(w, p, id, errorf(500, "InternalFailure", "marshal %s response: %v", op, err))
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	case protoJSON:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	default:
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("x-amzn-RequestId", id)
	b := []byte("{}")
	if result != nil {
		var err error
		if b, err = json.Marshal(result); err != nil {
			writeError(w, p, id, errorf(500, "InternalServerException", "marshal %s response: %v", op, err))
			return
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, p protocol, id string, e *apiError) {
	if p == protoS3 {
		writeS3Error(w, id, e)
		return
	}
	w.Header().Set("x-amzn-RequestId", id)
	if p == protoQuery {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.status)
		kind := "Sender"
		if e.status >= 500 {
			kind = "Receiver"
		}
		b, _ := xml.Marshal(stsErrorResponse{
			Error:     stsError{Type: kind, Code: e.code, Message: e.msg},
			RequestID: id,
		})
		_, _ = w.Write(b)
		return
	}
	body := map[string]any{}
	for k, v := range e.fields {
		body[k] = v
	}
	if p == protoJSON {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		body["__type"] = e.code
		body["Message"] = e.msg
	} else {
		w.Header().Set("Content-Type", "application/json")
		body["message"] = e.msg
	}
	w.Header().Set("X-Amzn-ErrorType", e.code)
	b, _ := json.Marshal(body)
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
