package pglocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tests in this file run a cluster in a helper process (this test
// binary run again, see TestMain) and SIGKILL it, as the OOM killer or a
// failed node would kill `indigo serve`.

const (
	helperDirEnv       = "PGLOCAL_HELPER_DIR"
	helperNoDeathEnv   = "PGLOCAL_HELPER_NO_PDEATHSIG" // leave the postmaster behind
	helperEphemeralEnv = "PGLOCAL_HELPER_EPHEMERAL"
	helperStartTimeout = 2 * time.Minute // a deadline for a broken helper, not an assertion
	exitDeadline       = 30 * time.Second
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDirEnv); dir != "" {
		runHelper(dir)
		return
	}
	// Orphaned postmasters are reparented to this process instead of init,
	// which in some containers never reaps them; waitExited reaps them.
	_ = setChildSubreaper()
	os.Exit(m.Run())
}

// runHelper starts a cluster, says where on stdout and waits to be killed.
func runHelper(dir string) {
	if os.Getenv(helperNoDeathEnv) != "" {
		parentDeathSignal = 0
	}
	c, err := Start(context.Background(), Options{DataDir: dir, Ephemeral: os.Getenv(helperEphemeralEnv) != ""})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("ready", c.Port(), c.srv.proc.Pid)
	select {}
}

// helper is a helper process that runs a cluster.
type helper struct {
	cmd        *exec.Cmd
	port       int
	postmaster int
}

// startHelper runs a helper on dir and waits until its cluster is up.
func startHelper(t *testing.T, dir string, env ...string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, helperDirEnv+"="+dir)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	h := &helper{cmd: cmd}
	t.Cleanup(h.cleanup)
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
	}()
	var got string
	select {
	case got = <-line:
	case <-time.After(helperStartTimeout):
		t.Fatal("helper did not start its cluster")
	}
	if _, err := fmt.Sscanf(got, "ready %d %d", &h.port, &h.postmaster); err != nil {
		t.Fatalf("helper said %q", got)
	}
	return h
}

// kill SIGKILLs the helper and reaps it; a second call does nothing.
func (h *helper) kill() {
	if h.cmd.ProcessState == nil {
		_ = h.cmd.Process.Kill()
		_ = h.cmd.Wait()
	}
}

// cleanup kills the helper and a postmaster it left, and waits for both, so
// that nothing runs in the data dir when it is removed.
func (h *helper) cleanup() {
	h.kill()
	if h.postmaster != 0 && !processGone(h.postmaster) {
		_ = syscall.Kill(h.postmaster, syscall.SIGQUIT)
	}
	if h.postmaster != 0 {
		waitExited(h.postmaster)
	}
}

func (h *helper) url() string {
	return (&Cluster{port: h.port}).URL("postgres")
}

// writeRow commits a row through the helper's cluster.
func writeRow(t *testing.T, url, v string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to helper's cluster: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS kept (v text)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO kept VALUES ($1)`, v); err != nil {
		t.Fatalf("write row: %v", err)
	}
}

