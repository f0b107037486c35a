package crawl

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
)

// maxCrawlPages bounds the ListCrawls pages read: the crawls that matter are the latest ones.
const maxCrawlPages = 5

// listCrawls returns the crawler's recent crawls. The SDK has no paginator for ListCrawls, so
// this follows NextToken itself, for at most maxCrawlPages pages of 100.
func listCrawls(ctx context.Context, g awsapi.CrawlerAPI, name string) ([]gluetypes.CrawlerHistory, error) {
	var all []gluetypes.CrawlerHistory
	in := &glue.ListCrawlsInput{CrawlerName: aws.String(name), MaxResults: aws.Int32(100)}
	for page := 0; page < maxCrawlPages; page++ {
		out, err := g.ListCrawls(ctx, in)
		if err != nil {
			return nil, err
		}
		all = append(all, out.Crawls...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return all, nil
}

// newest returns the crawl with the latest StartTime, among those in state when state is not
// empty; nil when there is none.
func newest(crawls []gluetypes.CrawlerHistory, state gluetypes.CrawlerHistoryState) *gluetypes.CrawlerHistory {
	var best *gluetypes.CrawlerHistory
	for i := range crawls {
		c := &crawls[i]
		if state != "" && c.State != state {
			continue
		}
		if best == nil || aws.ToTime(c.StartTime).After(aws.ToTime(best.StartTime)) {
			best = c
		}
	}
	return best
}
