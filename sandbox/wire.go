package sandbox

import (
	"strconv"
	"time"
)

// epoch is a timestamp as awsJson1_1 and restJson1 send it by default: epoch seconds, as a JSON
// number with millisecond precision.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// epochPtr is epoch for optional timestamps: nil for the zero time.
func epochPtr(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	v := epoch(t)
	return &v
}

// dateTime is a timestamp in the date-time (RFC 3339) format some restJson1 members use.
func dateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// pageBounds returns the slice [start, end) of a list of n items for a page of at most max items
// (def when max <= 0, capped at limit when limit > 0) starting at token, and the next token ("" at
// the end). A token that is not one the sandbox issued is an error of the given code.
func pageBounds(n int, token string, max, def, limit int, badTokenCode string) (start, end int, next string, err error) {
	if max <= 0 {
		max = def
	}
	if limit > 0 && max > limit {
		max = limit
	}
	if token != "" {
		v, perr := strconv.Atoi(token)
		if perr != nil || v < 0 || v > n {
			return 0, 0, "", errorf(400, badTokenCode, "The nextToken %q is not valid", token)
		}
		start = v
	}
	end = start + max
	if end >= n {
		return start, n, "", nil
	}
	return start, end, strconv.Itoa(end), nil
}

// deref returns the value of an optional string.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// derefInt returns the value of an optional integer, 0 if absent.
func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
