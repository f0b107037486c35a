// Package sandboxtest starts a sandbox for a test and hands back an aws.Config whose SDK clients
// reach it: the way every test of the project gets its AWS account.
//
//	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{})
//	out, err := glue.NewFromConfig(cfg).GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String("acme-sales-orders")})
//	sb.Advance(2 * time.Minute) // virtual time: asynchronous work completes
package sandboxtest
