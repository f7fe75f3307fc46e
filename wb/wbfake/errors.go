package wbfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// writeJSON writes v with status; nil v writes no body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func requestID() string { return strings.ReplaceAll(newUUID(), "-", "") }

// gatewayTitles are the titles of WB's gateway errors (wb-api.md §4.2a).
var gatewayTitles = map[int]string{
	http.StatusUnauthorized:    "unauthorized",
	http.StatusForbidden:       "forbidden",
	http.StatusNotFound:        "path not found",
	http.StatusTooManyRequests: "too many requests",
}

// writeGateway writes the gateway's problem body: 401, 403, 404, 429, 5xx.
func writeGateway(w http.ResponseWriter, status int, detail string) {
	title := gatewayTitles[status]
	if title == "" {
		title = strings.ToLower(http.StatusText(status))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"title": title, "detail": detail,
		"code":      fmt.Sprintf("07e4668e-%s-[UK-fake]", requestID()[:12]),
		"requestId": requestID(), "origin": "s2s-api-auth-catalog",
		"status": status, "statusText": http.StatusText(status),
		"timestamp": time.Now().UTC().Format(time.RFC3339),
	})
}

// writeMarketplace writes FBS's business error {code, message, data}.
func writeMarketplace(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message, "data": nil})
}

// writeProblem writes returns-api's and analytics' 400 body.
func writeProblem(w http.ResponseWriter, status int, title, detail, origin string) {
	body := map[string]any{"title": title, "detail": detail, "requestId": requestID()}
	if origin != "" {
		body["origin"] = origin
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// writeContent writes the Content API's error envelope.
func writeContent(w http.ResponseWriter, status int, text string) {
	writeJSON(w, status, map[string]any{"data": nil, "error": true, "errorText": text, "additionalErrors": text})
}

// writeFault answers an injected failure in the shape the host uses for it.
func (s *Server) writeFault(w http.ResponseWriter, rt route, f fault) {
	switch {
	case f.body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.body))
	case f.status == http.StatusTooManyRequests:
		h := w.Header()
		h.Set("X-Ratelimit-Retry", "1")
		h.Set("X-Ratelimit-Reset", "1")
		h.Set("X-Ratelimit-Remaining", "0")
		writeGateway(w, f.status, "limited by fault injection")
	case f.status >= 500 || f.status == 401 || f.status == 403 || f.status == 404:
		writeGateway(w, f.status, "injected failure")
	case rt.cat == "marketplace":
		writeMarketplace(w, f.status, "IncorrectRequest", "Переданы некорректные данные")
	case rt.cat == "content":
		writeContent(w, f.status, "Injected failure")
	default:
		writeProblem(w, f.status, "Bad Request", "injected failure", "")
	}
}
