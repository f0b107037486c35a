package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// definition is the part of an ASL state machine that graph and follow read. Order keeps the
// states in the order of the file.
type definition struct {
	StartAt string              `json:"StartAt"`
	States  map[string]aslState `json:"States"`
	Order   []string            `json:"-"`
}

type aslState struct {
	Type          string       `json:"Type"`
	Next          string       `json:"Next"`
	End           bool         `json:"End"`
	Default       string       `json:"Default"`
	Choices       []choiceRule `json:"Choices"`
	Catch         []catcher    `json:"Catch"`
	Seconds       *float64     `json:"Seconds"`
	SecondsPath   string       `json:"SecondsPath"`
	Timestamp     string       `json:"Timestamp"`
	TimestampPath string       `json:"TimestampPath"`
	InputPath     *string      `json:"InputPath"`
}

type catcher struct {
	ErrorEquals []string `json:"ErrorEquals"`
	Next        string   `json:"Next"`
}

// choiceRule is one Choice rule (or a nested condition of And, Or, Not), kept raw because its
// comparison operator is its field name.
type choiceRule map[string]json.RawMessage

// parseDefinition reads an ASL definition, recording the order of its top-level states.
func parseDefinition(asl []byte) (*definition, error) {
	var d definition
	if err := json.Unmarshal(asl, &d); err != nil {
		return nil, fmt.Errorf("parse state machine definition: %w", err)
	}
	if d.StartAt == "" || len(d.States) == 0 {
		return nil, fmt.Errorf("parse state machine definition: no StartAt or no States")
	}
	order, err := stateOrder(asl)
	if err != nil {
		return nil, fmt.Errorf("parse state machine definition: %w", err)
	}
	d.Order = order
	return &d, nil
}

// stateOrder returns the names of the top-level States in file order.
func stateOrder(asl []byte) ([]string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(asl, &top); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(top["States"]))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return names, nil
}
