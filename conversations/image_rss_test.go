package conversations_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/conversations/convtest"
)

// rssChildEnv names the directory of pictures a re-executed test binary
// decodes in a burst; set, TestDecodePeakRSS is that child.
const rssChildEnv = "INDIGO_DECODE_BURST_DIR"

// maxPeakRSS is what the whole process may reach while the burst lands.
const maxPeakRSS = 300 << 20

// burst is what arrives at once: crafted bombs and large pictures under
// the caps, each of which takes nearly half the decode budget. The budget
// lets two decode at a time, so under the race detector, which makes each
// decode ten times slower, four meet every overlap that twenty would.
func burst() []struct {
	file  string
	count int
} {
	big := 20
	if raceEnabled {
		big = 4
	}
	return []struct {
		file  string
		count int
	}{{"bomb.png", 20}, {"big.png", big}}
}

// TestDecodePeakRSS: twenty bombs and twenty large legal pictures arrive
// at once, and the process's peak RSS stays under 300 MB. The burst runs in a
// fresh copy of this test binary, so the high-water mark (VmHWM) is that
// of a clean process, not of whatever ran before. Under the race detector
// RSS also holds its shadow memory, several times the heap; there the
// runtime's own peak, sampled while the burst runs, is held to the bound.
func TestDecodePeakRSS(t *testing.T) {
	if dir := os.Getenv(rssChildEnv); dir != "" {
		decodeBurst(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("decodes twenty 12-megapixel pictures")
	}
	dir := t.TempDir()
	big := convtest.BigPNG(t, 4000, 3000)
	for name, data := range map[string][]byte{"bomb.png": convtest.BombPNG(50000, 50000), "big.png": big} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestDecodePeakRSS$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), rssChildEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the burst failed: %v\n%s", err, out)
	}
	got := burstReport(t, out)
	b := burst()
	t.Logf("%d bombs + %d PNGs of 4000×3000 (%d KB each) at once: peak RSS %d MB, Go runtime peak %d MB, in %v (race detector: %v)",
		b[0].count, b[1].count, len(big)>>10, got["rss"]>>20, got["go"]>>20, time.Duration(got["ns"]), raceEnabled)
	peak, what := got["rss"], "peak RSS (VmHWM)"
	if raceEnabled {
		peak, what = got["go"], "the Go runtime's peak"
	}
	if peak >= maxPeakRSS {
		t.Errorf("%s = %d MB, want under %d MB", what, peak>>20, maxPeakRSS>>20)
	}
}

// decodeBurst is the child: every picture at once, each as the pickup
// step reads it, then the report on stdout.
func decodeBurst(t *testing.T, dir string) {
	var peakGo atomic.Uint64
	stop := sampleGoMemory(&peakGo)
	start := time.Now()
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for _, b := range burst() {
		data, err := os.ReadFile(filepath.Join(dir, b.file))
		if err != nil {
			t.Fatal(err)
		}
		for range b.count {
			wg.Go(func() {
				<-gate
				_, err := conversations.DecodeQR(context.Background(), bytes.Clone(data))
				refused := errors.Is(err, conversations.ErrImageTooLarge)
				if refused != (b.file == "bomb.png") {
					t.Errorf("%s: DecodeQR = %v", b.file, err)
				}
			})
		}
	}
	close(gate)
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			fmt.Printf("burst rss %d\n", n<<10)
		}
	}
	fmt.Printf("burst go %d\nburst ns %d\n", peakGo.Load(), elapsed)
}

// sampleGoMemory records the most memory the runtime held (mapped and not
// returned) until stop is called.
func sampleGoMemory(peak *atomic.Uint64) (stop func()) {
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			if held := samples[0].Value.Uint64() - samples[1].Value.Uint64(); held > peak.Load() {
				peak.Store(held)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

func burstReport(t *testing.T, out []byte) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var key string
		var n int64
		if _, err := fmt.Sscanf(sc.Text(), "burst %s %d", &key, &n); err == nil {
			got[key] = n
		}
	}
	if got["rss"] == 0 || got["go"] == 0 {
		t.Fatalf("no report from the burst:\n%s", out)
	}
	return got
}
