package templatecheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dzonboard/dzonboard/internal/iamref"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfadmins"
	"github.com/dzonboard/dzonboard/workflow"
)

// Check is one check of a template.
type Check struct {
	// Name says what is checked, in a few words.
	Name string
	// run returns what it verified (one line) and every problem it found.
	run func(t *Template) (verified string, problems []string)
}

// Result is the outcome of one check on one template.
type Result struct {
	Check    string
	Verified string   // what holds, when Problems is empty
	Problems []string // what does not
}

// Checks are every template check, in the order they are reported.
var Checks = []Check{
	{Name: "alarm topic policy", run: checkTopicPolicy},
	{Name: "alarm topic key", run: checkTopicKey},
	{Name: "dead grants", run: checkDeadGrants},
	{Name: "partition", run: checkPartition},
	{Name: "schedule dead-letter queue", run: checkScheduleDeadLetters},
	{Name: "schedule alarms", run: checkScheduleAlarms},
	{Name: "data lake administrators", run: checkDataLakeAdmins},
}

// Run runs every check on t.
func Run(t *Template) []Result {
	out := make([]Result, 0, len(Checks))
	for _, c := range Checks {
		verified, problems := c.run(t)
		out = append(out, Result{Check: c.Name, Verified: verified, Problems: problems})
	}
	return out
}

// cloudWatch is the service principal CloudWatch alarms publish as.
const cloudWatch = "cloudwatch.amazonaws.com"

// alarmTopics returns the topics the alarms publish to, each with the ARNs of its alarms, and the
// problems of alarms that cannot publish to a topic of the template or cannot be named.
func (t *Template) alarmTopics() (map[string][]string, []string) {
	topics := map[string][]string{}
	var problems []string
	alarms := t.ofType("AWS::CloudWatch::Alarm")
	if len(alarms) == 0 {
		problems = append(problems, "the template has no CloudWatch alarm")
	}
	for _, a := range alarms {
		name, err := t.render(a.Properties["AlarmName"])
		if a.Properties["AlarmName"] == nil || err != nil {
			problems = append(problems, fmt.Sprintf("alarm %s has no AlarmName the policies can name in aws:SourceArn", a.ID))
			continue
		}
		actions := list(a.Properties["AlarmActions"])
		if len(actions) == 0 {
			problems = append(problems, fmt.Sprintf("alarm %s has no alarm action: it alerts nobody", a.ID))
		}
		for _, act := range actions {
			topic := target(act)
			if r, ok := t.Resources[topic]; !ok || r.Type != "AWS::SNS::Topic" {
				problems = append(problems, fmt.Sprintf("alarm %s acts on %v, not a topic of this stack", a.ID, act))
				continue
			}
			topics[topic] = append(topics[topic], "arn:aws:cloudwatch:"+SampleRegion+":"+SampleAccount+":alarm:"+name)
		}
	}
	return topics, problems
}

// checkTopicPolicy: each alarm topic's policy lets cloudwatch.amazonaws.com publish, for this
// account's alarms of that topic, and no Deny takes it away. A topic policy replaces SNS's
// default one, so without that statement every notification is refused (AWS re:Post knowledge
// center, "cloudwatch-receive-sns-for-alarm-trigger").
func checkTopicPolicy(t *Template) (string, []string) {
	topics, problems := t.alarmTopics()
	var verified []string
	for _, topic := range sortedKeys(topics) {
		alarms := topics[topic]
		var policy []statement
		for _, p := range t.ofType("AWS::SNS::TopicPolicy") {
			if slices.ContainsFunc(list(p.Properties["Topics"]), func(v any) bool { return refersTo(v, topic) }) {
				for _, st := range t.statements() {
					if st.where == "AWS::SNS::TopicPolicy "+p.ID {
						policy = append(policy, st)
					}
				}
			}
		}
		if len(policy) == 0 {
			// Without a topic policy SNS's default one applies, which lets the account's
			// principals publish but names no service.
			problems = append(problems, fmt.Sprintf("topic %s has no topic policy allowing %s to publish", topic, cloudWatch))
			continue
		}
		topicARN := fmt.Sprintf(arnShapes["AWS::SNS::Topic"], topic)
		found := false
		for _, st := range policy {
			if st.allows("sns:Publish") && st.fromService(cloudWatch) && t.covers(st, topicARN) {
				found = true
				problems = append(problems, t.confusedDeputy(st, alarms)...)
			}
			if st.Effect == "Deny" && denies(st, "sns:Publish") && !onlyInsecureTransport(st) {
				problems = append(problems, fmt.Sprintf("%s denies sns:Publish beyond requests without TLS: it may refuse CloudWatch", st))
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("the policy of topic %s does not allow %s to sns:Publish to it: its %d alarm(s) would be refused", topic, cloudWatch, len(alarms)))
			continue
		}
		verified = append(verified, fmt.Sprintf("%s accepts sns:Publish from %s for this account's %d alarm(s) (aws:SourceAccount, aws:SourceArn)", topic, cloudWatch, len(alarms)))
	}
	return strings.Join(verified, "; "), problems
}

