package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// DefaultTaskTimeout is Step Functions' timeout of a Task state without TimeoutSeconds.
const DefaultTaskTimeout = 60 * time.Second

// Machine is a parsed state machine definition (or a Parallel branch or Map iterator of one).
type Machine struct {
	StartAt        string            `json:"StartAt"`
	TimeoutSeconds int               `json:"TimeoutSeconds"`
	States         map[string]*State `json:"States"`
	// Order is the names of States in the order of the file.
	Order []string `json:"-"`
}

// State is one state, with the fields the project reads.
type State struct {
	Type           string       `json:"Type"`
	Comment        string       `json:"Comment"`
	Next           string       `json:"Next"`
	End            bool         `json:"End"`
	Default        string       `json:"Default"`
	Choices        []ChoiceRule `json:"Choices"`
	Catch          []Catcher    `json:"Catch"`
	Retry          []Retrier    `json:"Retry"`
	Resource       string       `json:"Resource"`
	TimeoutSeconds int          `json:"TimeoutSeconds"`
	Seconds        *float64     `json:"Seconds"`
	SecondsPath    string       `json:"SecondsPath"`
	Timestamp      string       `json:"Timestamp"`
	TimestampPath  string       `json:"TimestampPath"`
	InputPath      *string      `json:"InputPath"`
	Branches       []*Machine   `json:"Branches"`
	Iterator       *Machine     `json:"Iterator"`
	ItemProcessor  *Machine     `json:"ItemProcessor"`
}

// ChoiceRule is one Choice rule (or a nested condition of And, Or, Not), kept raw because its
// comparison operator is its field name.
type ChoiceRule map[string]json.RawMessage

// Catcher is one Catch rule.
type Catcher struct {
	ErrorEquals []string `json:"ErrorEquals"`
	Next        string   `json:"Next"`
	ResultPath  *string  `json:"ResultPath"`
}

// Retrier is one Retry rule.
type Retrier struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds *float64 `json:"IntervalSeconds"`
	MaxAttempts     *int     `json:"MaxAttempts"`
	BackoffRate     *float64 `json:"BackoffRate"`
	MaxDelaySeconds *int     `json:"MaxDelaySeconds"`
	JitterStrategy  string   `json:"JitterStrategy"`
}

// Parse reads a definition; placeholders (${...}) may still be in it.
func Parse(def []byte) (*Machine, error) {
	var m Machine
	if err := json.Unmarshal(def, &m); err != nil {
		return nil, fmt.Errorf("parse state machine definition: %w", err)
	}
	if m.StartAt == "" || len(m.States) == 0 {
		return nil, fmt.Errorf("parse state machine definition: no StartAt or no States")
	}
	if err := m.order(def); err != nil {
		return nil, fmt.Errorf("parse state machine definition: %w", err)
	}
	return &m, nil
}

// order records the file order of m's States and of every nested machine's.
func (m *Machine) order(def []byte) error {
	var top struct {
		States json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal(def, &top); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(top.States))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		m.Order = append(m.Order, name)
		if err := m.States[name].orderNested(raw); err != nil {
			return fmt.Errorf("state %q: %w", name, err)
		}
	}
	return nil
}

// orderNested records the file order of the machines nested in a state.
func (s *State) orderNested(raw json.RawMessage) error {
	if len(s.Branches) == 0 && s.Iterator == nil && s.ItemProcessor == nil {
		return nil
	}
	var nested struct {
		Branches      []json.RawMessage `json:"Branches"`
		Iterator      json.RawMessage   `json:"Iterator"`
		ItemProcessor json.RawMessage   `json:"ItemProcessor"`
	}
	if err := json.Unmarshal(raw, &nested); err != nil {
		return err
	}
	for i, b := range nested.Branches {
		if err := s.Branches[i].order(b); err != nil {
			return err
		}
	}
	if s.Iterator != nil {
		if err := s.Iterator.order(nested.Iterator); err != nil {
			return err
		}
	}
	if s.ItemProcessor != nil {
		return s.ItemProcessor.order(nested.ItemProcessor)
	}
	return nil
}

// Walk calls fn for every state, nested ones included, parents first, in file order.
func (m *Machine) Walk(fn func(name string, s *State)) {
	for _, name := range m.Order {
		s := m.States[name]
		fn(name, s)
		for _, b := range s.Branches {
			b.Walk(fn)
		}
		for _, sub := range []*Machine{s.Iterator, s.ItemProcessor} {
			if sub != nil {
				sub.Walk(fn)
			}
		}
	}
}

// TaskState is a Task state and the placeholder its Resource names.
type TaskState struct {
	Name  string
	State *State
	// Placeholder is the name inside ${...} when the Resource is one placeholder, else "".
	Placeholder string
}

// Tasks returns every Task state, nested ones included, in file order.
func (m *Machine) Tasks() []TaskState {
	var out []TaskState
	m.Walk(func(name string, s *State) {
		if s.Type == "Task" {
			out = append(out, TaskState{Name: name, State: s, Placeholder: placeholderOf(s.Resource)})
		}
	})
	return out
}

// Timeout is a Task state's timeout.
func (s *State) Timeout() time.Duration {
	if s.TimeoutSeconds > 0 {
		return time.Duration(s.TimeoutSeconds) * time.Second
	}
	return DefaultTaskTimeout
}

var placeholderRE = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

func placeholderOf(resource string) string {
	if m := placeholderRE.FindStringSubmatch(resource); m != nil && m[0] == resource {
		return m[1]
	}
	return ""
}

// Placeholders returns the names of a definition's ${...} substitutions, sorted, once each.
func Placeholders(def []byte) []string {
	var out []string
	for _, m := range placeholderRE.FindAllSubmatch(def, -1) {
		if name := string(m[1]); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Substitute replaces every ${name} of def with value(name); it returns the names value did not
// know (left in place), in order of appearance.
func Substitute(def []byte, value func(name string) (string, bool)) ([]byte, []string) {
	var unknown []string
	out := placeholderRE.ReplaceAllFunc(def, func(m []byte) []byte {
		name := string(m[2 : len(m)-1])
		v, ok := value(name)
		if !ok {
			unknown = append(unknown, string(m))
			return m
		}
		return []byte(v)
	})
	return out, unknown
}
