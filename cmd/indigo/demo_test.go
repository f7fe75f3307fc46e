package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgtest"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
	"github.com/indigo-warehouse/indigo/web/browsertest"
)

// syncBuffer is a bytes.Buffer the demo writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startTestDemo starts the demo in-process on a free port, on a test
// database, the test binary's fake WeChat and a Telegram clock that jumps
// instead of sleeping, and returns its base URL once it printed its URLs.
// (`indigo demo`'s flags are TestRunCommands'.)
func startTestDemo(t *testing.T) string {
	t.Helper()
	return runTestDemo(t).m.Config.PublicURL
}

// runTestDemo is startTestDemo returning the running demo.
func runTestDemo(t *testing.T) *demo {
	t.Helper()
	var out syncBuffer
	d, err := startDemo(context.Background(), demoOptions{
		DataDir: searchableTempDir(t), HTTPAddr: "127.0.0.1:0", Reset: true, Stdout: &out,
		DatabaseURL: pgtest.NewURL(t), Clock: tgtest.NewClock(), WeChat: weChatFake(),
	})
	if err != nil {
		t.Fatalf("start the demo: %v\n%s", err, out.String())
	}
	t.Cleanup(d.Close)
	for _, want := range []string{"Demo page:", "Web view:", "/login/", "/healthz", "returns are in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the start message lacks %q:\n%s", want, out.String())
		}
	}
	if base := d.m.Config.PublicURL; !strings.Contains(out.String(), base+"/demo") {
		t.Errorf("the start message does not point at %s/demo:\n%s", base, out.String())
	}
	return d
}

