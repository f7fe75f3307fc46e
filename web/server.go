// Package web is the seller's web view: server-rendered pages of their
// returns (html/template and a little CSS, no script), sign-in by one-time
// links the chat hands out, return details with the before-arrival choices
// and the decision, and CSV/XLSX export of any table.
//
// It imports domain and locales only. Data comes through domain's services
// and the Sessions port declared here; cmd/indigo wires storage to them.
// Every page runs with the signed-in seller as the actor in its context, so
// storage scopes each query to that seller: another seller's return, store
// or file is simply not found.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/locales"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Sessions keeps sign-in links and browser sessions; storage implements it.
// Tokens are opaque strings: the implementation stores only their hashes.
type Sessions interface {
	// CreateLoginToken records the person acting in ctx ("telegram:42"):
	// the browser then acts as that member of the seller's team.
	CreateLoginToken(ctx context.Context, sellerID int64, ttl time.Duration) (string, error)
	// RedeemLoginToken uses up a link's token: it works once, before expiry.
	RedeemLoginToken(ctx context.Context, token string) (sellerID int64, person string, err error)
	CreateWebSession(ctx context.Context, sellerID int64, person string, ttl time.Duration) (token string, expires time.Time, err error)
	// FindLoginToken tells whose a link is and until when it works,
	// using nothing up; a used or expired link is not found.
	FindLoginToken(ctx context.Context, token string) (sellerID int64, expires time.Time, err error)
	FindWebSession(ctx context.Context, token string) (sellerID int64, person string, err error)
	DeleteWebSession(ctx context.Context, token string) error
}

// Deps is what the web view needs from the rest of Indigo.
type Deps struct {
	Returns     domain.ReturnService
	Sellers     domain.SellerService
	Stores      domain.StoreService
	Attachments domain.AttachmentService
	Shelf       domain.ShelfService // nil: resale on WB is off, the main page has no card for it
	Sessions    Sessions
	Locales     *locales.Bundle
	Log         *slog.Logger

	// PublicURL is how browsers reach the service, without a trailing
	// slash; sign-in links start with it, and https makes cookies Secure.
	PublicURL  string
	LoginTTL   time.Duration // how long a sign-in link works; 15 minutes if 0
	SessionTTL time.Duration // how long a browser stays signed in; 7 days if 0

	// A return's money and clocks (economics.go); each nil leaves its part
	// off the page. Now is the clock days left are counted by; nil is the
	// wall clock.
	Economics   domain.EconomicsService
	Decisions   domain.DecisionService
	PickupClock domain.PickupClockService
	Rules       domain.RuleService // the rules page (rules.go)
	// The accounts page (accounts.go): the ledger and the price list.
	Accounts domain.AccountService
	Tariffs  domain.TariffService
	Now      func() time.Time

	// Signing in from the chats: TelegramToken checks a Mini App's init
	// data (miniapp.go), WeChat is the Official Account's web
	// authorization (wxauth.go); each empty turns its way off.
	TelegramToken string
	WeChat        WeChatAuth
	// The cabinet's pages that act as the chat does (store.go,
	// support.go); each nil leaves its page saying it is off.
	Connector StoreConnector
	Support   SupportDesk
}

// Server serves the web view. It also makes sign-in links for the chat's
// /web command (LoginLink).
type Server struct {
	Deps
	links  *Links
	pages  map[string]*template.Template
	secure bool
	zones  sync.Map // time zone name → *time.Location
}