// checkTopicKey: an alarm topic encrypted with a KMS key lets CloudWatch use it: kms:Decrypt and
// kms:GenerateDataKey* on a customer managed key, never the AWS managed alias/aws/sns (Amazon SNS
// developer guide, "Key management": compatibility with AWS services).
func checkTopicKey(t *Template) (string, []string) {
	topics, _ := t.alarmTopics() // their problems are the topic policy check's
	var problems, verified []string
	for _, topic := range sortedKeys(topics) {
		keyRef := t.Resources[topic].Properties["KmsMasterKeyId"]
		if keyRef == nil {
			verified = append(verified, topic+" is not encrypted: no key policy needed")
			continue
		}
		keyID := target(keyRef)
		key, ok := t.Resources[keyID]
		if !ok || key.Type != "AWS::KMS::Key" {
			problems = append(problems, fmt.Sprintf("topic %s is encrypted with %v, not a key of this stack whose policy can let CloudWatch use it (the AWS managed alias/aws/sns cannot)", topic, keyRef))
			continue
		}
		found := false
		for _, st := range t.statements() {
			if st.where == "AWS::KMS::Key "+keyID && st.fromService(cloudWatch) && st.allows("kms:Decrypt") && st.allows("kms:GenerateDataKey") {
				found = true
				problems = append(problems, t.confusedDeputy(st, topics[topic])...)
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("the policy of key %s does not allow %s kms:Decrypt and kms:GenerateDataKey*: alarms cannot publish to topic %s", keyID, cloudWatch, topic))
			continue
		}
		verified = append(verified, fmt.Sprintf("key %s of %s lets %s kms:Decrypt and kms:GenerateDataKey* for the same alarms", keyID, topic, cloudWatch))
	}
	return strings.Join(verified, "; "), problems
}

// confusedDeputy checks that a statement for a service principal holds aws:SourceAccount = this
// account and an aws:SourceArn that every alarm matches.
func (t *Template) confusedDeputy(st statement, alarms []string) []string {
	var problems []string
	account, _ := t.condition(st, "aws:SourceAccount", "StringEquals")
	if !slices.Contains(account, SampleAccount) {
		problems = append(problems, fmt.Sprintf("%s has no aws:SourceAccount condition on this account (StringEquals, AWS::AccountId)", st))
	}
	arns, _ := t.condition(st, "aws:SourceArn", "ArnLike", "ArnEquals", "StringEquals", "StringLike")
	if len(arns) == 0 {
		return append(problems, fmt.Sprintf("%s has no aws:SourceArn condition naming the alarms", st))
	}
	for _, a := range alarms {
		if !slices.ContainsFunc(arns, func(p string) bool { return globMatch(p, a) }) {
			problems = append(problems, fmt.Sprintf("%s: aws:SourceArn %v does not match alarm %s, whose notifications would be refused", st, arns, a))
		}
	}
	return problems
}