func getState(t *testing.T, base string) demoState {
	t.Helper()
	resp, err := http.Get(base + "/demo/api/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st demoState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func postJSON(t *testing.T, url string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func chatOf(st demoState, user int64) demoChat {
	for _, c := range st.Chats {
		if c.UserID == user {
			return c
		}
	}
	return demoChat{}
}

// waitFor polls the demo's state until cond holds.
func waitFor(t *testing.T, base, what string, cond func(demoState) bool) demoState {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := getState(t, base)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(st, "", " ")
			t.Fatalf("%s never happened; state:\n%.4000s", what, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func botSaysAfter(c demoChat, after int, pred func(demoMessage) bool) bool {
	for _, m := range c.Messages {
		if m.ID > after && m.FromBot && pred(m) {
			return true
		}
	}
	return false
}

func lastID(c demoChat) int {
	if len(c.Messages) == 0 {
		return 0
	}
	return c.Messages[len(c.Messages)-1].ID
}

// TestDemo starts `indigo demo` and drives its page's endpoints as the page
// does: the seeded seller's chat shows the returns, a pressed button and a
// typed message reach the bot, the newcomer onboards, staff answer in a topic.
func TestDemo(t *testing.T) {
	base := startTestDemo(t)

	for _, path := range []string{"/demo", "/healthz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s answered %d", path, resp.StatusCode)
		}
		if path == "/demo" && !strings.Contains(string(body), "/demo/api/state") {
			t.Fatalf("/demo is not the demo page:\n%.300s", body)
		}
	}

	// The seeded seller's chat has the pushes about their returns.
	st := waitFor(t, base, "pushes in the seller's chat", func(st demoState) bool {
		return botSaysAfter(chatOf(st, demoSellerTG), 0, func(m demoMessage) bool { return len(m.Buttons) > 0 })
	})
	seller := chatOf(st, demoSellerTG)

	// Press a button under a push: the bot answers with something new, or
	// redraws the push (the digest's "Open my returns" becomes /returns).
	var press demoMessage
	for _, m := range seller.Messages {
		if m.FromBot && len(m.Buttons) > 0 && m.Buttons[0][0].Data != "" {
			press = m
		}
	}
	if press.ID == 0 {
		t.Fatal("no button to press in the seller's chat")
	}
	after := lastID(seller)
	if code := postJSON(t, base+"/demo/api/press", demoRequest{User: demoSellerTG, MessageID: press.ID, Data: press.Buttons[0][0].Data}); code != http.StatusOK {
		t.Fatalf("press answered %d", code)
	}
	st = waitFor(t, base, "a reply to the pressed button", func(st demoState) bool {
		c := chatOf(st, demoSellerTG)
		return botSaysAfter(c, after, func(demoMessage) bool { return true }) ||
			botSaysAfter(c, press.ID-1, func(m demoMessage) bool { return m.ID == press.ID && m.Text != press.Text })
	})

	// Type a command: the bot replies.
	after = lastID(chatOf(st, demoSellerTG))
	if code := postJSON(t, base+"/demo/api/send", demoRequest{User: demoSellerTG, Text: "/help"}); code != http.StatusOK {
		t.Fatalf("send answered %d", code)
	}
	waitFor(t, base, "a reply to /help", func(st demoState) bool {
		return botSaysAfter(chatOf(st, demoSellerTG), after, func(demoMessage) bool { return true })
	})

	// A picture from the attach input reaches the chat.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("user", "700001")
	_ = mw.Close()
	resp, err := http.Post(base+"/demo/api/photo", mw.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("photo answered %d", resp.StatusCode)
	}

	// The newcomer starts onboarding: the bot asks for a language.
	if code := postJSON(t, base+"/demo/api/send", demoRequest{User: demoNewcomerTG, Text: "/start"}); code != http.StatusOK {
		t.Fatalf("send answered %d", code)
	}
	waitFor(t, base, "the newcomer's greeting with buttons", func(st demoState) bool {
		return botSaysAfter(chatOf(st, demoNewcomerTG), 0, func(m demoMessage) bool { return len(m.Buttons) > 0 })
	})

	// Staff answer the seller's question in the seller's topic.
	st = waitFor(t, base, "the seller's topic in the staff group", func(st demoState) bool { return len(st.Topics) > 0 })
	after = lastID(chatOf(st, demoSellerTG))
	if code := postJSON(t, base+"/demo/api/staff", demoRequest{Thread: st.Topics[0].ID, Text: "Yes, it arrived this morning"}); code != http.StatusOK {
		t.Fatalf("staff answered %d", code)
	}
	waitFor(t, base, "the staff answer in the seller's chat", func(st demoState) bool {
		return botSaysAfter(chatOf(st, demoSellerTG), after, func(m demoMessage) bool {
			return strings.Contains(m.Text, "Yes, it arrived this morning")
		})
	})

	// The WeChat follower follows the account: the bot greets them.
	if code := postJSON(t, base+"/demo/api/wechat", map[string]string{"action": "follow"}); code != http.StatusOK {
		t.Fatalf("wechat follow answered %d", code)
	}
	waitFor(t, base, "a WeChat greeting", func(st demoState) bool {
		if st.WeChat == nil {
			return false
		}
		for _, m := range st.WeChat.Messages {
			if m.FromBot && m.Text != "" {
				return true
			}
		}
		return false
	})

	// The web view link works.
	var link struct{ URL string }
	resp, err = http.Post(base+"/demo/api/weblink", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&link)
	resp.Body.Close()
	if !strings.HasPrefix(link.URL, base+"/login/") {
		t.Fatalf("web link = %q", link.URL)
	}
}

// TestDemoBrowser drives the demo page in headless Chromium: the new seller
// clicks through onboarding, staff answer the seeded seller in a topic,
// and the seeded seller decides on a return in the web view the demo links
// to. Screenshots go to the test's artifact directory.
func TestDemoBrowser(t *testing.T) {
	br := browsertest.Start(t, 1400, 1000, 20*time.Second)
	d := runTestDemo(t)
	base := d.m.Config.PublicURL
	en := locales.MustNew().For("en")

	shot, run := br.Shot, br.Run
	// until evaluates js every 100ms until it yields true.
	until := func(what, js string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for {
				ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
				if err == nil && ok {
					return nil
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("%s: %w", what, ctx.Err())
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	// press clicks the newest button in the chat whose label contains label,
	// once it is there.
	press := func(sel, label string) chromedp.Action[chromedp.Void] {
		lit, _ := json.Marshal(label)
		return until("a button "+label, `(() => {
			const bs = [...document.querySelectorAll(`+"`"+sel+"`"+`)].filter(b => b.textContent.includes(`+string(lit)+`));
			if (!bs.length) return false;
			bs[bs.length - 1].click();
			return true;
		})()`)
	}
	chatSays := func(log, text string) chromedp.Action[chromedp.Void] {
		lit, _ := json.Marshal(text)
		return until("the chat says "+text, `document.getElementById("`+log+`").textContent.includes(`+string(lit)+`)`)
	}
	say := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.SendKeys(chromedp.CSS("#sendtext"), text)(ctx, tg); err != nil {
				return err
			}
			_, err := chromedp.Click(chromedp.CSS("#sendbtn"))(ctx, tg)
			return err
		})
	}
	head := func(s string) string { return tgtest.Head(s) }

	// Onboarding as the new seller.
	run(
		chromedp.Navigate(base+"/demo"),
		chromedp.WaitVisible(chromedp.CSS("#chatlog .msg")),
		shot("demo.png"),
		press("#usertabs button", "Anna Chen"),
		press("#quick button", "/start"),
		press("#chatlog .kb button", en.T("language.en")),
		press("#chatlog .kb button", en.T("button.accept")),
		chatSays("chatlog", head(en.T("flow.onboarding.name"))),
		say("Anna Chen Trading"),
		press("#chatlog .kb button", en.T("button.skip")),
		press("#chatlog .kb button", en.T("marketplace.wildberries")),
		chatSays("chatlog", head(en.T("flow.store.name"))),
		say("Anna's store"),
		chatSays("chatlog", head(en.T("flow.store.token"))),
		press("#quick button", "Paste the WB token"),
		press("#chatlog .kb button", en.T("button.done")),
		chatSays("chatlog", head(en.T("flow.store.ready"))),
		shot("onboarded.png"),
	)

	// A WeChat follower follows the Official Account and is greeted.
	run(
		press("#wxquick button", "Follow"),
		until("a WeChat greeting", `[...document.querySelectorAll("#wxlog .msg")].some(m => !m.classList.contains("me"))`),
	)

	// A staff answer in the seeded seller's topic reaches the seller.
	run(
		chromedp.WaitReady(chromedp.CSS(`#topic option:nth-child(2)`)),
		chromedp.SendKeys(chromedp.CSS("#stafftext"), "Yes, it arrived this morning in good shape"),
		chromedp.Click(chromedp.CSS("#staffbtn")),
		chatSays("stafflog", "Yes, it arrived this morning in good shape"),
		press("#usertabs button", "Li Wei"),
		chatSays("chatlog", "Yes, it arrived this morning in good shape"),
		shot("staff-reply.png"),
	)

	// A warehouse step pressed on a card in the staff panel: Telegram's
	// pop-up answer shows, and the return moves on.
	status := domain.StatusAwaitingReceiptAtWB
	waiting, _, err := storage.NewReturnService(d.m.DB).FindReturns(pgtest.System(), domain.ReturnFilter{SellerID: &d.seller.ID, Status: &status})
	if err != nil || len(waiting) == 0 {
		t.Fatalf("no return waiting at WB to pick up: %v", err)
	}
	r := waiting[0]
	toast, _ := json.Marshal(en.T("staff.action.done", map[string]any{"Action": en.T("staff.button.picked_up"), "Return": r.ReturnNumber}))
	run(
		chromedp.SendKeys(chromedp.CSS("#stafftext"), fmt.Sprintf("/r_%d", r.ID)),
		chromedp.Click(chromedp.CSS("#staffbtn")),
		press("#stafflog .kb button", en.T("staff.button.picked_up")),
		until("Telegram's pop-up answer", `[...document.querySelectorAll("#staff .toast")].some(t => t.textContent.includes(`+string(toast)+`))`),
		shot("staff-step.png"),
	)
	if got, err := storage.NewReturnService(d.m.DB).FindReturnByID(pgtest.System(), r.ID); err != nil || got.Status != domain.StatusInTransitToWarehouse {
		t.Errorf("after Picked up the return is %v (%v), want in transit to the warehouse", got.Status, err)
	}

	// A decision in the web view, through a sign-in link the demo makes.
	resp, err := http.Post(base+"/demo/api/weblink", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	var link struct{ URL string }
	_ = json.NewDecoder(resp.Body).Decode(&link)
	resp.Body.Close()
	submit := browsertest.Submit
	run(
		chromedp.Navigate(link.URL),
		chromedp.WaitVisible(chromedp.CSS("#signin")),
		submit("#signin"),
		chromedp.WaitVisible(chromedp.CSS(".cards")),
		shot("web-main.png"),
		submit(`nav.tabs a[href^="/web/tab/pending_decision"]`),
		submit(`table.returns tbody td a`),
		chromedp.WaitVisible(chromedp.CSS("section.history")),
		shot("web-return.png"),
		chromedp.Click(chromedp.CSS(`input[name="decision"][value="sell_on_wb"]`)),
		submit("#choose"),
		chromedp.WaitVisible(chromedp.CSS("#confirm")),
		submit("#confirm"),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
		shot("web-decided.png"),
		// The decision shows in the demo's chat as the bot's confirmation.
		chromedp.Navigate(base+"/demo"),
		chromedp.WaitVisible(chromedp.CSS("#chatlog .msg")),
		shot("demo-after.png"),
	)
}
