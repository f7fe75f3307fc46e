// Package conversations holds what sellers go through in a chat, channel
// by channel alike: each flow is a looplab/fsm table with one Ask and one
// Read per state, run by one Engine over a persisted ChatSession.
package conversations

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

// Idle is the state of a chat with no flow running.
const Idle = "idle"

// redeliveryWindow bounds the update-id dedupe (seen): redeliveries come
// within minutes.
const redeliveryWindow = 24 * time.Hour

// Input is one thing a person did in a chat, in channel-neutral terms.
type Input struct {
	UpdateID int64 // the channel's id of this input; redeliveries are skipped
	Channel  domain.Channel
	ChatID   string
	UserID   string // who acted; equals ChatID in a private chat
	UserName string
	// Group is set when the chat is not a private chat with the sender (a
	// Telegram group): the bot does no seller business there.
	Group bool
	// StartLink opens a private chat with the bot, a deep-link payload
	// appended ("https://t.me/IndigoBot?start="); "" where the channel has none.
	StartLink    string
	LanguageCode string // the platform's idea of the user's language
	MessageID    string // the user's message, so a pasted token can be deleted
	// Ack is set by a channel that confirms its sends with Engine.Sent:
	// the replies are then kept until they went (replies.go).
	Ack      bool
	Text     string // text, or a file's caption
	Button   string // the data of a pressed button
	ButtonOn string // the message the pressed button was on, to edit in place
	Files    []File
	Contact  string // a phone number shared with the contact button
}

// File is a file a person sent. Open fetches it only when a step wants it.
type File struct {
	Kind        domain.AttachmentKind
	Name        string
	ContentType string
	Size        int64
	Open        func(ctx context.Context) ([]byte, error)
}

// Reply is one message to send back.
type Reply struct {
	Text          string
	Buttons       [][]Button
	ContactButton string // label of a one-time "share my phone" key
	Photos        []Photo
	EditMessageID string // edit this message in place instead of sending one
	DeleteMessage string // delete this message of the user's (a pasted token)
	Toast         string // the short answer to a pressed button
	// Menu is set when the person chose a language: a channel with menus
	// per chat (Telegram's "/" list) shows theirs in it from now on.
	Menu string `json:",omitempty"`
}

// Button is an inline button; Data comes back in Input.Button. A button
// with a URL opens it instead and brings nothing back. WebApp, with URL
// set too, is a page of the web view the channel opens signed in (a
// Telegram Mini App); where the channel cannot, URL is opened.
type Button struct {
	Text, Data, URL string
	WebApp          string
}

// Photo is an image to send with a reply: stored bytes or a public URL.
type Photo struct {
	Name string
	Data []byte
	URL  string
	// AttachmentID is the attachment Data was read from. Replies kept
	// until sent (replies.go) keep the id, not the bytes, and read them
	// again when they go.
	AttachmentID int64
	// Missing is the line, in the reader's language, that the channel
	// shows in the photo's place when it cannot send it.
	Missing string
}

// LinkMaker makes one-time login links to the web view, and the address
// of a web view page opened from a Telegram chat as a Mini App (signed in
// by Telegram, no link to copy).
type LinkMaker interface {
	LoginLink(ctx context.Context, sellerID int64) (string, error)
	LinkTTL() time.Duration // how long a link works
	PageURL(path string) string
	MiniAppURL(path string) string // Telegram's Mini App of the page
	WeChatURL(path string) string  // the page through WeChat's web authorization
}

// Deps are the services flows use.
type Deps struct {
	Sessions    domain.SessionService
	Sellers     domain.SellerService
	Stores      domain.StoreService
	Returns     domain.ReturnService
	Attachments domain.AttachmentService
	Polls       domain.PollScheduleService
	Shelf       domain.ShelfService // nil: resale on WB is off, staff mark returns listed by hand
	Marketplace domain.Marketplace
	Links       LinkMaker   // nil: /web explains the web view is off
	Support     SupportDesk // nil: support is off
	// Staff is the staff chat's desk, whose inputs the engine runs as
	// staff turns (HandleStaff); nil: the staff chat is off.
	Staff   *StaffDesk
	Audit   domain.AuditService // nil: team and account events go unrecorded
	Locales *locales.Bundle
	Log     *slog.Logger

	// Decisions that make themselves (issue 18): the estimate of each
	// option, the deadline and its default, the seller's rules, Indigo's
	// tariff and WB's pickup clock. Each nil leaves its part off the cards.
	Economics   domain.EconomicsService
	Decisions   domain.DecisionService
	Rules       domain.RuleService
	Tariffs     domain.TariffService
	PickupClock domain.PickupClockService
	// Accounts is the seller's account (issue 19): /accounts, its pushes
	// and the staff's payments; nil leaves them off.
	Accounts domain.AccountService
	// Now is the clock cards count days left by; nil is the wall clock.
	Now func() time.Time
	// OnTurn hears of every turn handled: the flow the input found the
	// chat in (Idle for none, "staff" for the staff chat) and the turn's
	// error, for the service's metrics (issue 22); nil hears nothing.
	OnTurn func(flow string, err error)
}