// condition returns the rendered values of a condition key under any of the operators (condition
// keys ignore case).
func (t *Template) condition(st statement, key string, operators ...string) ([]string, error) {
	var out []string
	for _, op := range operators {
		block, _ := st.Condition[op].(map[string]any)
		for k, v := range block {
			if !strings.EqualFold(k, key) {
				continue
			}
			for _, item := range list(v) {
				s, err := t.render(item)
				if err != nil {
					return nil, err
				}
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// covers reports whether one of the statement's resources matches arn.
func (t *Template) covers(st statement, arn string) bool {
	for _, r := range st.Resources {
		if s, err := t.render(r); err == nil && globMatch(s, arn) {
			return true
		}
	}
	return false
}

func denies(st statement, action string) bool {
	st.Effect = "Allow"
	return st.allows(action)
}

// onlyInsecureTransport reports whether a Deny applies only to requests without TLS (the
// statement EnforceSSL adds).
func onlyInsecureTransport(st statement) bool {
	b, _ := st.Condition["Bool"].(map[string]any)
	return len(st.Condition) == 1 && len(b) == 1 && fmt.Sprint(b["aws:SecureTransport"]) == "false"
}

// extraARNFormats are resource ARN formats of services internal/iamref does not hold, from the
// Service Authorization Reference, rendered with the sample values; an action of such a service
// with a resource type takes these. "Actions, resources, and condition keys for Amazon SQS": the
// queue resource type, arn:${Partition}:sqs:${Region}:${Account}:${QueueName}. "... for Amazon
// S3": the object resource type of s3:GetObject and s3:PutObject,
// arn:${Partition}:s3:::${BucketName}/${ObjectName}, and the bucket resource type of
// s3:ListBucket, arn:${Partition}:s3:::${BucketName}.
var extraARNFormats = map[string]*regexp.Regexp{
	"sqs": regexp.MustCompile(`^arn:aws:sqs:us-east-1:123456789012:[^:]+$`),
	"s3":  regexp.MustCompile(`^arn:aws:s3:::[^/]+(/.+)?$`),
}

// canApply is iamref.CanApply, with extraARNFormats for the services iamref does not hold.
func canApply(action, resource string) (ok, known bool) {
	if _, known := iamref.ResourceTypes(action); known {
		return iamref.CanApply(action, resource), true
	}
	service, _, _ := strings.Cut(strings.ToLower(action), ":")
	re, known := extraARNFormats[service]
	if !known {
		return false, false
	}
	return resource == "*" || re.MatchString(strings.ReplaceAll(resource, "*", "x")), true
}

// checkDeadGrants holds every Allow statement against AWS's IAM action data: an action with no
// resource type applies only to "*" (IAM ignores a statement naming an ARN for it), and one with
// resource types only to ARNs of those types. A statement that grants an action on resources it
// can never apply to is a dead grant: the call it was meant for is denied.
func checkDeadGrants(t *Template) (string, []string) {
	var problems []string
	statements, actions := 0, map[string]bool{}
	for _, st := range t.statements() {
		if st.Effect != "Allow" {
			continue
		}
		statements++
		if len(st.notElements) > 0 {
			problems = append(problems, fmt.Sprintf("%s uses %v, which this check cannot judge", st, st.notElements))
			continue
		}
		var resources []string
		for _, r := range st.Resources {
			s, err := t.render(r)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: resource %v: %v", st, r, err))
				continue
			}
			resources = append(resources, s)
		}
		for _, a := range st.Actions {
			actions[strings.ToLower(a)] = true
			if strings.ContainsAny(a, "*?") {
				if slices.ContainsFunc(resources, func(r string) bool { return r != "*" }) {
					problems = append(problems, fmt.Sprintf("%s: wildcard action %s on %v cannot be judged; name the actions", st, a, resources))
				}
				continue
			}
			// The action is dead when none of the statement's resources can apply to it; a
			// resource that serves the statement's other actions is no harm.
			applies, judged := false, true
			for _, r := range resources {
				ok, known := canApply(a, r)
				applies = applies || ok
				judged = judged && known
			}
			switch {
			case !judged:
				problems = append(problems, fmt.Sprintf("%s: %s is not in internal/iamref's IAM action data, so it cannot be judged; add its service's resource types", st, a))
			case !applies && len(resources) > 0:
				problems = append(problems, fmt.Sprintf("%s: %s can never apply to %s (a dead grant: its resource types are %v)", st, a, strings.Join(resources, ", "), resourceTypes(a)))
			}
		}
	}
	if statements == 0 {
		problems = append(problems, "the template has no Allow statement: the check read nothing")
	}
	return fmt.Sprintf("%d Allow statements (%d actions): no dead grant", statements, len(actions)), problems
}

func resourceTypes(action string) []string {
	rts, _ := iamref.ResourceTypes(action)
	if len(rts) == 0 {
		return []string{"none: only Resource \"*\""}
	}
	return rts
}

// hardCodedPartition finds an ARN that names a partition instead of AWS::Partition.
var hardCodedPartition = regexp.MustCompile(`arn:aws(-[a-z-]+)?:`)

// checkPartition: no ARN in the resources or outputs hard-codes a partition (aws, aws-cn,
// aws-us-gov); they use AWS::Partition, so the stack deploys in every partition.
func checkPartition(t *Template) (string, []string) {
	var problems []string
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case string:
			if hardCodedPartition.MatchString(x) {
				problems = append(problems, fmt.Sprintf("%s hard-codes a partition: %q", where, x))
			}
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(where+"."+k, x[k])
			}
		case []any:
			for i, it := range x {
				walk(fmt.Sprintf("%s[%d]", where, i), it)
			}
		}
	}
	for _, id := range sortedIDs(t) {
		walk(id, t.Resources[id].Properties)
	}
	for _, k := range sortedKeys(t.Outputs) {
		walk("output "+k, t.Outputs[k])
	}
	return "no ARN hard-codes a partition (all use AWS::Partition)", problems
}

