package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/asl"
)

// graph prints the state machine as a Mermaid flowchart.
func (a *app) graph(_ context.Context, args []string) int {
	fs := a.flagSet("graph", "graph",
		"Prints statemachine.asl.json as a Mermaid flowchart (flowchart TD): Task boxes, Choice\n"+
			"diamonds with their conditions on the edges, Wait hexagons, Catch edges dashed.\n"+
			"The output is deterministic; the README embeds it.")
	if status, ok := a.parse(fs, args); !ok {
		return status
	}
	out, err := mermaid(dzonboard.StateMachineASL)
	if err != nil {
		return a.errorf(exitFailed, "graph", "%v", err)
	}
	fmt.Fprint(a.stdout, out)
	return exitOK
}

// mermaid renders an ASL definition as a Mermaid flowchart: nodes in the order of the file, then
// the edges of each node: Next, the Choice rules labelled with their
// conditions, Default labelled "otherwise", and Catch edges dashed, labelled with their errors.
func mermaid(def []byte) (string, error) {
	d, err := asl.Parse(def)
	if err != nil {
		return "", err
	}
	order := d.Order
	ids := nodeIDs(order)
	id := func(name string) string {
		if v, ok := ids[name]; ok {
			return v
		}
		return nodeID(name)
	}
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for _, name := range order {
		fmt.Fprintf(&b, "    %s%s\n", ids[name], shape(d.States[name].Type, name))
	}
	for _, name := range order {
		s := d.States[name]
		from := ids[name]
		if s.Next != "" {
			fmt.Fprintf(&b, "    %s --> %s\n", from, id(s.Next))
		}
		for _, rule := range s.Choices {
			var next string
			_ = json.Unmarshal(rule["Next"], &next)
			fmt.Fprintf(&b, "    %s -->|%s| %s\n", from, label(condition(rule)), id(next))
		}
		if s.Default != "" {
			fmt.Fprintf(&b, "    %s -->|%s| %s\n", from, label("otherwise"), id(s.Default))
		}
		for _, c := range s.Catch {
			fmt.Fprintf(&b, "    %s -.->|%s| %s\n", from, label(strings.Join(c.ErrorEquals, ", ")), id(c.Next))
		}
	}
	var succeed, fail []string
	for _, name := range order {
		switch d.States[name].Type {
		case "Succeed":
			succeed = append(succeed, ids[name])
		case "Fail":
			fail = append(fail, ids[name])
		}
	}
	if len(succeed) > 0 {
		fmt.Fprintf(&b, "    classDef succeed fill:#e6f4ea,stroke:#1e8e3e\n    class %s succeed\n", strings.Join(succeed, ","))
	}
	if len(fail) > 0 {
		fmt.Fprintf(&b, "    classDef fail fill:#fce8e6,stroke:#d93025\n    class %s fail\n", strings.Join(fail, ","))
	}
	return b.String(), nil
}

// shape is a node's text in the shape of its state type.
func shape(typ, name string) string {
	text := label(name)
	switch typ {
	case "Choice":
		return "{" + text + "}"
	case "Wait":
		return "{{" + text + "}}"
	case "Parallel", "Map":
		return "[[" + text + "]]"
	case "Succeed", "Fail":
		return "([" + text + "])"
	}
	return "[" + text + "]"
}

// label quotes text for Mermaid, escaping what Mermaid would read as markup.
func label(text string) string {
	return `"` + strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(text) + `"`
}

// nodeIDs gives every state a readable, unique Mermaid node ID.
func nodeIDs(names []string) map[string]string {
	ids := map[string]string{}
	used := map[string]bool{}
	for _, name := range names {
		base := nodeID(name)
		id := base
		for n := 2; used[id]; n++ {
			id = fmt.Sprintf("%s%d", base, n)
		}
		used[id] = true
		ids[name] = id
	}
	return ids
}

// nodeID is a state name in CamelCase letters and digits ("Crawl finished?" -> CrawlFinished).
func nodeID(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	id := b.String()
	if id == "" || unicode.IsDigit(rune(id[0])) {
		id = "S" + id
	}
	return id
}

// condition renders a Choice rule as text: "poll.done == true", "not (a is present)", ...
func condition(r asl.ChoiceRule) string {
	for _, op := range []string{"And", "Or"} {
		if raw, ok := r[op]; ok {
			var subs []asl.ChoiceRule
			_ = json.Unmarshal(raw, &subs)
			parts := make([]string, len(subs))
			for i, s := range subs {
				parts[i] = group(condition(s))
			}
			return strings.Join(parts, " "+strings.ToLower(op)+" ")
		}
	}
	if raw, ok := r["Not"]; ok {
		var sub asl.ChoiceRule
		_ = json.Unmarshal(raw, &sub)
		return "not (" + condition(sub) + ")"
	}
	var variable string
	_ = json.Unmarshal(r["Variable"], &variable)
	variable = path(variable)
	ops := make([]string, 0, len(r))
	for op := range r {
		if op != "Variable" && op != "Next" && op != "Comment" {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	parts := make([]string, 0, len(ops))
	for _, op := range ops {
		parts = append(parts, variable+" "+comparison(op, r[op]))
	}
	return strings.Join(parts, " and ")
}

// comparison renders one operator and its operand: "== true", "is present", "< $.limit".
func comparison(op string, operand json.RawMessage) string {
	if strings.HasPrefix(op, "Is") {
		var yes bool
		_ = json.Unmarshal(operand, &yes)
		what := strings.ToLower(strings.TrimPrefix(op, "Is"))
		if what == "present" || what == "null" {
			if yes {
				return "is " + what
			}
			return "is not " + what
		}
		if yes {
			return "is a " + what
		}
		return "is not a " + what
	}
	isPath := strings.HasSuffix(op, "Path")
	rel := strings.TrimSuffix(op, "Path")
	for _, kind := range []string{"String", "Numeric", "Boolean", "Timestamp"} {
		rel = strings.TrimPrefix(rel, kind)
	}
	symbol := map[string]string{
		"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=",
		"GreaterThanEquals": ">=", "Matches": "matches",
	}[rel]
	if symbol == "" {
		symbol = op
	}
	var value string
	var s string
	switch {
	case json.Unmarshal(operand, &s) == nil && isPath:
		value = path(s)
	case json.Unmarshal(operand, &s) == nil:
		value = "'" + s + "'"
	default:
		value = string(operand)
	}
	return symbol + " " + value
}

// path shortens a JSONPath for display: "$.poll.done" -> "poll.done".
func path(p string) string {
	if strings.HasPrefix(p, "$.") && !strings.HasPrefix(p, "$$") {
		return p[2:]
	}
	return p
}

func group(s string) string {
	if strings.Contains(s, " and ") || strings.Contains(s, " or ") {
		return "(" + s + ")"
	}
	return s
}
