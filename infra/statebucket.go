package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// stateExpiryDays is how long the state bucket keeps an object: an execution lasts at most six
// hours and its report is in the execution output's reportUri, so a month covers reading it.
const stateExpiryDays = 30

// stateBucket creates the bucket of the workflow's documents: the per-table lists each task
// writes (the Step Functions state carries only a pointer to them) and the full reports. It is
// encrypted (SSE-S3), refuses requests without TLS 1.2, blocks all public access, enforces bucket
// ownership (no ACLs) and expires every object after stateExpiryDays. It is retained when the
// stack is deleted, like every bucket CDK creates by default; its objects expire by themselves.
func (b *stackBuilder) stateBucket() awss3.Bucket {
	bucket := awss3.NewBucket(b.stack, jsii.String("StateBucket"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire-workflow-documents"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(stateExpiryDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(bucket, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-S1"),
		Reason: jsii.String("The bucket holds only the workflow's own short-lived documents (table lists and reports, written and read by the task roles, expiring after 30 days); " +
			"server access logs would need a second bucket to audit a few hundred writes per execution. Turn on CloudTrail S3 data events for it when an audit needs them."),
	}}, jsii.Bool(true))
	return bucket
}