// eachSchedule runs check on every schedule of the template with its dead-letter queue, and
// joins what they verified and found. A schedule without a dead-letter queue of the stack is a
// problem: a start Step Functions rejects makes no execution, and no alarm would see it.
func (t *Template) eachSchedule(check func(s, queue Resource) (verified string, problems []string)) (string, []string) {
	schedules := t.ofType("AWS::Scheduler::Schedule")
	if len(schedules) == 0 {
		return "no schedule in this template (context schedule unset): nothing to check", nil
	}
	var problems, verified []string
	for _, s := range schedules {
		arn := path(s.Properties, "Target", "DeadLetterConfig", "Arn")
		q, ok := t.Resources[target(arn)]
		if arn == nil || !ok || q.Type != "AWS::SQS::Queue" {
			problems = append(problems, fmt.Sprintf("schedule %s has no dead-letter queue of this stack (Target.DeadLetterConfig): a start Step Functions rejects makes no execution, and no alarm would see it", s.ID))
			continue
		}
		v, p := check(s, q)
		verified, problems = append(verified, v), append(problems, p...)
	}
	return strings.Join(verified, "; "), problems
}

// checkScheduleDeadLetters: every schedule has an encrypted standard SQS dead-letter queue that
// its role may send to (EventBridge Scheduler user guide, "Configuring a schedule's dead-letter
// queue": sqs:SendMessage for the execution role; FIFO queues are not supported).
func checkScheduleDeadLetters(t *Template) (string, []string) {
	return t.eachSchedule(func(s, q Resource) (string, []string) {
		var problems []string
		encryption := ""
		switch {
		case q.Properties["KmsMasterKeyId"] != nil:
			encryption = "KMS"
		case q.Properties["SqsManagedSseEnabled"] == true:
			encryption = "SQS-managed"
		default:
			problems = append(problems, fmt.Sprintf("dead-letter queue %s of schedule %s is not encrypted", q.ID, s.ID))
		}
		if q.Properties["FifoQueue"] == true {
			problems = append(problems, fmt.Sprintf("dead-letter queue %s of schedule %s is a FIFO queue, which Scheduler does not support", q.ID, s.ID))
		}
		role := target(path(s.Properties, "Target", "RoleArn"))
		queueARN := fmt.Sprintf(arnShapes["AWS::SQS::Queue"], q.ID)
		if !slices.ContainsFunc(t.roleStatements(role), func(st statement) bool { return st.allows("sqs:SendMessage") && t.covers(st, queueARN) }) {
			problems = append(problems, fmt.Sprintf("the role %s of schedule %s may not sqs:SendMessage to its dead-letter queue %s", role, s.ID, q.ID))
		}
		return fmt.Sprintf("schedule %s: dead-letter queue %s encrypted (%s), its role may sqs:SendMessage to it", s.ID, q.ID, encryption), problems
	})
}

// metric is one metric an alarm watches.
type metric struct {
	namespace, name string
	dimensions      map[string]any
}

// alarmMetrics returns the metrics of an alarm: its own, or those of its metric math.
func alarmMetrics(a Resource) []metric {
	dims := func(v any) map[string]any {
		out := map[string]any{}
		for _, d := range list(v) {
			if name, ok := path(d, "Name").(string); ok {
				out[name] = path(d, "Value")
			}
		}
		return out
	}
	var out []metric
	if name, ok := a.Properties["MetricName"].(string); ok {
		ns, _ := a.Properties["Namespace"].(string)
		out = append(out, metric{namespace: ns, name: name, dimensions: dims(a.Properties["Dimensions"])})
	}
	for _, m := range list(a.Properties["Metrics"]) {
		stat := path(m, "MetricStat", "Metric")
		if name, ok := path(stat, "MetricName").(string); ok {
			ns, _ := path(stat, "Namespace").(string)
			out = append(out, metric{namespace: ns, name: name, dimensions: dims(path(stat, "Dimensions"))})
		}
	}
	return out
}

// watches returns the alarms with an action that watch a metric for which match is true.
func (t *Template) watches(match func(metric) bool) []string {
	var out []string
	for _, a := range t.ofType("AWS::CloudWatch::Alarm") {
		if len(list(a.Properties["AlarmActions"])) > 0 && slices.ContainsFunc(alarmMetrics(a), match) {
			out = append(out, a.ID)
		}
	}
	return out
}

