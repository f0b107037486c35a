package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/dzonboard/dzonboard/sandbox/iampolicy"
)

// The S3 API (restXml) is served by gofakes3 behind the sandbox's common request path: serve
// routes a request whose SigV4 scope names s3 here (routeS3), run identifies the caller, injects
// faults and journals PutObject and DeleteObject, and s3Call authorizes the call before
// gofakes3 answers it. gofakes3's error responses become apiErrors, so every S3 error, the
// sandbox's own included, is written by writeS3Error in S3's XML shape.

// s3Served are the S3 operations the sandbox answers; any other is NotImplemented.
var s3Served = []string{
	"ListBuckets", "HeadBucket", "GetBucketLocation", "ListObjects", "ListObjectsV2",
	"GetObject", "HeadObject", "PutObject", "DeleteObject",
}

// s3Subresources are query parameters that select another operation on a bucket or object
// (versions, ACLs, multipart uploads, ...): requests carrying one are not served. The list is the
// subresources of the S3 API reference's operations that share the served operations' paths.
var s3Subresources = []string{
	"accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption",
	"intelligent-tiering", "inventory", "legal-hold", "lifecycle", "logging", "metadataTable",
	"metrics", "notification", "object-lock", "ownershipControls", "partNumber", "policy",
	"policyStatus", "publicAccessBlock", "renameObject", "replication", "requestPayment",
	"restore", "retention", "select", "session", "tagging", "torrent", "uploadId", "uploads",
	"versionId", "versioning", "versions", "website",
}

// s3Response is gofakes3's recorded answer to one call.
type s3Response struct {
	status int
	header http.Header
	body   []byte
}

// routeS3 finds the S3 operation of a path-style request (/bucket/key). The handler it returns
// replays the request into gofakes3.
func routeS3(hr *http.Request, body []byte) (call, *apiError) {
	c := call{proto: protoS3}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(hr.URL.Path, "/"), "/")
	op, served := s3Operation(hr, bucket, key)
	if !served {
		return c, errorf(501, "NotImplemented", "A header you provided implies functionality that is not implemented. "+
			"(%s %s: the sandbox serves only the S3 operations %s)", hr.Method, hr.URL.EscapedPath(), strings.Join(s3Served, ", "))
	}
	r := &request{service: "s3", op: op, body: body, query: hr.URL.Query(),
		params: map[string]string{"Bucket": bucket, "Key": key}}
	if bucket != "" {
		r.key("Bucket", bucket)
	}
	if key != "" {
		r.key("Key", key)
	}
	c.req = r
	c.h = func(s *Sandbox, r *request) (any, error) { return s.s3Call(r, hr, body) }
	return c, nil
}

// s3Operation names the operation of a request, and reports whether the sandbox serves it.
func s3Operation(hr *http.Request, bucket, key string) (string, bool) {
	q := hr.URL.Query()
	for _, sub := range s3Subresources {
		if q.Has(sub) {
			return hr.Method + " ?" + sub, false
		}
	}
	switch {
	case bucket == "":
		return "ListBuckets", hr.Method == http.MethodGet
	case key == "":
		switch hr.Method {
		case http.MethodHead:
			return "HeadBucket", true
		case http.MethodGet:
			if q.Has("location") {
				return "GetBucketLocation", true
			}
			if q.Get("list-type") == "2" {
				return "ListObjectsV2", true
			}
			return "ListObjects", true
		}
		return hr.Method + " bucket", false
	}
	switch hr.Method {
	case http.MethodGet:
		return "GetObject", true
	case http.MethodHead:
		return "HeadObject", true
	case http.MethodPut:
		if hr.Header.Get("X-Amz-Copy-Source") != "" {
			return "CopyObject", false
		}
		return "PutObject", true
	case http.MethodDelete:
		return "DeleteObject", true
	}
	return hr.Method + " object", false
}

// s3Call authorizes the call and lets gofakes3 answer it (s.mu held). A gofakes3 error response
// is returned as an apiError, so that the journal records its code and writeS3Error writes it.
func (s *Sandbox) s3Call(r *request, hr *http.Request, body []byte) (any, error) {
	bucket, key := r.params["Bucket"], r.params["Key"]
	if err := s.s3Authorize(r.caller, r.op, bucket, key, r.query.Get("prefix")); err != nil {
		return nil, err
	}
	inner := hr.Clone(hr.Context())
	inner.Body = io.NopCloser(bytes.NewReader(body))
	inner.Header = s3ForwardedHeaders(hr.Header)
	rec := httptest.NewRecorder()
	s.s3.handler.ServeHTTP(rec, inner)
	resp := &s3Response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if resp.status >= 300 {
		err := s3ErrorOf(resp, bucket, key)
		if err.code == "NoSuchKey" && !s.mayList(r.caller, bucket) {
			// S3 API reference, GetObject (and HeadObject): "If you don't have the s3:ListBucket
			// permission, Amazon S3 returns an HTTP status code 403 Access Denied error" for a
			// key that does not exist, so that a caller cannot learn which keys exist.
			return nil, errorf(403, "AccessDenied", "Access Denied")
		}
		return nil, err
	}
	return resp, nil
}

// mayList reports whether caller may list bucket (s3:ListBucket): always, unless caller is a
// deployed role whose policies do not allow it (s.mu held).
func (s *Sandbox) mayList(caller, bucket string) bool {
	if s.iam == nil {
		return true
	}
	policies, ok := s.iam.policies[caller]
	if !ok {
		return true
	}
	arn := "arn:" + s.Partition() + ":s3:::" + bucket
	return iampolicy.Evaluate(policies, iampolicy.Request{Action: "s3:ListBucket", Resource: arn}) == iampolicy.Allowed
}

