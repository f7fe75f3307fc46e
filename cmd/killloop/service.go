package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	healthPoll  = 20 * time.Millisecond
	stopTimeout = 70 * time.Second // indigo's HTTP shutdown plus postgres's fast shutdown
	logKeep     = 30               // log lines quoted when a start fails
)

// service is one running `indigo serve`.
type service struct {
	cmd        *exec.Cmd
	exited     chan struct{} // closed once cmd.Wait returned
	healthz    time.Duration // from the start to /healthz answering 200
	pgPort     int           // from the "postgres started" log line
	postmaster int

	stoppedLeftover bool // the log says it stopped a postmaster left running

	mu   sync.Mutex
	tail []string // the last log lines, for errors
}

// startService starts indigo serve and waits until /healthz answers, at
// most timeout after the start.
func startService(ctx context.Context, bin, dataDir string, timeout time.Duration) (*service, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(serviceEnv(), "INDIGO_DATA_DIR="+dataDir, "HTTP_ADDR="+addr, "LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	s := &service{cmd: cmd, exited: make(chan struct{})}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start indigo: %w", err)
	}
	logDone := make(chan struct{})
	go func() { s.readLog(stderr); close(logDone) }()
	go func() { <-logDone; _ = cmd.Wait(); close(s.exited) }()

	if err := s.waitHealthy(ctx, "http://"+addr+"/healthz", started, timeout); err != nil {
		s.kill()
		return nil, fmt.Errorf("%w\nlast lines of indigo's log:\n\t%s", err, strings.Join(s.lastLines(), "\n\t"))
	}
	s.healthz = time.Since(started)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pgPort == 0 {
		s.kill()
		return nil, errors.New(`indigo answered /healthz but logged no "postgres started" line with the port`)
	}
	return s, nil
}

// serviceEnv is this process's environment without anything that would
// send indigo elsewhere than its embedded database or switch channels on.
func serviceEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "DATABASE_URL", strings.HasPrefix(name, "INDIGO_"), strings.HasPrefix(name, "PG"),
			strings.HasPrefix(name, "TELEGRAM_"), strings.HasPrefix(name, "WECHAT_"), strings.HasPrefix(name, "WB_"),
			name == "HTTP_ADDR", name == "PUBLIC_URL":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// waitHealthy polls /healthz until it answers 200, indigo exits, or timeout
// has passed since started.
func (s *service) waitHealthy(ctx context.Context, healthURL string, started time.Time, timeout time.Duration) error {
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
		case <-s.exited:
			return fmt.Errorf("indigo exited before /healthz answered: %v", s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("/healthz did not answer within %v of the start: %w", timeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// readLog keeps indigo's last log lines and picks out the embedded
// database's port and postmaster pid, and whether a leftover was stopped.
func (s *service) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		var rec struct {
			Msg  string `json:"msg"`
			Port int    `json:"port"`
			PID  int    `json:"pid"`
		}
		_ = json.Unmarshal([]byte(line), &rec) // a non-JSON line (a panic) is only kept
		s.mu.Lock()
		switch rec.Msg {
		case "postgres started":
			s.pgPort, s.postmaster = rec.Port, rec.PID
		case "stopping the postgres a dead service left running":
			s.stoppedLeftover = true
		}
		s.tail = append(s.tail, line)
		if len(s.tail) > logKeep {
			s.tail = s.tail[1:]
		}
		s.mu.Unlock()
	}
}

func (s *service) lastLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tail...)
}

// dbURL is the service's database as the embedded cluster's superuser.
func (s *service) dbURL() string {
	u := url.URL{Scheme: "postgres", User: url.User("indigo"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.pgPort)),
		Path: "/indigo", RawQuery: "sslmode=disable"}
	return u.String()
}

// kill SIGKILLs indigo and waits until it is reaped; its postgres is left
// to its parent-death signal and to the next start.
func (s *service) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// terminate stops indigo as a supervisor would on shutdown and checks that
// it took its postgres down with it.
func (s *service) terminate() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal indigo: %w", err)
	}
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		return fmt.Errorf("indigo still runs %v after SIGTERM", stopTimeout)
	}
	if !s.cmd.ProcessState.Success() {
		return fmt.Errorf("indigo exited with %v after SIGTERM:\n\t%s", s.cmd.ProcessState, strings.Join(s.lastLines(), "\n\t"))
	}
	if waitProcessGone(s.postmaster, 5*time.Second, time.Now()) < 0 {
		return fmt.Errorf("postmaster %d still runs after indigo stopped", s.postmaster)
	}
	return nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pick a port for indigo: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
