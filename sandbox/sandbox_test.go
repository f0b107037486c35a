package sandbox_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/sandbox"
)

func TestGetCallerIdentity(t *testing.T) {
	c := start(t, "not-member", withIdentity("AKIDADMIN", adminRole))
	akid, secret, token, _ := c.sb.MintCredentials(salesUser, time.Hour)
	expired, esecret, etoken, _ := c.sb.MintCredentials(salesUser, time.Minute)
	c.sb.Advance(2 * time.Minute)
	tests := []struct {
		name     string
		as       clients
		wantARN  string
		wantErr  bool
		wantCode string
	}{
		{name: "unknown key acts as the default identity", as: c,
			wantARN: "arn:aws:sts::123456789012:assumed-role/dzonboard-workflow/dzonboard"},
		{name: "world identity", as: c.as("AKIDADMIN", "s", ""), wantARN: "arn:aws:sts::123456789012:assumed-role/Admin/dzonboard"},
		{name: "minted credentials", as: c.as(akid, secret, token),
			wantARN: "arn:aws:sts::123456789012:assumed-role/datazone_usr_role_b3n7k2q9x1m4zd_c8m2v7k4q1x9tn/dzonboard"},
		{name: "expired credentials", as: c.as(expired, esecret, etoken), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.as.sts.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if wantErrCase[*ststypes.ExpiredTokenException](t, err, tt.wantErr) {
				return
			}
			if aws.ToString(out.Arn) != tt.wantARN || aws.ToString(out.Account) != account || !strings.HasPrefix(aws.ToString(out.UserId), "AROA") {
				t.Errorf("identity = %s %s %s, want %s in %s", aws.ToString(out.Arn), aws.ToString(out.Account), aws.ToString(out.UserId), tt.wantARN, account)
			}
		})
	}
	t.Run("expired credentials on another service", func(t *testing.T) {
		_, err := c.as(expired, esecret, etoken).glue.GetCrawler(t.Context(), &glue.GetCrawlerInput{Name: aws.String(crawlerName)})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredTokenException" {
			t.Fatalf("err = %v, want ExpiredTokenException", err)
		}
	})
}