// Engine runs flows for every chat of every channel.
type Engine struct {
	Deps
	flows    map[string]*Flow
	commands map[string]Command
	buttons  map[buttonKind]ButtonSpec
	accepts  []Accept
	// aliases are the menu's names of commands in every language ("客服"),
	// which work typed wherever the step does not read text.
	aliases map[string]string
	// The staff chat's commands and buttons (staffModule), apart from the
	// sellers': a seller typing /find meets an unknown command.
	staffCommands map[string]Command
	staffButtons  map[buttonKind]ButtonSpec
}

// NewEngine returns an engine assembled from the registry, Modules().
func NewEngine(d Deps) *Engine {
	e := &Engine{Deps: d, flows: map[string]*Flow{}, commands: map[string]Command{},
		buttons: map[buttonKind]ButtonSpec{}, aliases: map[string]string{},
		staffCommands: map[string]Command{}, staffButtons: map[buttonKind]ButtonSpec{}}
	for _, m := range Modules() {
		e.register(m)
	}
	for _, name := range Commands() {
		for _, lang := range domain.AllLanguages() {
			for _, id := range []string{"command." + name, "msg.wechat.menu." + name} {
				if d.Locales != nil {
					e.aliases[strings.ToLower(d.Locales.For(string(lang)).T(id))] = name
				}
			}
		}
		e.aliases[name] = name
	}
	return e
}

// Handle runs one input through the chat's session and returns what to
// send. The session, every change the input causes and the outbox rows
// commit together; a redelivered input returns only what it answered and
// the channel has not yet marked Sent.
func (e *Engine) Handle(ctx context.Context, in Input) ([]Reply, error) {
	return e.HandleWithin(ctx, in, nil)
}

// HandleWithin is Handle with within run in the turn's transaction, after
// the turn, with its replies: a channel's own bookkeeping of the input (a
// WeChat callback claimed, its answer kept, marked handled) commits or
// rolls back with the turn, and no transaction of the channel's is held
// around the turn's remote calls. An error from within rolls the turn back.
func (e *Engine) HandleWithin(ctx context.Context, in Input, within func(ctx context.Context, replies []Reply) error) ([]Reply, error) {
	if r, ok := e.refuse(in); ok {
		if within != nil {
			// Nothing of the turn's to commit with: a refused input keeps no session.
			return r, within(ctx, r)
		}
		return r, nil
	}
	calls := &remoteCalls{done: map[string]remoteResult{}}
	for round := 1; ; round++ {
		replies, err := e.handleOnce(ctx, in, calls, within)
		if !errors.Is(err, errNeedRemote) || round == maxRemoteRounds {
			if e.OnTurn != nil {
				e.OnTurn(calls.flow, err)
			}
			return replies, err
		}
		// The turn is rolled back: make its remote calls with no
		// transaction open, then run it again with their answers.
		calls.makeCalls(ctx)
	}
}

func (e *Engine) handleOnce(ctx context.Context, in Input, calls *remoteCalls, within func(ctx context.Context, replies []Reply) error) ([]Reply, error) {
	var replies []Reply
	err := e.Sessions.WithSession(ctx, in.Channel, in.ChatID, func(ctx context.Context, s *domain.ChatSession) error {
		if seen(s, in.UpdateID) {
			// Done already; only what it answered and did not send goes again.
			var err error
			if replies, err = pendingFor(s, in.UpdateID); err != nil {
				return err
			}
			return e.loadPhotos(ctx, replies)
		}
		calls.flow = cmp.Or(s.Flow, Idle)
		t, err := e.newTurn(ctx, s, in, calls)
		if err != nil {
			return err
		}
		if err := t.apologize(e.dispatch(t)); err != nil {
			return err
		}
		if err := t.answered(); err != nil {
			return err
		}
		markSeen(s, in.UpdateID)
		replies = t.replies
		if err := keepPending(s, in, replies); err != nil || within == nil {
			return err
		}
		return within(ctx, replies)
	})
	if err != nil {
		return nil, fmt.Errorf("handle %s input in chat %s: %w", in.Channel, in.ChatID, err)
	}
	return replies, nil
}

