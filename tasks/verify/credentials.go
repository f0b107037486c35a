package verify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// athena returns the Athena client acting as the target environment's user role. The
// credentials stay inside the client: nothing else keeps them.
func (tk *tick) athena(ctx context.Context, tg workflow.Target) (awsapi.VerifyAthena, error) {
	if c, ok := tk.clients[tg.EnvironmentID]; ok {
		return c, nil
	}
	out, err := tk.d.DataZone.GetEnvironmentCredentials(ctx, &datazone.GetEnvironmentCredentialsInput{
		DomainIdentifier:      aws.String(tk.w.Plan.DomainID),
		EnvironmentIdentifier: aws.String(tg.EnvironmentID),
	})
	if err != nil {
		return nil, awsapi.Classify("get the credentials of environment "+tg.EnvironmentID, err)
	}
	creds := aws.Credentials{
		AccessKeyID:     aws.ToString(out.AccessKeyId),
		SecretAccessKey: aws.ToString(out.SecretAccessKey),
		SessionToken:    aws.ToString(out.SessionToken),
		Source:          "DataZoneGetEnvironmentCredentials",
	}
	if out.Expiration != nil {
		creds.CanExpire, creds.Expires = true, *out.Expiration
	}
	c := tk.d.Athena(creds)
	tk.clients[tg.EnvironmentID] = c
	return c, nil
}