// s3ForwardedHeaders are the request headers gofakes3 sees. gofakes3 stores every X-Amz-* header
// of a PutObject as object metadata and returns them on GetObject; S3 keeps only user metadata
// (x-amz-meta-*), checksums and the content headers, so the signing headers are dropped here.
func s3ForwardedHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		lk := strings.ToLower(k)
		switch {
		case lk == "x-amz-content-sha256":
			// gofakes3 decodes aws-chunked bodies by this header's STREAMING-* value.
			if strings.HasPrefix(h.Get(k), "STREAMING-") {
				out[k] = v
			}
		case strings.HasPrefix(lk, "x-amz-meta-"), strings.HasPrefix(lk, "x-amz-checksum-"),
			lk == "x-amz-decoded-content-length", !strings.HasPrefix(lk, "x-amz-") &&
				!strings.HasPrefix(lk, "amz-sdk-") && lk != "authorization":
			out[k] = v
		}
	}
	return out
}

// s3ErrorXML is S3's error body, as gofakes3 writes it and as the sandbox writes it.
type s3ErrorXML struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	BucketName string   `xml:"BucketName,omitempty"`
	Key        string   `xml:"Key,omitempty"`
	Resource   string   `xml:"Resource,omitempty"`
	RequestID  string   `xml:"RequestId"`
	HostID     string   `xml:"HostId"`
}

// s3Messages are S3's own messages for the codes the sandbox answers, where gofakes3 leaves the
// message empty. Source: the S3 API reference's list of error codes (the SDK model's doc of
// service/s3 types.Error: "Code: NoSuchKey / Description: The specified key does not exist.").
var s3Messages = map[string]string{
	"AccessDenied":       "Access Denied",
	"NoSuchBucket":       "The specified bucket does not exist",
	"NoSuchKey":          "The specified key does not exist.",
	"KeyTooLongError":    "Your key is too long.",
	"MetadataTooLarge":   "Your metadata headers exceed the maximum allowed metadata size.",
	"InvalidArgument":    "Invalid Argument",
	"InvalidToken":       "The provided token is malformed or otherwise invalid.",
	"PreconditionFailed": "At least one of the preconditions that you specified did not hold.",
	"NotImplemented":     "A header you provided implies functionality that is not implemented.",
	"InternalError":      "We encountered an internal error. Please try again.",
}

// s3StatusCodes name an error response that has no body (the answer to a HEAD request): the SDK
// reports such responses by their status, as NotFound, Forbidden, ...
var s3StatusCodes = map[int]string{
	http.StatusNotModified: "NotModified", http.StatusBadRequest: "BadRequest",
	http.StatusForbidden: "Forbidden", http.StatusNotFound: "NotFound",
	http.StatusPreconditionFailed: "PreconditionFailed",
}

// s3ErrorOf turns gofakes3's error response into an apiError: code and message from its XML
// body, S3's message where gofakes3 has none, and the bucket or key S3 names in its body.
func s3ErrorOf(resp *s3Response, bucket, key string) *apiError {
	var x s3ErrorXML
	if err := xml.Unmarshal(resp.body, &x); err != nil || x.Code == "" {
		code := s3StatusCodes[resp.status]
		if code == "" {
			code = http.StatusText(resp.status)
		}
		return &apiError{status: resp.status, code: code}
	}
	msg := x.Message
	if msg == "" || msg == x.Code {
		msg = s3Messages[x.Code]
	}
	e := errorf(resp.status, x.Code, "%s", msg)
	switch x.Code {
	case "NoSuchBucket":
		e.fields = map[string]any{"BucketName": bucket}
	case "NoSuchKey":
		e.fields = map[string]any{"Key": key}
	}
	return e
}

// writeS3Result copies gofakes3's recorded answer, with the sandbox's request ID.
func writeS3Result(w http.ResponseWriter, id string, result any) {
	resp, ok := result.(*s3Response)
	if !ok {
		writeS3Error(w, id, errorf(500, "InternalError", "%s", s3Messages["InternalError"]))
		return
	}
	for k, v := range resp.header {
		if !slices.Contains([]string{"X-Amz-Request-Id", "X-Amz-Id-2"}, k) {
			w.Header()[k] = v
		}
	}
	s3RequestIDs(w, id)
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// writeS3Error writes an S3 error: the XML body of S3's REST error responses (Code, Message, the
// bucket or key, RequestId, HostId), none for a 304. Source: the S3 API reference, "Error
// responses" (REST error responses). The answer to a HEAD request has no body either: net/http
// drops what is written after the headers of a HEAD response.
func writeS3Error(w http.ResponseWriter, id string, e *apiError) {
	s3RequestIDs(w, id)
	if e.status == http.StatusNotModified {
		w.WriteHeader(e.status)
		return
	}
	x := s3ErrorXML{Code: e.code, Message: e.msg, RequestID: id, HostID: s3HostID(id)}
	if v, ok := e.fields["BucketName"].(string); ok {
		x.BucketName = v
	}
	if v, ok := e.fields["Key"].(string); ok {
		x.Key = v
	}
	b, _ := xml.Marshal(x)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

// s3RequestIDs sets S3's request ID headers: x-amz-request-id and the extended x-amz-id-2.
func s3RequestIDs(w http.ResponseWriter, id string) {
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("x-amz-id-2", s3HostID(id))
}

// s3HostID is the extended request ID of a request ID.
func s3HostID(id string) string { return base64.StdEncoding.EncodeToString([]byte("sandbox/" + id)) }
