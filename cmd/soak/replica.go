package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	healthPoll  = 20 * time.Millisecond
	stopTimeout = 70 * time.Second // indigo's HTTP shutdown and its outbox pass
	logKeep     = 30               // log lines quoted when a start fails
)

// replica is one `indigo serve` slot: started, killed and started again.
// Its log goes, across its lives, to logPath.
type replica struct {
	n       int
	bin     string
	env     []string
	logPath string

	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait returned

	mu   sync.Mutex
	tail []string
}

// start runs indigo serve on a free loopback port and waits until /healthz
// answers, at most timeout after the start. It returns the HTTP address.
func (r *replica) start(ctx context.Context, dataDir string, timeout time.Duration) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	logFile, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", fmt.Errorf("open log: %w", err)
	}
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(append([]string(nil), r.env...), "HTTP_ADDR="+addr, "INDIGO_DATA_DIR="+dataDir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		logFile.Close()
		return "", fmt.Errorf("pipe log: %w", err)
	}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return "", fmt.Errorf("start indigo: %w", err)
	}
	r.cmd, r.exited = cmd, make(chan struct{})
	exited := r.exited
	go func() {
		r.readLog(stderr, logFile)
		logFile.Close()
		_ = cmd.Wait()
		close(exited)
	}()
	if err := r.waitHealthy(ctx, "http://"+addr+"/healthz", started, timeout); err != nil {
		r.kill()
		return "", fmt.Errorf("%w\nlast lines of its log:\n\t%s", err, strings.Join(r.lastLines(), "\n\t"))
	}
	return addr, nil
}

func (r *replica) waitHealthy(ctx context.Context, healthURL string, started time.Time, timeout time.Duration) error {
	ctx, cancel := context.WithDeadline(ctx, started.Add(timeout))
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(healthPoll)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, healthURL, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-r.exited:
			return fmt.Errorf("indigo exited before /healthz answered: %v", r.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("/healthz did not answer within %v of the start: %w", timeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// readLog copies the log to the replica's file and keeps its last lines.
func (r *replica) readLog(in io.Reader, file io.Writer) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(file, line)
		r.mu.Lock()
		r.tail = append(r.tail, line)
		if len(r.tail) > logKeep {
			r.tail = r.tail[1:]
		}
		r.mu.Unlock()
	}
}

func (r *replica) lastLines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tail...)
}

func (r *replica) running() bool {
	if r.cmd == nil {
		return false
	}
	select {
	case <-r.exited:
		return false
	default:
		return true
	}
}

// kill SIGKILLs indigo and waits until it is reaped.
func (r *replica) kill() {
	if !r.running() {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// terminate stops indigo as a supervisor would at the end, killing it if
// it does not stop in time.
func (r *replica) terminate() error {
	if !r.running() {
		return nil
	}
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal indigo: %w", err)
	}
	select {
	case <-r.exited:
		return nil
	case <-time.After(stopTimeout):
		r.kill()
		return fmt.Errorf("indigo still ran %v after SIGTERM; killed", stopTimeout)
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pick a port for indigo: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
