package templatecheck

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The values the checks render the pseudo parameters with.
const (
	SamplePartition = "aws"
	SampleRegion    = "us-east-1"
	SampleAccount   = "123456789012"
)

// Template is a synthesized CloudFormation template.
type Template struct {
	// Resources are the template's resources by logical ID.
	Resources map[string]Resource
	// Outputs are the template's outputs as written.
	Outputs map[string]any
}

// Resource is one resource of a template.
type Resource struct {
	ID         string
	Type       string
	Properties map[string]any
}

// Parse reads a template from its JSON.
func Parse(data []byte) (*Template, error) {
	var doc struct {
		Resources map[string]struct {
			Type       string         `json:"Type"`
			Properties map[string]any `json:"Properties"`
		} `json:"Resources"`
		Outputs map[string]any `json:"Outputs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t := &Template{Resources: map[string]Resource{}, Outputs: doc.Outputs}
	for id, r := range doc.Resources {
		t.Resources[id] = Resource{ID: id, Type: r.Type, Properties: r.Properties}
	}
	return t, nil
}

// ofType returns the resources of a type, by logical ID.
func (t *Template) ofType(typ string) []Resource {
	var out []Resource
	for _, r := range t.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// arnShapes are the ARNs of the resource types the stack makes, as Fn::GetAtt Arn (and, for the
// types whose Ref is the ARN, Ref) returns them; %s is the resource's name, here its logical ID.
// A log group's Arn ends in ":*" (AWS::Logs::LogGroup return values).
var arnShapes = map[string]string{
	"AWS::CloudWatch::Alarm":           "arn:aws:cloudwatch:us-east-1:123456789012:alarm:%s",
	"AWS::IAM::Role":                   "arn:aws:iam::123456789012:role/%s",
	"AWS::KMS::Key":                    "arn:aws:kms:us-east-1:123456789012:key/%s",
	"AWS::Lambda::Function":            "arn:aws:lambda:us-east-1:123456789012:function:%s",
	"AWS::Logs::LogGroup":              "arn:aws:logs:us-east-1:123456789012:log-group:%s:*",
	"AWS::S3::Bucket":                  "arn:aws:s3:::%s",
	"AWS::SNS::Topic":                  "arn:aws:sns:us-east-1:123456789012:%s",
	"AWS::SQS::Queue":                  "arn:aws:sqs:us-east-1:123456789012:%s",
	"AWS::Scheduler::Schedule":         "arn:aws:scheduler:us-east-1:123456789012:schedule/default/%s",
	"AWS::Scheduler::ScheduleGroup":    "arn:aws:scheduler:us-east-1:123456789012:schedule-group/%s",
	"AWS::StepFunctions::StateMachine": "arn:aws:states:us-east-1:123456789012:stateMachine:%s",
}

// refIsARN are the types whose Ref returns the ARN; the Ref of the others returns a name or ID.
var refIsARN = map[string]bool{"AWS::SNS::Topic": true, "AWS::StepFunctions::StateMachine": true}

var pseudo = map[string]string{
	"AWS::Partition": SamplePartition,
	"AWS::Region":    SampleRegion,
	"AWS::AccountId": SampleAccount,
	"AWS::URLSuffix": "amazonaws.com",
	"AWS::StackName": "Dzonboard",
	"AWS::StackId":   "arn:aws:cloudformation:us-east-1:123456789012:stack/Dzonboard/1",
}

// render returns the string a CloudFormation value stands for, with the sample pseudo parameters.
func (t *Template) render(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok {
			if p, ok := pseudo[ref]; ok {
				return p, nil
			}
			r, ok := t.Resources[ref]
			if !ok {
				return "", fmt.Errorf("Ref %s: no such resource", ref)
			}
			if refIsARN[r.Type] {
				return fmt.Sprintf(arnShapes[r.Type], ref), nil
			}
			return ref, nil
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			id, _ := ga[0].(string)
			attr, _ := ga[1].(string)
			r, ok := t.Resources[id]
			if !ok {
				return "", fmt.Errorf("Fn::GetAtt %s: no such resource", id)
			}
			switch shape, known := arnShapes[r.Type]; {
			case attr == "Arn" && known:
				return fmt.Sprintf(shape, id), nil
			case attr == "QueueName" || attr == "Name":
				return id, nil
			}
			return "", fmt.Errorf("Fn::GetAtt %s.%s of a %s: no sample value", id, attr, r.Type)
		}
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			items, _ := j[1].([]any)
			parts := make([]string, len(items))
			for i, it := range items {
				s, err := t.render(it)
				if err != nil {
					return "", err
				}
				parts[i] = s
			}
			return strings.Join(parts, sep), nil
		}
		if sub, ok := x["Fn::Sub"].(string); ok {
			var err error
			out := subVar.ReplaceAllStringFunc(sub, func(m string) string {
				s, rerr := t.render(map[string]any{"Ref": m[2 : len(m)-1]})
				if rerr != nil {
					err = rerr
				}
				return s
			})
			return out, err
		}
	}
	b, _ := json.Marshal(v)
	return "", fmt.Errorf("cannot render %s", b)
}

var subVar = regexp.MustCompile(`\$\{[A-Za-z0-9:]+\}`)

// refersTo reports whether v is a Ref to, or an Fn::GetAtt of, the resource id.
func refersTo(v any, id string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if ref, ok := m["Ref"].(string); ok {
		return ref == id
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
		return ga[0] == id
	}
	return false
}

// target returns the logical ID v refers to (Ref or Fn::GetAtt), or "".
func target(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if ref, ok := m["Ref"].(string); ok {
		return ref
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
		id, _ := ga[0].(string)
		return id
	}
	return ""
}

// path walks nested maps.
func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// list returns v as a list: a list as is, nil as none, anything else as one item.
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func strs(v any) []string {
	var out []string
	for _, x := range list(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// globMatch reports whether s matches an IAM pattern with * and ? wildcards.
func globMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	ok, _ := regexp.MatchString(re, s)
	return ok
}
