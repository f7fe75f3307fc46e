// Package browsertest starts Debian's headless Chromium for browser tests
// and gives them the few steps every such test needs: run with a per-step
// timeout, screenshot into the test's artifacts, submit a form.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium, alive until the test ends.
type Browser struct {
	Ctx  context.Context
	tb   testing.TB
	step time.Duration
}

// Start launches Chromium with the flags this closed network needs. Without
// Chromium the test is skipped, except on CI, which must have it.
func Start(tb testing.TB, width, height int, step time.Duration) *Browser {
	tb.Helper()
	chromium := find()
	if chromium == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("chromium is not installed; CI needs it: apt-get install -y chromium")
		}
		tb.Skip("chromium is not installed (apt-get install -y chromium); skipping the browser test")
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(width, height),
	)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, which then lives as long as
	// ctx: so it must not carry a step's timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	// Headless Chromium keeps its window at least 500 px wide: a phone's
	// width is an emulated viewport, as DevTools' device mode makes it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height), viewport(width)...)); err != nil {
		tb.Fatalf("set the viewport: %v", err)
	}
	return &Browser{Ctx: ctx, tb: tb, step: step}
}

// viewport emulates a phone below 640 px: a mobile viewport, whose
// scrollbars overlay the page as a phone's do.
func viewport(width int) []chromedp.EmulateViewportOption {
	if width < 640 {
		return []chromedp.EmulateViewportOption{chromedp.EmulateScale(1), chromedp.EmulateMobile}
	}
	return []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
}

// find returns Debian's chromium, or another Chrome on PATH.
func find() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Run runs steps in order, each within the step timeout; on a failure it
// saves failed.png and fails the test with where the page was.
func (b *Browser) Run(steps ...chromedp.Action[chromedp.Void]) {
	b.tb.Helper()
	for i, st := range steps {
		sctx, cancel := context.WithTimeout(b.Ctx, b.step)
		err := chromedp.Do(sctx, st)
		cancel()
		if err != nil {
			loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
			_ = chromedp.Do(b.Ctx, b.Shot("failed.png"))
			b.tb.Fatalf("step %d at %s: %v", i, loc, err)
		}
	}
}

// Shot saves a full-page PNG into the test's artifact directory
// (go test -artifacts keeps it).
func (b *Browser) Shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg) // 100 means PNG
		if err != nil {
			return fmt.Errorf("screenshot %s: %w", name, err)
		}
		path := filepath.Join(b.tb.ArtifactDir(), name)
		b.tb.Logf("screenshot %s", path)
		return os.WriteFile(path, buf, 0o644)
	})
}

// Submit clicks a button that loads a new page and waits for it: a query
// right after such a click can find the old page's nodes.
func Submit(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))(ctx, tg)
		return err
	})
}
