package registry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
)

// A task listed in TaskConfigs calls AWS with its own configuration; the others with Config.
func TestTaskConfigsSelectEachTasksCredentials(t *testing.T) {
	akid := regexp.MustCompile(`Credential=([^/]+)/`)
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if m := akid.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			keys = append(keys, m[1])
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"EntityNotFoundException","Message":"Crawler entry with name c does not exist"}`))
	}))
	defer srv.Close()
	cfg := func(key string) aws.Config {
		return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")}
	}
	handlers := registry.Handlers(registry.Options{
		Config:      cfg("AKIDSHARED"),
		TaskConfigs: map[string]aws.Config{workflow.TaskCrawl: cfg("AKIDCRAWL")},
	})
	tests := []struct {
		task, wantKey string
	}{
		{workflow.TaskCrawl, "AKIDCRAWL"},
		{workflow.TaskTables, "AKIDSHARED"},
	}
	for _, tt := range tests {
		t.Run(tt.task, func(t *testing.T) {
			mu.Lock()
			keys = nil
			mu.Unlock()
			if _, err := handlers[tt.task].Invoke(context.Background(), []byte(`{"plan":{"crawlerName":"c","glueDatabase":"db","tables":["*"]},"poll":{}}`)); err == nil {
				t.Fatal("the fake AWS answers every call with an error; the task succeeded")
			}
			mu.Lock()
			defer mu.Unlock()
			if len(keys) == 0 {
				t.Fatal("the task made no call")
			}
			for _, k := range keys {
				if k != tt.wantKey {
					t.Errorf("%s signed with %s, want %s", tt.task, k, tt.wantKey)
				}
			}
		})
	}
}
