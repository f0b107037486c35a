package infra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestConfigFromContext(t *testing.T) {
	tests := []struct {
		name    string
		ctx     map[string]interface{}
		want    Config
		wantErr string
	}{
		{
			name: "defaults",
			want: Config{CrawlerNames: []string{"*"}, ScheduleTimezone: "UTC"},
		},
		{
			name: "cdk.json lists",
			ctx: map[string]interface{}{
				CtxDomainID: "dzd_abc", CtxConsumerProjectIDs: []interface{}{"p1", "p2", "p1"},
				CtxCrawlerNames: []interface{}{"c1"}, CtxGlueDatabases: []interface{}{"db1", ""},
			},
			want: Config{DomainID: "dzd_abc", ConsumerProjectIDs: []string{"p1", "p2"}, CrawlerNames: []string{"c1"},
				GlueDatabases: []string{"db1"}, ScheduleTimezone: "UTC"},
		},
		{
			name: "-c comma-separated and JSON strings",
			ctx: map[string]interface{}{
				CtxConsumerProjectIDs: "p1, p2", CtxCrawlerNames: `["c1","c2"]`, CtxGlueDatabases: "*",
				CtxScheduleTimezone: "Asia/Tokyo",
			},
			want: Config{ConsumerProjectIDs: []string{"p1", "p2"}, CrawlerNames: []string{"c1", "c2"}, ScheduleTimezone: "Asia/Tokyo"},
		},
		{
			name: "a * among crawler names means any",
			ctx:  map[string]interface{}{CtxCrawlerNames: []interface{}{"c1", "*"}},
			want: Config{CrawlerNames: []string{"*"}, ScheduleTimezone: "UTC"},
		},
		{
			name: "memberships made by hand",
			ctx: map[string]interface{}{
				CtxDomainID: "dzd_abc", CtxProducerProjectID: "p0", CtxConsumerProjectIDs: "p1,p2", CtxExistingMemberships: "p2",
			},
			want: Config{DomainID: "dzd_abc", ProducerProjectID: "p0", ConsumerProjectIDs: []string{"p1", "p2"},
				ExistingMemberships: []string{"p2"}, CrawlerNames: []string{"*"}, ScheduleTimezone: "UTC"},
		},
		{
			name:    "a membership made by hand in a project the stack does not know",
			ctx:     map[string]interface{}{CtxProducerProjectID: "p0", CtxExistingMemberships: []interface{}{"p9"}},
			wantErr: "context existingMembershipProjectIds names project p9, which is neither producerProjectId nor one of consumerProjectIds",
		},
		{name: "a number for a string", ctx: map[string]interface{}{CtxDomainID: 42}, wantErr: "context domainId: want a string"},
		{name: "a list of numbers", ctx: map[string]interface{}{CtxGlueDatabases: []interface{}{1}}, wantErr: "context glueDatabases: 1 is not a string"},
		{name: "broken JSON list", ctx: map[string]interface{}{CtxCrawlerNames: `["c1"`}, wantErr: "is not a JSON list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &tt.ctx})
			got, err := ConfigFromContext(app.Node())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalJSON(got, tt.want) {
				t.Errorf("config %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestScheduleInputMustFitTheStack(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{
  "domainId": "dzd_abc", "projectId": "p1", "environmentId": "e1", "crawlerName": "c1",
  "glueDatabase": "db1", "consumers": [{"projectId": "p2", "environmentId": "e2"}]
}`)
	stack := Config{DomainID: "dzd_abc", ProducerProjectID: "p1", ConsumerProjectIDs: []string{"p2"},
		CrawlerNames: []string{"c1"}, GlueDatabases: []string{"db1"}, ScheduleInputFile: good}
	with := func(f func(*Config)) Config { c := stack; f(&c); return c }
	tests := []struct {
		name    string
		cfg     Config
		want    string
		wantErr string
	}{
		{name: "fits", cfg: stack, want: `{"domainId":"dzd_abc","projectId":"p1","environmentId":"e1","crawlerName":"c1","glueDatabase":"db1","consumers":[{"projectId":"p2","environmentId":"e2"}]}`},
		{name: "fits a stack without scoping", cfg: Config{CrawlerNames: []string{"*"}, ScheduleInputFile: good}},
		{name: "missing file", cfg: with(func(c *Config) { c.ScheduleInputFile = filepath.Join(dir, "none.json") }), wantErr: "read scheduleInputFile"},
		{name: "not an execution input", cfg: with(func(c *Config) { c.ScheduleInputFile = write("bad.json", `{"domainId": "x", "crawler": "c1"}`) }), wantErr: "is not a valid execution input"},
		{name: "another domain", cfg: with(func(c *Config) { c.DomainID = "dzd_other" }), wantErr: `domainId "dzd_abc" is not the stack's domainId "dzd_other"`},
		{name: "a producer the role is no member of", cfg: with(func(c *Config) { c.ProducerProjectID = "p9" }), wantErr: `projectId "p1" is not one of the projects`},
		{name: "a consumer the role is no member of", cfg: with(func(c *Config) { c.ConsumerProjectIDs = nil }), wantErr: `consumer projectId "p2"`},
		{name: "a crawler the role may not run", cfg: with(func(c *Config) { c.CrawlerNames = []string{"c2"} }), wantErr: `crawlerName "c1" is not in the stack's crawlerNames`},
		{name: "a database the roles may not read", cfg: with(func(c *Config) { c.GlueDatabases = []string{"db2"} }), wantErr: `glueDatabase "db1" is not in the stack's glueDatabases`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scheduleInput(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("input %s, want %s", got, tt.want)
			}
		})
	}
}

// TestBadContextFailsTheSynth checks that context mistakes are synth errors, not stacks that
// fail later in the account.
func TestBadContextFailsTheSynth(t *testing.T) {
	stacks(t) // the asset directory
	tests := []struct {
		name    string
		ctx     map[string]interface{}
		wantErr string
	}{
		{name: "a schedule without input", ctx: map[string]interface{}{CtxSchedule: "rate(1 day)"}, wantErr: "context schedule needs scheduleInputFile"},
		{name: "not a schedule expression", ctx: map[string]interface{}{CtxSchedule: "daily", CtxScheduleInputFile: testInput}, wantErr: "is not an EventBridge Scheduler expression"},
		{name: "projects without a domain", ctx: map[string]interface{}{CtxProducerProjectID: testProducer}, wantErr: "needs domainId"},
		{name: "not an e-mail address", ctx: map[string]interface{}{CtxAlarmEmail: "ops"}, wantErr: "is not an e-mail address"},
		{name: "a list for the domain", ctx: map[string]interface{}{CtxDomainID: []interface{}{"dzd_a"}}, wantErr: "context domainId: want a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &tt.ctx})
			stack := NewOnboardingStack(app, "Dzonboard", &OnboardingStackProps{AssetDir: assetDir})
			var msgs []string
			for _, e := range *assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_AnyValue()) {
				msgs = append(msgs, e.Entry.Data.(string))
			}
			if len(msgs) != 1 || !strings.Contains(msgs[0], tt.wantErr) {
				t.Errorf("synth errors %q, want one containing %q", msgs, tt.wantErr)
			}
		})
	}
}
