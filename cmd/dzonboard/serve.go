package main

import (
	"context"
	"fmt"
	"net"
)

// sandbox runs `sandbox serve`, the only sandbox subcommand.
func (a *app) sandbox(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] != "serve" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintf(a.stdout, "usage: %s sandbox serve [flags]\n", programName)
			return exitOK
		}
		fmt.Fprintf(a.stderr, "usage: %s sandbox serve [flags]\n", programName)
		return exitUsage
	}
	return a.serve(ctx, args[1:])
}

// serve serves the sandbox on a loopback address until ctx ends (SIGINT or SIGTERM), with the
// clock running in real time (or --speed times faster).
func (a *app) serve(ctx context.Context, args []string) int {
	fs := a.flagSet("sandbox serve", "sandbox serve [--addr 127.0.0.1:0] [--world FILE] [--faults SPEC] [--seed N] [--speed N]",
		"Serves the local sandbox (Glue, Lake Formation, DataZone, Athena, STS) on a loopback address and\n"+
			"prints one line, `endpoint http://127.0.0.1:PORT`, to stdout once it is ready. Point any SDK or\n"+
			"the AWS CLI at it with AWS_ENDPOINT_URL=<endpoint>, region us-east-1 and any static\n"+
			"credentials. The clock runs in real time, or --speed times faster. Stop it with Ctrl-C.")
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free port)")
	var sf sandboxFlags
	fs.StringVar(&sf.world, "world", defaultWorld, "sandbox world `file`")
	fs.StringVar(&sf.faults, "faults", "", "inject faults, e.g. `athena:*=latency@1:200ms`")
	fs.Int64Var(&sf.seed, "seed", 0, "seed of generated IDs and fault decisions")
	speed := fs.Float64("speed", 1, "how many times faster than real time the sandbox's clock runs")
	if status, ok := a.parse(fs, args); !ok {
		return status
	}
	if err := checkLoopback(*addr); err != nil {
		return a.usageError(fs, "%v", err)
	}
	if *speed <= 0 {
		return a.usageError(fs, "--speed must be positive")
	}
	sb, err := newSandbox(sf)
	if err != nil {
		return a.errorf(exitUsage, "sandbox serve", "%v", err)
	}
	sb.RunRealTime(*speed)
	srv, err := sb.Listen(*addr)
	if err != nil {
		return a.errorf(exitFailed, "sandbox serve", "%v", err)
	}
	fmt.Fprintf(a.stdout, "endpoint %s\n", srv.Endpoint)
	fmt.Fprintf(a.stderr, "sandbox serving %s at %s (clock x%g); stop with Ctrl-C\n", sf.world, srv.Endpoint, *speed)
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return a.errorf(exitFailed, "sandbox serve", "%v", err)
	}
	return exitOK
}

// checkLoopback refuses any address that is not on a loopback interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--addr %s: the sandbox listens on loopback addresses only (127.0.0.1, ::1)", addr)
	}
	return nil
}