func TestUnknownOperations(t *testing.T) {
	c := start(t, "default")
	tests := []struct {
		name string
		call func() error
		op   string
	}{
		{name: "glue", op: "CreateTable", call: func() error {
			_, err := c.glue.CreateTable(t.Context(), &glue.CreateTableInput{DatabaseName: aws.String(salesDB), TableInput: &gluetypes.TableInput{Name: aws.String("x")}})
			return err
		}},
		{name: "athena", op: "ListDataCatalogs", call: func() error {
			_, err := c.ath.ListDataCatalogs(t.Context(), &athena.ListDataCatalogsInput{})
			return err
		}},
		{name: "lake formation", op: "/GetEffectivePermissionsForPath", call: func() error {
			_, err := c.lf.GetEffectivePermissionsForPath(t.Context(), &lakeformation.GetEffectivePermissionsForPathInput{ResourceArn: aws.String(locationARN)})
			return err
		}},
		{name: "sts", op: "GetSessionToken", call: func() error {
			_, err := c.sts.GetSessionToken(t.Context(), &sts.GetSessionTokenInput{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae smithy.APIError
			err := tt.call()
			if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownOperationException" || !strings.Contains(ae.ErrorMessage(), tt.op) {
				t.Fatalf("err = %v, want UnknownOperationException naming %s", err, tt.op)
			}
		})
	}
}

func TestRawUnknownTarget(t *testing.T) {
	sb, err := sandbox.New(sandboxtest.World(t, "default"), sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sb.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tests := []struct {
		name, target string
		wantStatus   int
		wantBody     string
	}{
		{name: "unknown service", target: "AmazonS3.ListBuckets", wantStatus: 400, wantBody: `"__type":"UnknownOperationException"`},
		{name: "unknown glue op", target: "AWSGlue.Nope", wantStatus: 400, wantBody: "Nope"},
		{name: "known op", target: "AWSGlue.GetDatabases", wantStatus: 200, wantBody: `"DatabaseList"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.Endpoint+"/", strings.NewReader("{}"))
			req.Header.Set("X-Amz-Target", tt.target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("%d %s, want %d containing %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	sb, err := sandbox.New(sandboxtest.World(t, "default"), sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr    string
		wantErr bool
	}{
		{addr: "127.0.0.1:0"},
		{addr: "localhost:0"},
		{addr: "0.0.0.0:0", wantErr: true},
		{addr: ":0", wantErr: true},
		{addr: "192.0.2.1:0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			srv, err := sb.Listen(tt.addr)
			if tt.wantErr != (err != nil) {
				t.Fatalf("Listen(%s) err = %v, want error: %v", tt.addr, err, tt.wantErr)
			}
			if err == nil {
				if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") && !strings.HasPrefix(srv.Endpoint, "http://[::1]:") {
					t.Errorf("endpoint %s", srv.Endpoint)
				}
				if err := srv.Close(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestJournal(t *testing.T) {
	c := start(t, "default")
	c.register(t)
	_, dupErr := c.lf.RegisterResource(t.Context(), &lakeformation.RegisterResourceInput{ResourceArn: aws.String(locationARN), UseServiceLinkedRole: aws.Bool(true)})
	if dupErr == nil {
		t.Fatal("second registration succeeded")
	}
	c.crawler(t) // Journal lists no reads (JournalAll does)
	c.crawl(t)
	j := c.sb.Journal()
	want := []struct {
		service, op, err string
		key, value       string
	}{
		{"lakeformation", "RegisterResource", "", "ResourceArn", locationARN},
		{"lakeformation", "RegisterResource", "AlreadyExistsException", "ResourceArn", locationARN},
		{"lakeformation", "GrantPermissions", "", "Principal", crawlerRole},
		{"glue", "StartCrawler", "", "Name", crawlerName},
	}
	if len(j) != len(want) {
		t.Fatalf("journal has %d entries, want %d: %+v", len(j), len(want), j)
	}
	for i, w := range want {
		t.Run(w.op+w.err, func(t *testing.T) {
			e := j[i]
			if e.Seq != i+1 || e.Service != w.service || e.Op != w.op || e.Error != w.err || e.Keys[w.key] != w.value || e.Caller != adminRole {
				t.Errorf("entry %d = %+v, want %s %s error %q %s=%s by %s", i, e, w.service, w.op, w.err, w.key, w.value, adminRole)
			}
		})
	}
	j[0].Keys["ResourceArn"] = "changed"
	if c.sb.Journal()[0].Keys["ResourceArn"] != locationARN {
		t.Error("Journal returned shared key maps")
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		name    string
		spec    string
		want    string // rules joined by String()
		wantErr bool
	}{
		{name: "brief example", spec: "datazone:AcceptSubscriptionRequest=throttle@0.3,glue:*=5xx@0.1,athena:*=latency@1:200ms",
			want: "datazone:AcceptSubscriptionRequest=throttle@0.3,glue:*=5xx@0.1,athena:*=latency@1:200ms"},
		{name: "empty", spec: "", want: ""},
		{name: "spaces and trailing comma", spec: " glue:GetCrawler=throttle@1 , ", want: "glue:GetCrawler=throttle@1"},
		{name: "unknown kind", spec: "glue:*=explode@1", wantErr: true},
		{name: "rate above one", spec: "glue:*=5xx@2", wantErr: true},
		{name: "latency without duration", spec: "glue:*=latency@1", wantErr: true},
		{name: "no op", spec: "glue=5xx@1", wantErr: true},
		{name: "lost and notfound", spec: "datazone:CreateSubscriptionRequest=lost@0.5,datazone:GetListing=notfound@1:10s",
			want: "datazone:CreateSubscriptionRequest=lost@0.5,datazone:GetListing=notfound@1:10s"},
		{name: "notfound without a window", spec: "datazone:GetListing=notfound@1", wantErr: true},
		{name: "notfound with an empty window", spec: "datazone:GetListing=notfound@1:0s", wantErr: true},
		{name: "lost takes no duration", spec: "datazone:*=lost@1:10s", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := sandbox.ParseFaults(tt.spec)
			if tt.wantErr != (err != nil) {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			var parts []string
			for _, r := range rules {
				parts = append(parts, r.String())
			}
			if got := strings.Join(parts, ","); got != tt.want {
				t.Errorf("rules = %s, want %s", got, tt.want)
			}
		})
	}
}

// startWithFaults serves the default world with fault rules and the given SDK retry attempts.
func startWithFaults(t *testing.T, spec string, seed int64, attempts int) clients {
	t.Helper()
	rules, err := sandbox.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, "default"), sandbox.Options{Faults: rules, Seed: seed})
	cfg.RetryMaxAttempts = attempts
	return newClients(sb, cfg)
}

func TestFaultErrorsPerService(t *testing.T) {
	tests := []struct {
		name   string
		spec   string
		call   func(c clients) error
		target any
		code   string // error code, when target is a smithy.APIError
	}{
		{name: "glue throttle", spec: "glue:*=throttle@1", target: new(*gluetypes.ThrottlingException),
			call: func(c clients) error {
				_, err := c.glue.GetCrawler(t.Context(), &glue.GetCrawlerInput{Name: aws.String(crawlerName)})
				return err
			}},
		{name: "glue 5xx", spec: "glue:*=5xx@1", target: new(*gluetypes.InternalServiceException),
			call: func(c clients) error {
				_, err := c.glue.GetCrawler(t.Context(), &glue.GetCrawlerInput{Name: aws.String(crawlerName)})
				return err
			}},
		// Only three Lake Formation operations model ThrottledException; elsewhere it is a generic
		// API error with that code (which the SDK's retryer still treats as throttling).
		{name: "lake formation throttle", spec: "lakeformation:DescribeResource=throttle@1", target: new(smithy.APIError), code: "ThrottledException",
			call: func(c clients) error {
				_, err := c.lf.DescribeResource(t.Context(), &lakeformation.DescribeResourceInput{ResourceArn: aws.String(locationARN)})
				return err
			}},
		{name: "lake formation 5xx", spec: "lakeformation:*=5xx@1", target: new(*lftypes.InternalServiceException),
			call: func(c clients) error {
				_, err := c.lf.DescribeResource(t.Context(), &lakeformation.DescribeResourceInput{ResourceArn: aws.String(locationARN)})
				return err
			}},
		{name: "athena throttle", spec: "athena:*=throttle@1", target: new(*athenatypes.TooManyRequestsException),
			call: func(c clients) error {
				_, err := c.ath.GetWorkGroup(t.Context(), &athena.GetWorkGroupInput{WorkGroup: aws.String(salesWG)})
				return err
			}},
		{name: "athena 5xx", spec: "athena:*=5xx@1", target: new(*athenatypes.InternalServerException),
			call: func(c clients) error {
				_, err := c.ath.GetWorkGroup(t.Context(), &athena.GetWorkGroupInput{WorkGroup: aws.String(salesWG)})
				return err
			}},
		{name: "sts throttle", spec: "sts:*=throttle@1", target: new(smithy.APIError), code: "Throttling",
			call: func(c clients) error {
				_, err := c.sts.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startWithFaults(t, tt.spec, 1, 1)
			err := tt.call(c)
			if !errors.As(err, tt.target) {
				t.Fatalf("err = %v, want %T", err, tt.target)
			}
			if ae, ok := tt.target.(*smithy.APIError); ok && (*ae).ErrorCode() != tt.code {
				t.Fatalf("code = %s, want %s", (*ae).ErrorCode(), tt.code)
			}
		})
	}
}

func TestFaultedCallChangesNothingAndIsRetried(t *testing.T) {
	c := startWithFaults(t, "glue:StartCrawler=5xx@1", 1, 3)
	c.grant(t, crawlerRole, dbResource(salesDB), []lftypes.Permission{lftypes.PermissionCreateTable})
	_, err := c.glue.StartCrawler(t.Context(), &glue.StartCrawlerInput{Name: aws.String(crawlerName)})
	var ise *gluetypes.InternalServiceException
	if !errors.As(err, &ise) {
		t.Fatalf("err = %v, want InternalServiceException", err)
	}
	c.sb.Advance(time.Hour)
	if cr := c.crawler(t); cr.LastCrawl != nil {
		t.Errorf("a faulted StartCrawler started a crawl: %+v", cr.LastCrawl)
	}
	var starts int
	for _, e := range c.sb.Journal() {
		if e.Op == "StartCrawler" {
			starts++
			if e.Error != "InternalServiceException" {
				t.Errorf("journal entry %+v, want Error InternalServiceException", e)
			}
		}
	}
	if starts != 3 {
		t.Errorf("%d StartCrawler attempts journalled, want 3 (the SDK retries 5xx)", starts)
	}
}

// faultPattern makes n calls without retries and returns which ones were throttled.
func faultPattern(t *testing.T, seed int64, n int, interleave bool) string {
	c := startWithFaults(t, "glue:GetCrawler=throttle@0.5,athena:*=throttle@0.5", seed, 1)
	var b strings.Builder
	for range n {
		if interleave {
			_, _ = c.ath.GetWorkGroup(t.Context(), &athena.GetWorkGroupInput{WorkGroup: aws.String(salesWG)})
		}
		_, err := c.glue.GetCrawler(t.Context(), &glue.GetCrawlerInput{Name: aws.String(crawlerName)})
		var te *gluetypes.ThrottlingException
		switch {
		case errors.As(err, &te):
			b.WriteByte('T')
		case err == nil:
			b.WriteByte('.')
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	return b.String()
}

func TestFaultsAreDeterministic(t *testing.T) {
	base := faultPattern(t, 7, 40, false)
	tests := []struct {
		name       string
		seed       int64
		interleave bool
		wantSame   bool
	}{
		{name: "same seed", seed: 7, wantSame: true},
		{name: "same seed, other calls interleaved", seed: 7, interleave: true, wantSame: true},
		{name: "other seed", seed: 8, wantSame: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := faultPattern(t, tt.seed, 40, tt.interleave)
			if (got == base) != tt.wantSame {
				t.Errorf("pattern %s vs %s, want same: %v", got, base, tt.wantSame)
			}
		})
	}
	if n := strings.Count(base, "T"); n < 8 || n > 32 {
		t.Errorf("%d of 40 calls throttled at rate 0.5", n)
	}
}

func TestLatencyFault(t *testing.T) {
	c := startWithFaults(t, "athena:GetWorkGroup=latency@1:30ms", 1, 1)
	tests := []struct {
		name    string
		call    func() error
		minTime time.Duration
	}{
		{name: "delayed op", minTime: 30 * time.Millisecond, call: func() error {
			_, err := c.ath.GetWorkGroup(t.Context(), &athena.GetWorkGroupInput{WorkGroup: aws.String(salesWG)})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			begin := time.Now()
			if err := tt.call(); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(begin); d < tt.minTime {
				t.Errorf("call took %v, want at least %v", d, tt.minTime)
			}
		})
	}
}

func TestVirtualClock(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	sb, err := sandbox.New(sandboxtest.World(t, "default"), sandbox.Options{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		advance time.Duration
		want    time.Time
	}{
		{name: "start", want: start},
		{name: "advance", advance: 90 * time.Second, want: start.Add(90 * time.Second)},
		{name: "negative advance is ignored", advance: -time.Hour, want: start.Add(90 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb.Advance(tt.advance)
			if got := sb.Now(); !got.Equal(tt.want) {
				t.Errorf("Now = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("real time", func(t *testing.T) {
		before := sb.Now()
		sb.RunRealTime(1e6) // one real microsecond is a virtual second
		deadline := time.Now().Add(time.Second)
		for !sb.Now().After(before.Add(time.Second)) {
			if time.Now().After(deadline) {
				t.Fatal("the clock did not follow wall time")
			}
		}
	})
}

func TestDefaultStart(t *testing.T) {
	sb, err := sandbox.New(sandboxtest.World(t, "default"), sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sb.Now(), time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
}

func TestExampleWorlds(t *testing.T) {
	tests := []struct {
		name         string
		wantIdentity string
		wantDBs      int // Glue databases an administrator sees: default, acme_sales and two per environment
		wantLag      time.Duration
	}{
		{name: "default", wantIdentity: adminRole, wantDBs: 6},
		{name: "not-member", wantIdentity: workflowRole, wantDBs: 6},
		{name: "iam-allowed", wantIdentity: adminRole, wantDBs: 6},
		{name: "other-workgroup-key", wantIdentity: adminRole, wantDBs: 6},
		{name: "crawler-fails", wantIdentity: adminRole, wantDBs: 6},
		{name: "auto-approve", wantIdentity: adminRole, wantDBs: 6},
		{name: "registered", wantIdentity: adminRole, wantDBs: 6},
		{name: "slow-grants", wantIdentity: adminRole, wantDBs: 6, wantLag: 40 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sandboxtest.World(t, tt.name)
			if w.DefaultIdentity != tt.wantIdentity {
				t.Errorf("defaultIdentity = %s, want %s", w.DefaultIdentity, tt.wantIdentity)
			}
			if dir := w.BucketDir("acme-sales-data"); !strings.HasSuffix(dir, "examples/data/acme-sales-data") {
				t.Errorf("bucket dir = %s", dir)
			}
			if lag := w.Durations.GrantPropagation.Duration; lag != tt.wantLag {
				t.Errorf("grantPropagation = %v, want %v", lag, tt.wantLag)
			}
			c := start(t, tt.name, withIdentity("AKIDADMIN", adminRole)).as("AKIDADMIN", "secret", "")
			out, err := c.glue.GetDatabases(t.Context(), &glue.GetDatabasesInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.DatabaseList) != tt.wantDBs {
				t.Errorf("%d databases, want %d", len(out.DatabaseList), tt.wantDBs)
			}
		})
	}
}
