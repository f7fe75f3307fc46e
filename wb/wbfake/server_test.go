package wbfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

// exchange is one raw HTTP request to the fake, as WB's users would send it.
type exchange struct {
	method, host, path, auth, body string
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func send(t *testing.T, s *wbfake.Server, x exchange) answer {
	t.Helper()
	if x.method == "" {
		x.method = http.MethodGet
	}
	req, err := http.NewRequest(x.method, s.URL+x.path, strings.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	if x.host != "" {
		req.Host = x.host
	}
	req.Header.Set("Authorization", x.auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

func TestGateway(t *testing.T) {
	s := wbfake.New()
	t.Cleanup(s.Close)
	full := s.IssueToken(wbfake.TokenOptions{})
	contentOnly := s.IssueToken(wbfake.TokenOptions{Scopes: wbfake.ScopeContent})
	readOnly := s.IssueToken(wbfake.TokenOptions{ReadOnly: true})
	test := s.IssueToken(wbfake.TokenOptions{Test: true})

	for _, tt := range []struct {
		name   string
		x      exchange
		status int
		field  string // body field to check
		want   string
	}{
		{"OKPing", exchange{host: "returns-api.wildberries.ru", path: "/ping", auth: full}, 200, "Status", "OK"},
		{"OKBearer", exchange{path: "/ping", auth: "Bearer " + full}, 200, "Status", "OK"},
		{"ErrNoToken", exchange{path: "/ping"}, 401, "title", "unauthorized"},
		{"ErrScopeBeforeRouting", exchange{host: "returns-api.wildberries.ru", path: "/api/v1/nowhere", auth: contentOnly},
			401, "detail", "token scope not allowed"},
		{"ErrScopeByPath", exchange{path: "/api/v1/claims?is_archive=false", auth: contentOnly},
			401, "detail", "token scope not allowed"},
		{"ErrUnknownPath", exchange{host: "returns-api.wildberries.ru", path: "/api/v1/nowhere", auth: full},
			404, "title", "path not found"},
		{"ErrPathOnOtherHost", exchange{host: "content-api.wildberries.ru", path: "/api/v1/claims?is_archive=false", auth: full},
			404, "title", "path not found"},
		{"ErrTestTokenOnProd", exchange{path: "/ping", auth: test}, 401, "detail", "token scope not allowed"},
		{"OKTestTokenOnSandbox", exchange{host: "content-api-sandbox.wildberries.ru", path: "/ping", auth: test}, 200, "Status", "OK"},
		{"ErrReadOnlyWrite", exchange{method: "PATCH", path: "/api/v1/claim", auth: readOnly, body: `{"id":"x","action":"approve1"}`},
			401, "detail", "token scope not allowed"},
		{"ErrClaimsNoArchive", exchange{path: "/api/v1/claims", auth: full}, 400, "title", "Invalid query params"},
		{"ErrClaimAction", exchange{method: "PATCH", path: "/api/v1/claim", auth: full, body: `{"id":"x"}`},
			400, "title", "Validation error"},
		{"ErrReportDateTime", exchange{path: "/api/v1/analytics/goods-return?dateFrom=2026-11-01T00:00:00&dateTo=2026-11-02", auth: full},
			400, "detail", "can't parse dateFrom"},
		{"ErrReportTooLong", exchange{path: "/api/v1/analytics/goods-return?dateFrom=2026-09-01&dateTo=2026-11-02", auth: full},
			400, "detail", "difference between dateFrom and dateTo should be less or equal 31 days"},
		{"ErrReportNoDate", exchange{path: "/api/v1/analytics/goods-return?dateTo=2026-11-02", auth: full},
			400, "detail", `parameter "dateFrom" in query has an error: value is required but missing`},
		{"ErrOrdersNoLimit", exchange{path: "/api/v3/orders", auth: full}, 400, "code", "IncorrectParameter"},
		{"ErrStocksUnknownWarehouse", exchange{method: "PUT", path: "/api/v3/stocks/1", auth: full, body: `{"stocks":[{"sku":"1","amount":1}]}`},
			404, "code", "NotFound"},
		{"ErrCardsLimit", exchange{method: "POST", path: "/content/v2/get/cards/list", auth: full,
			body: `{"settings":{"cursor":{"limit":500}}}`}, 400, "errorText", "Limit must be 1..100"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := send(t, s, tt.x)
			if a.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", a.status, tt.status, a.raw)
			}
			if got, _ := a.body[tt.field].(string); got != tt.want {
				t.Errorf("%s = %q, want %q (%s)", tt.field, got, tt.want, a.raw)
			}
			if tt.status == 401 || tt.want == "path not found" {
				for _, k := range []string{"title", "detail", "code", "requestId", "origin", "status", "statusText", "timestamp"} {
					if _, ok := a.body[k]; !ok && !(k == "code" && tt.status == 404) {
						t.Errorf("gateway body lacks %s: %s", k, a.raw)
					}
				}
			}
		})
	}
}

// TestLimits: /ping allows 3 per 30 s per host, then 429 with
// X-Ratelimit-Retry; FBS 4XX answers cost ten requests.
func TestLimits(t *testing.T) {
	s := wbfake.New()
	t.Cleanup(s.Close)
	tok := s.IssueToken(wbfake.TokenOptions{})

	t.Run("Ping", func(t *testing.T) {
		ping := exchange{host: "content-api.wildberries.ru", path: "/ping", auth: tok}
		for i := range 3 {
			if a := send(t, s, ping); a.status != 200 || a.header.Get("X-Ratelimit-Remaining") != strconv.Itoa(2-i) {
				t.Fatalf("ping %d: %d remaining %q", i, a.status, a.header.Get("X-Ratelimit-Remaining"))
			}
		}
		a := send(t, s, ping)
		if retry, _ := strconv.Atoi(a.header.Get("X-Ratelimit-Retry")); a.status != 429 || retry < 1 || a.body["title"] != "too many requests" {
			t.Fatalf("4th ping: %d retry %q %s", a.status, a.header.Get("X-Ratelimit-Retry"), a.raw)
		}
		ping.host = "returns-api.wildberries.ru"
		if a := send(t, s, ping); a.status != 200 {
			t.Errorf("ping on another host: %d, want its own bucket", a.status)
		}
	})

	t.Run("FBSPenalty", func(t *testing.T) {
		orders := exchange{path: "/api/v3/orders/new", auth: tok}
		s.FailNext(orders.path, 409, 1)
		if a := send(t, s, orders); a.status != 409 || a.body["code"] == nil {
			t.Fatalf("fault: %d %s", a.status, a.raw)
		}
		// 20 burst − 1 − 9 penalty − 1 = 9, give or take the refill since.
		a := send(t, s, orders)
		if rem, _ := strconv.Atoi(a.header.Get("X-Ratelimit-Remaining")); a.status != 200 || rem < 9 || rem > 11 {
			t.Errorf("after a 409: %d remaining %d, want 9", a.status, rem)
		}
	})
}