// waitExited polls until pid has exited, reaping it if it became our child.
func waitExited(pid int) bool {
	deadline := time.Now().Add(exitDeadline)
	for time.Now().Before(deadline) {
		_, _ = syscall.Wait4(pid, nil, syscall.WNOHANG, nil)
		if processGone(pid) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func setChildSubreaper() error {
	const prSetChildSubreaper = 36
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// TestParentDeath: postgres exits by itself when its owner is SIGKILLed,
// committed data survives, and the next start needs nothing from anyone.
func TestParentDeath(t *testing.T) {
	dir := mustDataDir(t)
	h := startHelper(t, dir)
	writeRow(t, h.url(), "before the kill")
	h.kill()
	if !waitExited(h.postmaster) {
		t.Fatalf("postmaster %d still runs %v after its owner was killed", h.postmaster, exitDeadline)
	}
	c := mustStart(t, Options{DataDir: dir})
	wantRow(t, c, "before the kill")
}

// TestLeftoverStopped: a postmaster that outlived its owner (here one
// started without the parent-death signal, as on other systems or by an
// older Indigo that locked the dir) is stopped by the next start, which then
// runs its own server on the same data.
func TestLeftoverStopped(t *testing.T) {
	dir := mustDataDir(t)
	h := startHelper(t, dir, helperNoDeathEnv+"=1")
	writeRow(t, h.url(), "before the kill")
	h.kill()
	if processGone(h.postmaster) {
		t.Fatal("postmaster exited with its owner; nothing left over to test")
	}
	c := mustStart(t, Options{DataDir: dir})
	if !waitExited(h.postmaster) {
		t.Errorf("leftover postmaster %d still runs", h.postmaster)
	}
	if c.srv.proc.Pid == h.postmaster {
		t.Error("Start kept the leftover postmaster as its own")
	}
	wantRow(t, c, "before the kill")
}

// TestLiveOwnerRefused: a data dir run by a live process is refused, and
// its server keeps serving.
func TestLiveOwnerRefused(t *testing.T) {
	dir := mustDataDir(t)
	h := startHelper(t, dir)
	_, err := Start(context.Background(), Options{DataDir: dir})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "live process "+strconv.Itoa(h.cmd.Process.Pid)) {
		t.Fatalf("Start err = %v, want ErrInUse naming the helper", err)
	}
	writeRow(t, h.url(), "still served")
}

// TestRemoveAbandoned: an ephemeral cluster is reaped once its owner is
// dead, its postmaster stopped if it still runs; live and durable clusters
// are left alone.
func TestRemoveAbandoned(t *testing.T) {
	ctx := context.Background()
	dir := mustDataDir(t)
	h := startHelper(t, dir, helperNoDeathEnv+"=1", helperEphemeralEnv+"=1")
	if removed, err := RemoveAbandoned(ctx, dir, nil); removed || err != nil {
		t.Fatalf("RemoveAbandoned of a live cluster = %v, %v; want false, nil", removed, err)
	}
	h.kill()
	if removed, err := RemoveAbandoned(ctx, dir, nil); !removed || err != nil {
		t.Fatalf("RemoveAbandoned after the kill = %v, %v; want true, nil", removed, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data dir still there: %v", err)
	}
	if !waitExited(h.postmaster) {
		t.Errorf("abandoned postmaster %d still runs", h.postmaster)
	}

	durable := mustDataDir(t)
	startHelper(t, durable).cleanup()
	if removed, err := RemoveAbandoned(ctx, durable, nil); removed || err != nil {
		t.Errorf("RemoveAbandoned of a durable cluster = %v, %v; want false, nil", removed, err)
	}
	if removed, err := RemoveAbandoned(ctx, t.TempDir(), nil); removed || err != nil {
		t.Errorf("RemoveAbandoned of a dir without a cluster = %v, %v; want false, nil", removed, err)
	}
}

// TestStalePIDZombie: a crashed postmaster that nothing reaped (some
// containers' init never does) still answers kill(pid, 0), so postgres
// would refuse its lock file; Start removes it, its data intact.
func TestStalePIDZombie(t *testing.T) {
	dir := mustDataDir(t)
	first := mustStart(t, Options{DataDir: dir})
	writeRow(t, first.URL("postgres"), "before the crash")
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	writeStalePIDFile(t, dir, zombiePostgres(t))
	c := mustStart(t, Options{DataDir: dir})
	wantRow(t, c, "before the crash")
}

// zombiePostgres returns the pid of an exited, unreaped process whose
// name (comm) is "postgres": true(1) run through a link of that name, in a
// dir the server account can reach.
func zombiePostgres(t *testing.T) int {
	t.Helper()
	bin, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(filepath.Dir(mustDataDir(t)), "postgres")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	// As the server account, as a real postmaster: postgres takes a pid it
	// may not signal (EPERM) for another user's process and ignores it.
	own, err := lookupOwner()
	if err != nil {
		t.Fatal(err)
	}
	attr := &syscall.ProcAttr{Dir: "/", Sys: own.sysProcAttr()}
	pid, err := syscall.ForkExec(link, []string{"postgres"}, attr)
	if err != nil {
		t.Fatalf("run %s: %v", link, err)
	}
	t.Cleanup(func() { _, _ = syscall.Wait4(pid, nil, 0, nil) })
	deadline := time.Now().Add(exitDeadline)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not exit", link)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return pid
}
