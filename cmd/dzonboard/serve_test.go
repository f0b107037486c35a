package main

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestSandboxServe(t *testing.T) {
	stdout, w := io.Pipe()
	var stderr strings.Builder
	a := newApp(nil, w, &stderr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- a.run(ctx, []string{"sandbox", "serve", "--world", repo + "examples/sandbox-world.json", "--speed", "10"})
		w.Close()
	}()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read endpoint line: %v (stderr: %s)", err, stderr.String())
	}
	m := regexp.MustCompile(`^endpoint (http://127\.0\.0\.1:[0-9]+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first stdout line = %q, want endpoint http://127.0.0.1:PORT", line)
	}
	out, err := sts.NewFromConfig(sandboxConfig(m[1])).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got := aws.ToString(out.Account); got != "123456789012" {
		t.Errorf("Account = %q, want the world's account 123456789012", got)
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d after stop, want 0 (stderr: %s)", code, stderr.String())
	}
	if rest, _ := io.ReadAll(stdout); len(rest) != 0 {
		t.Errorf("more than one stdout line: %q", rest)
	}
	if _, err := sts.NewFromConfig(sandboxConfig(m[1])).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Errorf("the sandbox still answers after stop")
	}
}

func TestSandboxServeRefuses(t *testing.T) {
	world := repo + "examples/sandbox-world.json"
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"all interfaces", []string{"--addr", "0.0.0.0:0", "--world", world}, "loopback addresses only"},
		{"another host", []string{"--addr", "10.1.2.3:8080", "--world", world}, "loopback addresses only"},
		{"no port", []string{"--addr", "127.0.0.1", "--world", world}, "missing port"},
		{"a world that is not there", []string{"--world", "nowhere/world.json"}, "world file nowhere/world.json not found: run from the repository root or pass --world"},
		{"bad faults", []string{"--world", world, "--faults", "glue"}, "--faults"},
		{"no speed", []string{"--world", world, "--speed", "0"}, "--speed must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runApp(t, nil, "", append([]string{"sandbox", "serve"}, tt.args...)...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d", r.code, exitUsage)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.wantErr)
			}
		})
	}
}
