package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/indigo-warehouse/indigo/cmd/internal/indigoproc"
)

const stopTimeout = 70 * time.Second // indigo's HTTP shutdown plus postgres's fast shutdown

// service is one running `indigo serve` on its embedded database.
type service struct {
	*indigoproc.Process
	healthz time.Duration // from the start to /healthz answering 200

	mu              sync.Mutex
	pgPort          int  // from the "postgres started" log line
	postmaster      int  // likewise
	stoppedLeftover bool // the log says it stopped a postmaster left running
}

// startService starts indigo serve and waits until /healthz answers, at
// most timeout after the start.
func startService(ctx context.Context, bin, dataDir string, timeout time.Duration) (*service, error) {
	s := &service{}
	p, err := indigoproc.Start(ctx, indigoproc.Options{
		Bin: bin, Env: append(indigoproc.CleanEnv(), "LOG_LEVEL=info"), DataDir: dataDir, Timeout: timeout,
		OnLine: s.readLine,
	})
	if err != nil {
		return nil, err
	}
	s.Process, s.healthz = p, p.Healthz
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pgPort == 0 {
		p.Kill()
		return nil, errors.New(`indigo answered /healthz but logged no "postgres started" line with the port`)
	}
	return s, nil
}

// readLine picks out the embedded database's port and postmaster pid, and
// whether a leftover was stopped.
func (s *service) readLine(line string) {
	var rec struct {
		Msg  string `json:"msg"`
		Port int    `json:"port"`
		PID  int    `json:"pid"`
	}
	_ = json.Unmarshal([]byte(line), &rec) // a non-JSON line (a panic) is only kept
	s.mu.Lock()
	defer s.mu.Unlock()
	switch rec.Msg {
	case "postgres started":
		s.pgPort, s.postmaster = rec.Port, rec.PID
	case "stopping the postgres a dead service left running":
		s.stoppedLeftover = true
	}
}

// dbURL is the service's database as the embedded cluster's superuser.
func (s *service) dbURL() string {
	u := url.URL{Scheme: "postgres", User: url.User("indigo"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.pgPort)),
		Path: "/indigo", RawQuery: "sslmode=disable"}
	return u.String()
}

// kill SIGKILLs indigo; its postgres is left to its parent-death signal
// and to the next start.
func (s *service) kill() { s.Kill() }

// terminate stops indigo as a supervisor would on shutdown and checks that
// it took its postgres down with it.
func (s *service) terminate() error {
	state, err := s.Terminate(stopTimeout)
	if err != nil {
		return err
	}
	if !state.Success() {
		return fmt.Errorf("indigo exited with %v after SIGTERM:\n\t%s", state, strings.Join(s.LastLines(), "\n\t"))
	}
	if waitProcessGone(s.postmaster, 5*time.Second, time.Now()) < 0 {
		return fmt.Errorf("postmaster %d still runs after indigo stopped", s.postmaster)
	}
	return nil
}