func (e *Engine) newTurn(ctx context.Context, s *domain.ChatSession, in Input, calls *remoteCalls) (*Turn, error) {
	t := &Turn{e: e, s: s, in: in, ctx: domain.NewContextWithActor(ctx, domain.System), calls: calls}
	t.remoteFiles()
	lang := domain.ParseLanguage(in.LanguageCode)
	if in.Channel == domain.ChannelWeChat && in.LanguageCode == "" {
		lang = domain.LangChinese
	}
	// Who acts is the sender's account, looked up on every input: a chat's
	// saved seller could be stale (a member removed from a team).
	seller, err := e.Sellers.FindSellerByIdentity(t.ctx, domain.Identity{Channel: in.Channel, ExternalID: in.UserID})
	if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
		return nil, err
	}
	prev := s.SellerID
	s.SellerID = 0
	if seller != nil {
		s.SellerID = seller.ID
	}
	if prev != 0 && prev != s.SellerID {
		// A flow begun for another seller must not go on for this one.
		forgetSeller(s)
	}
	if seller != nil {
		t.actAs(seller)
		lang = seller.Language
	}
	if l, ok := s.Data["lang"]; ok && t.seller == nil {
		lang = domain.Language(l)
	}
	if l := s.Data[memberLangKey]; l != "" && t.seller != nil {
		// A colleague reads in their own language; the seller's is the owner's.
		lang = domain.Language(l)
	}
	t.l = t.localizer(lang)
	// Inputs before the version bump carry the version their buttons were drawn with.
	t.prevVersion = s.Version
	s.Version++
	return t, nil
}

// seen reports whether an input was handled already: Telegram redelivers
// an update until it is confirmed. Seller and staff chats dedupe alike.
func seen(s *domain.ChatSession, updateID int64) bool {
	// The window bounds it: Telegram may restart update ids at a lower
	// value after a week without updates, and those must not be skipped.
	return updateID != 0 && updateID <= s.LastUpdateID && time.Since(s.UpdatedAt) < redeliveryWindow
}

func markSeen(s *domain.ChatSession, updateID int64) {
	if updateID > s.LastUpdateID {
		s.LastUpdateID = updateID
	}
}

// read feeds the input to the current step and moves the machine.
func (e *Engine) read(t *Turn) error {
	flow, step, err := e.step(t.s)
	if err != nil {
		return err
	}
	ev, err := step.Read(t)
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeInternal {
			return err
		}
		t.Say(domain.ErrorMsgID(err), domain.ErrorData(err))
		return step.Ask(t)
	}
	if ev == "" {
		return step.Ask(t)
	}
	return e.fire(t, flow, ev)
}

// fire moves the flow's machine, rebuilt from the saved state, and asks the
// next step; ending a flow may start the next one the turn asked for.
func (e *Engine) fire(t *Turn, flow *Flow, ev string) error {
	m := fsm.NewFSM(t.s.State, flow.Transitions, nil)
	if err := m.Event(t.ctx, ev); err != nil {
		return &domain.Error{Code: domain.CodeInternal, MsgID: "error.internal",
			Err: fmt.Errorf("flow %s: event %q in state %q: %w", flow.Name, ev, t.s.State, err)}
	}
	t.s.State = m.Current()
	if t.s.State == Idle {
		t.s.Flow, t.s.State = "", ""
		clearFlowData(t.s)
		if next := t.then; next != "" {
			t.then = ""
			return t.StartFlow(next)
		}
		return nil
	}
	_, step, err := e.step(t.s)
	if err != nil {
		return err
	}
	return step.Ask(t)
}

func (e *Engine) step(s *domain.ChatSession) (*Flow, Step, error) {
	flow, ok := e.flows[s.Flow]
	if !ok {
		return nil, Step{}, &domain.Error{Code: domain.CodeInternal, MsgID: "error.internal", Err: fmt.Errorf("unknown flow %q", s.Flow)}
	}
	step, ok := flow.Steps[s.State]
	if !ok {
		return nil, Step{}, &domain.Error{Code: domain.CodeInternal, MsgID: "error.internal", Err: fmt.Errorf("flow %s has no step %q", s.Flow, s.State)}
	}
	return flow, step, nil
}

// reask repeats the current step's prompt, if a flow is running.
func (e *Engine) reask(t *Turn) error {
	if !t.running() {
		return nil
	}
	_, step, err := e.step(t.s)
	if err != nil {
		return err
	}
	return step.Ask(t)
}

// clearFlowData drops what a flow collected; keys starting with "_" or
// "lang" belong to the chat, not the flow.
func clearFlowData(s *domain.ChatSession) {
	for k := range s.Data {
		if k != "lang" && !strings.HasPrefix(k, "_") {
			delete(s.Data, k)
		}
	}
}

// errInternal wraps an unexpected failure of a step.
func errInternal(err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	return &domain.Error{Code: domain.CodeInternal, MsgID: "error.internal", Err: err}
}
