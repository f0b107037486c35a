package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/dzonboard/dzonboard/tasks/registry"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	programName = "dzonboard"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command: it parses args, runs one subcommand and returns the exit status.
// SIGINT and SIGTERM cancel the command's context.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return newApp(stdin, stdout, stderr).run(ctx, args)
}

// app holds the command's streams and the seams tests replace.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// handlers builds the task handlers for their AWS configurations and clock (tasks/registry).
	handlers func(opt registry.Options) map[string]lambda.Handler
	// newSFN builds the Step Functions client of start and follow.
	newSFN func(ctx context.Context) (sfnAPI, error)
	// newS3 builds the S3 client of follow --report.
	newS3 func(ctx context.Context) (reportAPI, error)
	// sleep waits between polls of follow.
	sleep func(ctx context.Context, d time.Duration) error
	// pollInterval is how often follow polls.
	pollInterval time.Duration
	// isTTY reports whether progress goes to a terminal.
	isTTY func(w io.Writer) bool
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{
		stdin: stdin, stdout: stdout, stderr: stderr,
		handlers:     registry.Handlers,
		newSFN:       newSFNClient,
		newS3:        newS3Client,
		sleep:        smithytime.SleepWithContext,
		pollInterval: 5 * time.Second,
		isTTY:        isTerminal,
	}
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(a *app, ctx context.Context, args []string) int
}

func commands() []command {
	return []command{
		{"run-local", "run the workflow on the local sandbox (no AWS account)", (*app).runLocal},
		{"validate", "check an execution input offline", (*app).validate},
		{"graph", "print the workflow as a Mermaid flowchart", (*app).graph},
		{"sandbox", "serve the local sandbox on loopback (`sandbox serve`)", (*app).sandbox},
		{"start", "start an execution of the deployed state machine in AWS", (*app).start},
		{"follow", "follow an execution in AWS until it ends", (*app).follow},
	}
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		a.usage(a.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(a, ctx, args[1:])
		}
	}
	fmt.Fprintf(a.stderr, "%s: unknown command %q\n\n", programName, args[0])
	a.usage(a.stderr)
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s <command> [flags]\n\ncommands:\n", programName)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s  %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun %s <command> -h for the flags of a command.\n", programName)
}

// flagSet is a FlagSet for one subcommand whose usage text shows the synopsis and description.
func (a *app) flagSet(name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(programName+" "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s %s\n\n%s\n", programName, synopsis, description)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(fs.Output(), "\nflags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses a subcommand's flags; ok is false with the exit status when the command should
// stop (-h: 0; anything wrong: 2). required names flags that must be set.
func (a *app) parse(fs *flag.FlagSet, args []string, required ...string) (status int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		return a.usageError(fs, "unexpected argument %q", fs.Arg(0)), false
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var missing []string
	for _, name := range required {
		if !set[name] {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return a.usageError(fs, "missing %s", strings.Join(missing, ", ")), false
	}
	return exitOK, true
}

// usageError prints a usage problem and the command's usage; it returns exitUsage.
func (a *app) usageError(fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "%s: %s\n\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return exitUsage
}

// errorf prints an error of a command and returns status.
func (a *app) errorf(status int, cmd, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "%s %s: %s\n", programName, cmd, fmt.Sprintf(format, args...))
	return status
}

// isTerminal reports whether w is a terminal (a character device that is not TERM=dumb).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
