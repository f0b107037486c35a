package local

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// driverScript is driver.mjs: it drives aws-local-stepfunctions' JS API for one execution.
//
//go:embed driver.mjs
var driverScript []byte

const engineModule = "aws-local-stepfunctions"

// findNodeModules returns the node_modules directory holding aws-local-stepfunctions: the given
// one, or the node_modules beside the nearest package.json above the working directory.
func findNodeModules(dir string) (string, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("find node_modules: %w", err)
		}
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
				dir = filepath.Join(d, "node_modules")
				break
			}
			if filepath.Dir(d) == d {
				return "", fmt.Errorf("find node_modules: no package.json in %s or above: run from the repository or set Options.NodeModules", wd)
			}
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find node_modules %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(abs, engineModule, "package.json")); err != nil {
		return "", fmt.Errorf("%s is not installed in %s: run `npm ci` in %s", engineModule, abs, filepath.Dir(abs))
	}
	return abs, nil
}

// driver is one running node process of driver.mjs.
type driver struct {
	cmd    *exec.Cmd
	dir    string
	stdin  io.WriteCloser
	lines  chan []byte
	stderr *tail

	once    sync.Once
	waitErr error
}

// startDriver writes the driver script to a temporary directory and starts node on it.
func startDriver(ctx context.Context, nodeModules string) (*driver, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("start node: %w (install Node.js 20 or later)", err)
	}
	dir, err := os.MkdirTemp("", "dzonboard-local-")
	if err != nil {
		return nil, fmt.Errorf("start node: %w", err)
	}
	script := filepath.Join(dir, "driver.mjs")
	if err := os.WriteFile(script, driverScript, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start node: write driver: %w", err)
	}
	d := &driver{dir: dir, lines: make(chan []byte, 256), stderr: &tail{max: 16 << 10}}
	d.cmd = exec.CommandContext(ctx, node, script, nodeModules)
	d.cmd.Dir = dir
	d.cmd.Stderr = d.stderr
	d.stdin, err = d.cmd.StdinPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start node: %w", err)
	}
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start node: %w", err)
	}
	if err := d.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start node: %w", err)
	}
	go d.read(stdout)
	return d, nil
}

// read forwards every stdout line until EOF, always draining the pipe so node never blocks.
func (d *driver) read(r io.Reader) {
	defer close(d.lines)
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			d.lines <- line
		}
		if err != nil {
			return
		}
	}
}

// send writes one message line to node.
func (d *driver) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode driver message: %w", err)
	}
	if _, err := d.stdin.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write to node: %w", err)
	}
	return nil
}

// next returns the next message line; false once node's stdout has closed.
func (d *driver) next() ([]byte, bool) {
	line, ok := <-d.lines
	return line, ok
}

// finish closes node's stdin, kills node when asked (it exits by itself after its last message;
// an early stop must not wait for an execution nobody answers), drains its output and waits for
// it, once.
func (d *driver) finish(kill bool) error {
	d.once.Do(func() {
		d.stdin.Close()
		if kill {
			_ = d.cmd.Process.Kill()
		}
		for range d.lines { // drain, so the reader goroutine ends
		}
		d.waitErr = d.cmd.Wait()
	})
	return d.waitErr
}

// close ends node and removes the script.
func (d *driver) close() {
	_ = d.finish(true)
	os.RemoveAll(d.dir)
}

// failure describes why node stopped early (its stdout ended or its stdin broke), with the tail
// of its stderr.
func (d *driver) failure() error {
	err := d.finish(false)
	msg := strings.TrimSpace(d.stderr.String())
	switch {
	case msg != "" && err != nil:
		return fmt.Errorf("node stopped before the execution ended (%v): %s", err, msg)
	case msg != "":
		return fmt.Errorf("node stopped before the execution ended: %s", msg)
	case err != nil:
		return fmt.Errorf("node stopped before the execution ended: %w", err)
	}
	return errors.New("node stopped before the execution ended")
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
