// Package indigoproc runs `indigo serve` as a child process, for the
// commands that kill it and start it again (cmd/killloop, cmd/soak): a free
// loopback port, its log kept, /healthz awaited, SIGKILL and SIGTERM. It
// imports nothing of ours.
package indigoproc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	healthPoll = 20 * time.Millisecond
	logKeep    = 30 // log lines quoted when a start fails
)

// Options say how to start one `indigo serve`.
type Options struct {
	Bin     string        // the indigo binary
	Env     []string      // its environment; HTTP_ADDR and INDIGO_DATA_DIR are added
	DataDir string        // INDIGO_DATA_DIR
	Timeout time.Duration // from the start until /healthz must answer
	Log     io.Writer     // gets every log line too; nil: none
	OnLine  func(string)  // sees every log line as it comes, e.g. to pick out a field
}

// Process is one running `indigo serve`.
type Process struct {
	Addr    string        // where it listens: 127.0.0.1:port
	Healthz time.Duration // from the start to /healthz answering 200

	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait returned

	mu   sync.Mutex
	tail []string // the last log lines, for errors
}

// Start starts indigo serve on a free loopback port and waits until its
// /healthz answers, at most o.Timeout after the start.
func Start(ctx context.Context, o Options) (*Process, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.Bin, "serve")
	cmd.Env = append(append([]string(nil), o.Env...), "HTTP_ADDR="+addr, "INDIGO_DATA_DIR="+o.DataDir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("pipe indigo's log: %w", err)
	}
	p := &Process{Addr: addr, cmd: cmd, exited: make(chan struct{})}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start indigo: %w", err)
	}
	go func() {
		p.readLog(stderr, o)
		_ = cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitHealthy(ctx, started, o.Timeout); err != nil {
		p.Kill()
		return nil, fmt.Errorf("%w\nlast lines of indigo's log:\n\t%s", err, strings.Join(p.LastLines(), "\n\t"))
	}
	p.Healthz = time.Since(started)
	return p, nil
}

func (p *Process) waitHealthy(ctx context.Context, started time.Time, timeout time.Duration) error {
	ctx, cancel := context.WithDeadline(ctx, started.Add(timeout))
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(healthPoll)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Addr+"/healthz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("indigo exited before /healthz answered: %v", p.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("/healthz did not answer within %v of the start: %w", timeout, ctx.Err())
		case <-tick.C:
		}
	}
}

func (p *Process) readLog(r io.Reader, o Options) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if o.Log != nil {
			fmt.Fprintln(o.Log, line)
		}
		if o.OnLine != nil {
			o.OnLine(line)
		}
		p.mu.Lock()
		p.tail = append(p.tail, line)
		if len(p.tail) > logKeep {
			p.tail = p.tail[1:]
		}
		p.mu.Unlock()
	}
}

// LastLines are the last lines indigo logged.
func (p *Process) LastLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.tail...)
}

// Exited is closed once indigo has exited and its log is read to the end.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Running reports whether indigo has not exited yet.
func (p *Process) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Kill SIGKILLs indigo, as the OOM killer or a failed node would, and
// waits until it is reaped.
func (p *Process) Kill() {
	if !p.Running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Terminate stops indigo as a supervisor does (SIGTERM) and waits at most
// timeout; then it kills it and says so. It returns how indigo exited.
func (p *Process) Terminate(timeout time.Duration) (*os.ProcessState, error) {
	if !p.Running() {
		return p.cmd.ProcessState, nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return nil, fmt.Errorf("signal indigo: %w", err)
	}
	select {
	case <-p.exited:
		return p.cmd.ProcessState, nil
	case <-time.After(timeout):
		p.Kill()
		return p.cmd.ProcessState, fmt.Errorf("indigo still ran %v after SIGTERM; killed", timeout)
	}
}

// Workspace makes a work dir and builds indigo into it. The dir is
// searchable by everyone: as root, the postgres user must reach the data
// dirs in it, or their clusters would be relocated. done removes the dir,
// unless keep is set: then its path is written to out to look at after.
func Workspace(ctx context.Context, prefix string, keep bool, out io.Writer) (dir, bin string, done func(), err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", func() {}, fmt.Errorf("create work dir: %w", err)
	}
	done = func() { _ = os.RemoveAll(dir) }
	if keep {
		fmt.Fprintln(out, "work dir:", dir)
		done = func() {}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return dir, "", done, fmt.Errorf("open work dir: %w", err)
	}
	bin = filepath.Join(dir, "indigo")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/indigo-warehouse/indigo/cmd/indigo")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return dir, "", done, fmt.Errorf("build indigo: %w", err)
	}
	return dir, bin, done, nil
}

// FreeAddr picks a free loopback address for indigo's HTTP_ADDR.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pick a port for indigo: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// CleanEnv is this process's environment without anything that would send
// indigo elsewhere than where the caller points it: its database, key,
// channels, hosts and addresses, and the names in drop.
func CleanEnv(drop ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "DATABASE_URL", strings.HasPrefix(name, "INDIGO_"), strings.HasPrefix(name, "PG"),
			strings.HasPrefix(name, "TELEGRAM_"), strings.HasPrefix(name, "WECHAT_"), strings.HasPrefix(name, "WB_"),
			name == "HTTP_ADDR", name == "PUBLIC_URL":
			continue
		}
		keep := true
		for _, d := range drop {
			keep = keep && name != d
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
