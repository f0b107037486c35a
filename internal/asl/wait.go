package asl

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// WaitFor is how long a Wait state entered at now with input waits, read as Step Functions reads
// it: Seconds, SecondsPath (a non-negative integer in the input), Timestamp or TimestampPath (an
// RFC 3339 time; one in the past waits zero), after InputPath. An input the state cannot read is
// an error whose text is Step Functions' States.Runtime cause.
func (s *State) WaitFor(input json.RawMessage, now time.Time) (time.Duration, error) {
	if s.Type != "Wait" {
		return 0, fmt.Errorf("state is a %s, not a Wait", s.Type)
	}
	var doc any
	if len(input) > 0 {
		if err := json.Unmarshal(input, &doc); err != nil {
			return 0, fmt.Errorf("the state input is not JSON: %w", err)
		}
	}
	if s.InputPath != nil {
		if *s.InputPath == "" {
			doc = map[string]any{}
		} else if v, ok := Lookup(doc, *s.InputPath); ok {
			doc = v
		}
	}
	var ts string
	switch {
	case s.Seconds != nil:
		return seconds(*s.Seconds), nil
	case s.SecondsPath != "":
		v, ok := Lookup(doc, s.SecondsPath)
		n, isNum := v.(float64)
		if !ok || !isNum || n < 0 || n != math.Trunc(n) {
			return 0, fmt.Errorf("The SecondsPath parameter does not reference a valid non-negative integer: %s is %s", s.SecondsPath, show(v, ok))
		}
		return seconds(n), nil
	case s.Timestamp != "":
		ts = s.Timestamp
	case s.TimestampPath != "":
		v, ok := Lookup(doc, s.TimestampPath)
		str, isStr := v.(string)
		if !ok || !isStr {
			return 0, fmt.Errorf("The TimestampPath parameter does not reference a valid ISO-8601 timestamp: %s is %s", s.TimestampPath, show(v, ok))
		}
		ts = str
	default:
		return 0, nil
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return 0, fmt.Errorf("The timestamp %q is not a valid ISO-8601 timestamp", ts)
	}
	return max(t.Sub(now), 0), nil
}

func seconds(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }

func show(v any, ok bool) string {
	if !ok {
		return "missing"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Lookup evaluates a simple JSONPath ($, .field, [index], ['field']) on a decoded JSON document.
// Context paths ($$) are not supported.
func Lookup(doc any, path string) (any, bool) {
	if !strings.HasPrefix(path, "$") || strings.HasPrefix(path, "$$") {
		return nil, false
	}
	rest, cur := path[1:], doc
	for rest != "" {
		var key string
		index := -1
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			key, rest = rest[:end], rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if n, err := strconv.Atoi(inner); err == nil {
				index = n
			} else {
				key = strings.Trim(inner, `'"`)
			}
		default:
			return nil, false
		}
		if index >= 0 {
			list, ok := cur.([]any)
			if !ok || index >= len(list) {
				return nil, false
			}
			cur = list[index]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[key]; !ok {
			return nil, false
		}
	}
	return cur, true
}