// NewServer parses the embedded templates and returns the web view.
func NewServer(d Deps) (*Server, error) {
	if d.LoginTTL == 0 {
		d.LoginTTL = 15 * time.Minute
	}
	if d.SessionTTL == 0 {
		d.SessionTTL = 7 * 24 * time.Hour
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.PublicURL = strings.TrimRight(d.PublicURL, "/")
	s := &Server{Deps: d, links: NewLinks(d.Sessions, d.PublicURL, d.LoginTTL),
		pages: map[string]*template.Template{}, secure: strings.HasPrefix(d.PublicURL, "https://")}
	for _, name := range []string{"list", "return", "confirm", "login", "signin", "error", "rules", "accounts",
		"miniapp", "profile", "support", "store"} {
		t, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return s, nil
}

// Links are the view's addresses, as the chats hand them out.
func (s *Server) Links() *Links { return s.links }

// Handler lists every route of the web view. cmd/indigo mounts it for the
// /web/ and /login/ trees.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /web/static/", http.StripPrefix("/web/static/", http.FileServerFS(static)))
	mux.Handle("GET /web", http.RedirectHandler("/web/", http.StatusMovedPermanently))
	// Whoever types the host lands on the returns, or signed out, on how
	// to sign in (seller's redirect).
	mux.Handle("GET /{$}", http.RedirectHandler("/web/", http.StatusSeeOther))

	mux.HandleFunc("GET /login/{token}", s.public(s.handleLoginPage))
	mux.HandleFunc("POST /login/{token}", s.public(s.handleLogin))
	mux.HandleFunc("GET /web/login", s.public(s.handleSignIn))
	mux.HandleFunc("GET /web/lang/{lang}", s.public(s.handleLanguage))
	mux.HandleFunc("POST /web/logout", s.seller(s.handleLogout))
	mux.HandleFunc("POST /web/lang", s.seller(s.handleSellerLanguage))
	mux.HandleFunc("GET /web/tg", s.public(s.handleMiniApp))
	mux.HandleFunc("POST /web/tg", s.public(s.handleMiniAppSignIn))
	mux.HandleFunc("GET /web/wx", s.public(s.handleWeChat))
	mux.HandleFunc("GET /web/wx/callback", s.public(s.handleWeChatCallback))

	mux.HandleFunc("GET /web/{$}", s.seller(s.handleMain))
	mux.HandleFunc("GET /web/tab/{tab}", s.seller(s.handleTab))
	mux.HandleFunc("GET /web/export.csv", s.seller(download(s.handleExportCSV)))
	mux.HandleFunc("GET /web/export.xlsx", s.seller(download(s.handleExportXLSX)))
	mux.HandleFunc("GET /web/returns/{id}", s.seller(s.handleReturn))
	mux.HandleFunc("POST /web/returns/{id}/choices", s.seller(s.handleChoices))
	mux.HandleFunc("GET /web/returns/{id}/decision", s.seller(s.handleDecisionConfirm))
	mux.HandleFunc("POST /web/returns/{id}/decision", s.seller(s.handleDecision))
	mux.HandleFunc("POST /web/returns/{id}/inspection", s.seller(s.handleInspection))
	mux.HandleFunc("POST /web/returns/{id}/undo", s.seller(s.handleUndo))
	mux.HandleFunc("GET /web/rules", s.seller(s.handleRules))
	mux.HandleFunc("POST /web/rules", s.seller(s.handleRuleCreate))
	mux.HandleFunc("POST /web/rules/default", s.seller(s.handleRuleDefault))
	mux.HandleFunc("POST /web/rules/{id}/move", s.seller(s.handleRuleMove))
	mux.HandleFunc("POST /web/rules/{id}/delete", s.seller(s.handleRuleDelete))
	mux.HandleFunc("GET /web/attachments/{id}", s.seller(download(s.handleAttachment)))
	mux.HandleFunc("GET /web/accounts", s.seller(s.handleAccounts))
	mux.HandleFunc("POST /web/accounts/method", s.seller(s.handleAccountMethod))
	mux.HandleFunc("GET /web/accounts/{month}/statement.xlsx", s.seller(download(s.handleStatementXLSX)))
	mux.HandleFunc("GET /web/profile", s.seller(s.handleProfile))
	mux.HandleFunc("POST /web/profile/address", s.seller(s.handleAddress))
	mux.HandleFunc("POST "+UploadPath, s.upload(s.handleDocument))
	mux.HandleFunc("GET /web/support", s.seller(s.handleSupport))
	mux.HandleFunc("POST /web/support", s.seller(s.handleSupportSend))
	mux.HandleFunc("GET /web/stores/new", s.seller(s.handleStoreNew))
	mux.HandleFunc("POST /web/stores", s.seller(s.handleStoreCreate))
	return securityHeaders(bounded(mux))
}

// request is one request to a page: the signed-in seller (nil on public
// pages), their language and time zone, and a context whose actor is them.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	seller  *domain.Seller
	session string // the session cookie's token
	l       *locales.Localizer
	loc     *time.Location
}

type handler func(rq *request) error

// public adapts a handler for pages that need no session. A POST must
// pass checkPost; its body is never read.
func (s *Server) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rq := &request{w: w, r: r, ctx: r.Context(), l: s.Locales.For(s.language(r, "")), loc: time.UTC}
		if r.Method == http.MethodPost {
			if err := s.checkPost(r); err != nil {
				s.serveError(rq, err)
				return
			}
		}
		if err := h(rq); err != nil {
			s.serveError(rq, err)
		}
	}
}

// seller adapts a handler for pages behind sign-in: without a live session
// the browser is sent to the sign-in help page. A POST must pass
// checkPost before anything else, and carry the session's form token.
func (s *Server) seller(h handler) http.HandlerFunc {
	return s.signedIn(s.checkPost, s.validForm, h)
}

