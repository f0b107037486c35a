package cfntemplate

import (
	"fmt"
	"strings"
)

// kind is how CloudFormation names a resource type: the property that sets its name, what Ref
// returns and the ARN Fn::GetAtt <id>.Arn returns. The Ref and Arn forms are those of each
// type's page in the CloudFormation template reference ("Return values").
type kind struct {
	nameProperty string
	// refIsARN: Ref returns the ARN, not the name.
	refIsARN bool
	// arn builds the ARN from the resolved physical name ("" for types without an Arn).
	arn func(e Env, name string, props map[string]any) string
	// attrs are further attributes, by name.
	attrs map[string]func(e Env, name string) string
	// lower: the generated name is in lower case (S3 bucket names allow no capitals).
	lower bool
}

var kinds = map[string]kind{
	"AWS::IAM::Role": {nameProperty: "RoleName", arn: func(e Env, name string, props map[string]any) string {
		return fmt.Sprintf("arn:%s:iam::%s:role%s%s", e.Partition, e.Account, iamPath(props), name)
	}},
	"AWS::IAM::ManagedPolicy": {nameProperty: "ManagedPolicyName", refIsARN: true, arn: func(e Env, name string, props map[string]any) string {
		return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", e.Partition, e.Account, iamPath(props), name)
	}},
	"AWS::IAM::Policy":     {nameProperty: "PolicyName"},
	"AWS::IAM::RolePolicy": {nameProperty: "PolicyName"},
	"AWS::Lambda::Function": {nameProperty: "FunctionName", arn: func(e Env, name string, _ map[string]any) string {
		return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", e.Partition, e.Region, e.Account, name)
	}},
	"AWS::Logs::LogGroup": {nameProperty: "LogGroupName", arn: func(e Env, name string, _ map[string]any) string {
		return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", e.Partition, e.Region, e.Account, name)
	}},
	// AWS::S3::Bucket return values: Ref is the bucket name, Arn arn:<partition>:s3:::<name>.
	"AWS::S3::Bucket": {nameProperty: "BucketName", lower: true, arn: func(e Env, name string, _ map[string]any) string {
		return fmt.Sprintf("arn:%s:s3:::%s", e.Partition, name)
	}},
	"AWS::SNS::Topic": {nameProperty: "TopicName", refIsARN: true, arn: snsARN, attrs: map[string]func(Env, string) string{
		"TopicArn":  func(e Env, name string) string { return snsARN(e, name, nil) },
		"TopicName": func(_ Env, name string) string { return name },
	}},
	"AWS::SQS::Queue": {nameProperty: "QueueName", arn: func(e Env, name string, _ map[string]any) string {
		return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", e.Partition, e.Region, e.Account, name)
	}},
	"AWS::KMS::Key": {arn: func(e Env, name string, _ map[string]any) string {
		return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", e.Partition, e.Region, e.Account, name)
	}},
	"AWS::StepFunctions::StateMachine": {nameProperty: "StateMachineName", refIsARN: true, arn: stateMachineARN,
		attrs: map[string]func(Env, string) string{"Name": func(_ Env, name string) string { return name }}},
	"AWS::Scheduler::Schedule": {nameProperty: "Name", arn: func(e Env, name string, _ map[string]any) string {
		return fmt.Sprintf("arn:%s:scheduler:%s:%s:schedule/default/%s", e.Partition, e.Region, e.Account, name)
	}},
}

func snsARN(e Env, name string, _ map[string]any) string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", e.Partition, e.Region, e.Account, name)
}

func stateMachineARN(e Env, name string, _ map[string]any) string {
	return fmt.Sprintf("arn:%s:states:%s:%s:stateMachine:%s", e.Partition, e.Region, e.Account, name)
}

// iamPath is a role's or policy's Path property, "/" by default.
func iamPath(props map[string]any) string {
	if p, ok := props["Path"].(string); ok && p != "" {
		return p
	}
	return "/"
}

// physicalName is the name CloudFormation gives a resource: its name property when set, else
// <StackName>-<LogicalId> (CloudFormation adds a random suffix; a fixed name keeps ARNs stable),
// in lower case for the types that need it.
func (r *resolver) physicalName(id string, res Resource, at string) (string, error) {
	k, ok := kinds[res.Type]
	if ok && k.nameProperty != "" {
		if v, ok := res.Properties[k.nameProperty]; ok {
			return r.str(v, at+"("+id+"."+k.nameProperty+")")
		}
	}
	name := r.env.StackName + "-" + id
	if k.lower {
		name = strings.ToLower(name)
	}
	return name, nil
}

// physicalRef is what Ref returns for a resource.
func (r *resolver) physicalRef(id string, res Resource, at string) (any, error) {
	name, err := r.physicalName(id, res, at)
	if err != nil {
		return nil, err
	}
	if k := kinds[res.Type]; k.refIsARN {
		return k.arn(r.env, name, res.Properties), nil
	}
	return name, nil
}

// getAtt resolves Fn::GetAtt for the attributes this package knows.
func (r *resolver) getAtt(id, attr, at string) (any, error) {
	res, ok := r.t.Resources[id]
	if !ok {
		return nil, fmt.Errorf("%s: no resource %s", at, id)
	}
	k, known := kinds[res.Type]
	name, err := r.physicalName(id, res, at)
	if err != nil {
		return nil, err
	}
	if known && attr == "Arn" && k.arn != nil {
		return k.arn(r.env, name, res.Properties), nil
	}
	if f, ok := k.attrs[attr]; known && ok {
		return f(r.env, name), nil
	}
	return nil, fmt.Errorf("%s: attribute %s of %s (%s) is not supported", at, attr, id, res.Type)
}
