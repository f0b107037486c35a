package pace

import (
	"context"
	"time"
)

// Quota is the documented rate quota of one AWS operation.
type Quota struct {
	// PerSecond is how many calls a second the account may make.
	PerSecond float64
	// Source is where the number comes from.
	Source string
}

// Quotas are the rate quotas of the rate-limited operations the tasks call in a loop over
// tables, by IAM action. The tasks pace these calls at the quota, so that a thousand tables cost
// time but no throttling; the SDK's retryer and the state machine's Retry handle the rest.
var Quotas = map[string]Quota{
	"datazone:AcceptSubscriptionRequest": {3, "Amazon DataZone User Guide, Quotas for Amazon DataZone, API rate limits: AcceptSubscriptionRequest 3 TPS"},
	// The quota page lists the subscription APIs together (AcceptSubscriptionRequest 3 TPS,
	// CancelSubscription 3 TPS, CreateSub...): the copies we could read end there.
	"datazone:CreateSubscriptionRequest": {3, "UNCONFIRMED: same page, the subscription APIs' 3 TPS; the value of this row was not readable"},
	"datazone:CreateSubscriptionGrant":   {3, "UNCONFIRMED: same page, the subscription APIs' 3 TPS; the value of this row was not readable"},
	"athena:StartQueryExecution":         {20, "Athena Service Quotas, Per account API call quotas: StartQueryExecution 20 calls per second (default, adjustable; quoted on AWS re:Post)"},
}

// For returns a limiter that spaces calls of an operation of Quotas (an IAM action) at its quota,
// sleeping with sleep; nil (no pacing) for an operation without a quota.
func For(op string, sleep func(ctx context.Context, d time.Duration) error) *Limiter {
	q, ok := Quotas[op]
	if !ok || q.PerSecond <= 0 {
		return nil
	}
	return New(time.Duration(float64(time.Second)/q.PerSecond), sleep)
}