// checkScheduleAlarms: a schedule's failures alarm: on its dead-letter queue's visible messages,
// and on the Scheduler metric of failed starts that could not be delivered to the queue
// (AWS/Scheduler InvocationsFailedToBeSentToDeadLetterCount, dimension ScheduleGroup; EventBridge
// Scheduler user guide, "Monitoring EventBridge Scheduler with Amazon CloudWatch").
func checkScheduleAlarms(t *Template) (string, []string) {
	return t.eachSchedule(func(s, q Resource) (string, []string) {
		var problems []string
		depth := t.watches(func(m metric) bool {
			return m.namespace == "AWS/SQS" && m.name == "ApproximateNumberOfMessagesVisible" && refersTo(m.dimensions["QueueName"], q.ID)
		})
		if len(depth) == 0 {
			problems = append(problems, fmt.Sprintf("no alarm watches the visible messages of dead-letter queue %s: failed scheduled starts would wait there unseen", q.ID))
		}
		group, err := t.render(s.Properties["GroupName"])
		if s.Properties["GroupName"] == nil || err != nil {
			group = "default"
		}
		lost := t.watches(func(m metric) bool {
			g, err := t.render(m.dimensions["ScheduleGroup"])
			return m.namespace == "AWS/Scheduler" && m.name == "InvocationsFailedToBeSentToDeadLetterCount" && err == nil && g == group
		})
		if len(lost) == 0 {
			problems = append(problems, fmt.Sprintf("no alarm watches AWS/Scheduler InvocationsFailedToBeSentToDeadLetterCount of schedule group %s: a start that cannot reach the dead-letter queue would go unseen", group))
		}
		return fmt.Sprintf("schedule %s: alarms %v on its dead-letter queue and %v on starts it could not deliver there", s.ID, depth, lost), problems
	})
}

// functionRole returns the role of the function whose TASK is task, or "".
func (t *Template) functionRole(task string) string {
	for _, f := range t.ofType("AWS::Lambda::Function") {
		if path(f.Properties, "Environment", "Variables", "TASK") == task {
			return target(f.Properties["Role"])
		}
	}
	return ""
}

// lakeFormationRole returns the role Preflight checks is a data lake administrator: the one its
// function's DZONBOARD_LAKEFORMATION_ROLE_ARN (workflow.EnvLakeFormationRoleARN) names, or "".
func (t *Template) lakeFormationRole() string {
	for _, f := range t.ofType("AWS::Lambda::Function") {
		if path(f.Properties, "Environment", "Variables", "TASK") == workflow.TaskPreflight {
			return target(path(f.Properties, "Environment", "Variables", "DZONBOARD_LAKEFORMATION_ROLE_ARN"))
		}
	}
	return ""
}

// checkDataLakeAdmins: the Custom::DataLakeAdmins resource makes the Lake Formation role a data
// lake administrator (granting with grant option needs one) and the DataZone role a read-only
// administrator (it reads managed tables' metadata and every grant: aws-reference §14), and runs
// the DataLakeAdmins function.
func checkDataLakeAdmins(t *Template) (string, []string) {
	crs := t.ofType(lfadmins.ResourceType)
	if len(crs) != 1 {
		return "", []string{fmt.Sprintf("%d %s resources, want 1", len(crs), lfadmins.ResourceType)}
	}
	cr := crs[0]
	var problems []string
	lf, dz := t.lakeFormationRole(), t.functionRole(workflow.TaskPreflight)
	for _, want := range []struct {
		property, role, what string
	}{
		{lfadmins.AdminsProperty, lf, "the Lake Formation role"},
		{lfadmins.ReadOnlyAdminsProperty, dz, "the DataZone role"},
	} {
		got := list(cr.Properties[want.property])
		if len(got) != 1 || !refersTo(got[0], want.role) {
			problems = append(problems, fmt.Sprintf("%s %s is %v, want only %s (%s)", cr.ID, want.property, got, want.what, want.role))
		}
	}
	if fn := target(cr.Properties["ServiceToken"]); path(t.Resources[fn].Properties, "Environment", "Variables", "TASK") != awsapi.TaskDataLakeAdmins {
		problems = append(problems, fmt.Sprintf("%s is served by %v, not the %s function", cr.ID, cr.Properties["ServiceToken"], awsapi.TaskDataLakeAdmins))
	}
	return fmt.Sprintf("%s makes %s a data lake administrator and %s a read-only administrator", cr.ID, lf, dz), problems
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
