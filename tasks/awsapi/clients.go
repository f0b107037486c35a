package awsapi

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Clients are the SDK clients of one configuration (one role, one region, one endpoint).
type Clients struct {
	Glue          *glue.Client
	LakeFormation *lakeformation.Client
	DataZone      *datazone.Client
	STS           *sts.Client
	S3            *s3.Client // the workflow's documents in the state bucket (StateObjects)
	cfg           aws.Config
}

// NewClients builds every client from cfg (cfg.BaseEndpoint points them at the sandbox).
func NewClients(cfg aws.Config) *Clients {
	return &Clients{
		Glue:          glue.NewFromConfig(cfg),
		LakeFormation: lakeformation.NewFromConfig(cfg),
		DataZone:      datazone.NewFromConfig(cfg),
		STS:           sts.NewFromConfig(cfg),
		S3:            newS3(cfg),
		cfg:           cfg,
	}
}

// newS3 is the S3 client of cfg. A custom endpoint (cfg.BaseEndpoint: the sandbox) serves buckets
// by path (http://host/bucket/key): virtual-hosted addressing would put the bucket in the host
// name, which only AWS's own endpoints resolve.
func newS3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil
	})
}

// AthenaAs returns an Athena client that acts with the given credentials (an environment's user
// role) instead of the task's own role.
func (c *Clients) AthenaAs(creds aws.Credentials) *athena.Client {
	cfg := c.cfg.Copy()
	cfg.Credentials = aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: creds})
	return athena.NewFromConfig(cfg)
}
