package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ID patterns of the DataZone API model.
var (
	dzDomainIDPattern = regexp.MustCompile(`^dzd[-_][a-zA-Z0-9_-]{1,36}$`)
	dzIDPattern       = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,36}$`)
)

// dzMaxResults is the page-size limit of every DataZone List and Search operation used here.
const dzMaxResults = 50

func dzValidation(format string, args ...any) *apiError {
	return errorf(400, "ValidationException", format, args...)
}

func dzNotFound(format string, args ...any) *apiError {
	return errorf(404, "ResourceNotFoundException", format, args...)
}

func dzConflict(format string, args ...any) *apiError {
	return errorf(409, "ConflictException", format, args...)
}

// dzDenied is DataZone's answer to a caller that is not a (suitable) project member.
func dzDenied(op string) *apiError {
	return errorf(403, "AccessDeniedException", "User is not permitted to perform operation: %s", op)
}

func dzPatternError(field, value string, re *regexp.Regexp) *apiError {
	return dzValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "+
		"Member must satisfy regular expression pattern: %s", value, field, re)
}

// dzCheckID validates a non-domain identifier.
func dzCheckID(field, v string) error {
	if !dzIDPattern.MatchString(v) {
		return dzPatternError(field, v, dzIDPattern)
	}
	return nil
}

// dzCheckDomainID validates a domain identifier.
func dzCheckDomainID(field, v string) error {
	if !dzDomainIDPattern.MatchString(v) {
		return dzPatternError(field, v, dzDomainIDPattern)
	}
	return nil
}

// dzRequired fails when a required member is missing.
func dzRequired(field string, v *string) error {
	if v == nil || *v == "" {
		return dzValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: "+
			"Member must not be null", field)
	}
	return nil
}

// dzTime is a DataZone date-time timestamp (an RFC 3339 string on the wire).
type dzTime struct{ t time.Time }

// MarshalJSON writes the timestamp as smithy's date-time format.
func (t dzTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// dzEpoch is a DataZone epoch-seconds timestamp (a JSON number with milliseconds).
type dzEpoch struct{ t time.Time }

// MarshalJSON writes the timestamp as fractional epoch seconds.
func (t dzEpoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(t.t.UnixMilli())/1e3, 'f', 3, 64)), nil
}

// dt returns a date-time timestamp, nil for the zero time.
func dt(t time.Time) *dzTime {
	if t.IsZero() {
		return nil
	}
	return &dzTime{t}
}

// ep returns an epoch-seconds timestamp, nil for the zero time.
func ep(t time.Time) *dzEpoch {
	if t.IsZero() {
		return nil
	}
	return &dzEpoch{t}
}

// str returns a pointer to s, nil for "".
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dzPage is one page of a list: the index range to return and the next token.
type dzPage struct {
	start, end int
	next       *string
}

// dzPaginate computes the page of n items that maxResults and nextToken select. The token is an
// opaque offset; a token this sandbox did not issue is a ValidationException.
func dzPaginate(maxResults *int32, nextToken *string, n int) (dzPage, error) {
	size := dzMaxResults
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > dzMaxResults {
			return dzPage{}, dzValidation("1 validation error detected: Value '%d' at 'maxResults' failed to "+
				"satisfy constraint: Member must have value between 1 and %d", *maxResults, dzMaxResults)
		}
		size = int(*maxResults)
	}
	start := 0
	if tok := deref(nextToken); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		off, perr := strconv.Atoi(strings.TrimPrefix(string(b), "dz:"))
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "dz:") || off < 0 {
			return dzPage{}, dzValidation("Invalid pagination token")
		}
		start = off
	}
	if start > n {
		start = n
	}
	end := start + size
	if end > n {
		end = n
	}
	p := dzPage{start: start, end: end}
	if end < n {
		tok := base64.RawURLEncoding.EncodeToString([]byte("dz:" + strconv.Itoa(end)))
		p.next = &tok
	}
	return p, nil
}

// dzQueryPage reads maxResults and nextToken from the query string of a GET list call.
func dzQueryPage(r *request, n int) (dzPage, error) {
	var max *int32
	if v := r.query.Get("maxResults"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil {
			return dzPage{}, dzValidation("1 validation error detected: Value '%s' at 'maxResults' failed to "+
				"satisfy constraint: Member must be a number", v)
		}
		m := int32(i)
		max = &m
	}
	var tok *string
	if v := r.query.Get("nextToken"); v != "" {
		tok = &v
	}
	return dzPaginate(max, tok, n)
}

// dzMismatch reports whether the optional query filter name is set to a value other than v.
func dzMismatch(q url.Values, name, v string) bool {
	f := q.Get(name)
	return f != "" && f != v
}

// pageOf returns the slice of items a page selects.
func pageOf[T any](items []T, p dzPage) []T {
	return items[p.start:p.end]
}

// dzListOut is the output of a List operation: one page of items and the next token.
type dzListOut[T any] struct {
	Items     []T     `json:"items"`
	NextToken *string `json:"nextToken,omitempty"`
}

// dzPageOut returns page p of items; Items is [] rather than null when the page is empty.
func dzPageOut[T any](items []T, p dzPage) dzListOut[T] {
	return dzListOut[T]{Items: append([]T{}, pageOf(items, p)...), NextToken: p.next}
}

// dzListPage returns the page of items that the maxResults and nextToken query parameters of a
// GET List call select.
func dzListPage[T any](r *request, items []T) (dzListOut[T], error) {
	p, err := dzQueryPage(r, len(items))
	if err != nil {
		return dzListOut[T]{}, err
	}
	return dzPageOut(items, p), nil
}

// dzSearchOut is the output of Search and SearchListings: a list page and the total match count.
type dzSearchOut[T any] struct {
	dzListOut[T]
	TotalMatchCount int `json:"totalMatchCount"`
}

// dzSearchPage returns the page of search matches that a request body's maxResults and nextToken
// select.
func dzSearchPage[T any](maxResults *int32, nextToken *string, items []T) (dzSearchOut[T], error) {
	p, err := dzPaginate(maxResults, nextToken, len(items))
	if err != nil {
		return dzSearchOut[T]{}, err
	}
	return dzSearchOut[T]{dzListOut: dzPageOut(items, p), TotalMatchCount: len(items)}, nil
}

// dzErrorMessage is the DataSourceErrorMessage shape.
type dzErrorMessage struct {
	ErrorType   string  `json:"errorType"`
	ErrorDetail *string `json:"errorDetail,omitempty"`
}

// dzFilterClause is the FilterClause union of Search and SearchListings.
type dzFilterClause struct {
	Filter *dzFilter         `json:"filter,omitempty"`
	And    []*dzFilterClause `json:"and,omitempty"`
	Or     []*dzFilterClause `json:"or,omitempty"`
}

// dzFilter is one attribute filter.
type dzFilter struct {
	Attribute string  `json:"attribute"`
	Value     *string `json:"value,omitempty"`
	IntValue  *int64  `json:"intValue,omitempty"`
	Operator  string  `json:"operator,omitempty"`
}

// match evaluates the clause against an item's attributes. Unknown attributes are a
// ValidationException (UNCONFIRMED: the real list of attributes is not documented).
func (c *dzFilterClause) match(attrs map[string]string) (bool, error) {
	if c == nil {
		return true, nil
	}
	switch {
	case c.Filter != nil:
		f := c.Filter
		v, ok := attrs[f.Attribute]
		if !ok {
			return false, dzValidation("Invalid filter attribute: %s", f.Attribute)
		}
		want := deref(f.Value)
		if f.IntValue != nil {
			want = strconv.FormatInt(*f.IntValue, 10)
		}
		switch f.Operator {
		case "", "EQ":
			return strings.EqualFold(v, want), nil
		case "TEXT_SEARCH":
			return strings.Contains(strings.ToLower(v), strings.ToLower(want)), nil
		default:
			return strings.EqualFold(v, want), nil
		}
	case len(c.And) > 0:
		for _, sub := range c.And {
			ok, err := sub.match(attrs)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case len(c.Or) > 0:
		for _, sub := range c.Or {
			ok, err := sub.match(attrs)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	return true, nil
}

// dzTextMatch reports whether any of the fields contains the search text (case-insensitive);
// an empty text or "*" matches everything.
func dzTextMatch(text string, fields ...string) bool {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" || text == "*" {
		return true
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), text) {
			return true
		}
	}
	return false
}

// callerName is the createdBy/updatedBy value DataZone reports for a caller: its user profile ID.
func (d *dzState) callerName(arn string) string {
	return d.userID(arn)
}

// dzRevision formats an integer revision as DataZone's string revision.
func dzRevision(n int) string { return strconv.Itoa(n) }

// dzParseRevision reads a string revision; 0 and false when it is not a positive integer.
func dzParseRevision(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// dzGlueTableARN is the ARN of a Glue table, the ExternalIdentifier of its asset.
func (s *Sandbox) dzGlueTableARN(db, table string) string {
	return fmt.Sprintf("arn:aws:glue:%s:%s:table/%s/%s", s.world.Region, s.world.Account, db, table)
}