// upload is seller for the one form that carries a file: its headers are
// judged by checkUpload, and the handler reads the body itself, checking
// the form token before the file (readUpload).
func (s *Server) upload(h handler) http.HandlerFunc {
	return s.signedIn(s.checkUpload, nil, h)
}

// signedIn runs h as the session's seller. check judges a POST's headers
// before the session is looked up; form, when set, reads and checks a
// POST's form once it is.
func (s *Server) signedIn(check func(*http.Request) error, form func(*request) error, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rq := &request{w: w, r: r, ctx: r.Context(), l: s.Locales.For(s.language(r, "")), loc: time.UTC}
		if r.Method == http.MethodPost {
			if err := check(r); err != nil {
				s.serveError(rq, err)
				return
			}
		}
		if target, err := s.signIn(rq); target != "" || err != nil {
			if err != nil {
				rq.ctx = r.Context()
				s.serveError(rq, err)
				return
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && form != nil {
			if err := form(rq); err != nil {
				s.serveError(rq, err)
				return
			}
		}
		if err := h(rq); err != nil {
			s.serveError(rq, err)
		}
	}
}

// signIn finds the session's seller and person and sets them on rq; a
// browser with none is sent (target) to the sign-in help page.
func (s *Server) signIn(rq *request) (target string, err error) {
	if c, err := rq.r.Cookie(SessionCookie); err == nil {
		rq.session = c.Value
	}
	sellerID, person, err := s.Sessions.FindWebSession(rq.r.Context(), rq.session)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		if rq.session != "" {
			return "/web/login?expired=1", nil
		}
		return "/web/login", nil
	}
	if err != nil {
		return "", err
	}
	rq.ctx = domain.NewContextWithActor(rq.r.Context(), domain.Actor{Kind: domain.ActorSeller, ID: sellerID})
	rq.seller, err = s.Sellers.FindSellerByID(rq.ctx, sellerID)
	if domain.ErrorCode(err) == domain.CodeNotFound { // the seller was deleted
		return "/web/login?expired=1", nil
	}
	if err != nil {
		return "", err
	}
	actor, member := rq.seller.ActorForPerson(person)
	if !member { // the person was removed from the seller's team
		return "/web/login?expired=1", nil
	}
	rq.ctx = domain.NewContextWithActor(rq.r.Context(), actor)
	rq.l = s.Locales.For(s.language(rq.r, string(rq.seller.Language)))
	rq.loc = s.zone(rq.seller.TimeZone)
	return "", nil
}

// zone returns a seller's time zone; dates are shown and filtered in it.
func (s *Server) zone(name string) *time.Location {
	if loc, ok := s.zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	s.zones.Store(name, loc)
	return loc
}

// statusOf maps domain's error codes to HTTP, once for every page.
var statusOf = map[domain.Code]int{
	domain.CodeInvalid:     http.StatusBadRequest,
	domain.CodeNotFound:    http.StatusNotFound,
	domain.CodeConflict:    http.StatusConflict,
	domain.CodeForbidden:   http.StatusForbidden,
	domain.CodeUnavailable: http.StatusServiceUnavailable,
	domain.CodeInternal:    http.StatusInternalServerError,
}

// serveError renders the error page in the reader's language. Only internal
// errors are logged; their detail never reaches the page.
func (s *Server) serveError(rq *request, err error) {
	code := domain.ErrorCode(err)
	if code == domain.CodeInternal {
		if errors.Is(err, context.Canceled) {
			return // the browser went away
		}
		s.Log.Error("web request", "method", rq.r.Method, "path", rq.r.URL.Path, "err", err)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	lay := s.layout(rq, rq.l.T("web.error.title"))
	s.render(rq, status, "error", struct {
		layout
		Message string
	}{lay, rq.l.T(domain.ErrorMsgID(err), domain.ErrorData(err))})
}

// render writes a page. Templates run into a buffer first so that a
// template error becomes a clean 500 instead of half a page.
func (s *Server) render(rq *request, status int, page string, data any) {
	var b strings.Builder
	if err := s.pages[page].ExecuteTemplate(&b, "layout", data); err != nil {
		s.Log.Error("web render", "page", page, "err", err)
		// The page itself failed: a plain line, still in the reader's language.
		http.Error(rq.w, rq.l.T("error.internal"), http.StatusInternalServerError)
		return
	}
	h := rq.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	rq.w.WriteHeader(status)
	_, _ = rq.w.Write([]byte(b.String()))
}

// securityHeaders keeps pages out of frames, other sites' scripts out of
// pages, and sign-in tokens out of Referer headers sent to other sites.
// (Not "no-referrer": with it, browsers send "Origin: null" on our own
// forms, which then look cross-site.)
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' https: data:; "+
			"media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
