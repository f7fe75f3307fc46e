package wb

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Errors an *APIError matches with errors.Is.
var (
	// ErrTokenRejected: WB answered 401. The token is expired, revoked,
	// malformed or lacks the host's category; the seller must enter a new one.
	ErrTokenRejected = errors.New("wb rejected the token")
	// ErrMissingScope: the token lacks a category or permission for the call
	// (403, or 401 "token scope not allowed", which is how WB reports a
	// missing category bit).
	ErrMissingScope = errors.New("token lacks the category or permission")
	// ErrRateLimited: WB answered 429 and retrying was not possible within
	// MaxRetries or the context's deadline, or the local limiter would have
	// had to wait past the deadline.
	ErrRateLimited = errors.New("wb rate limit")
	// ErrPageLimit: a listing had more pages than Config.MaxPages; the items
	// read so far are returned with it.
	ErrPageLimit = errors.New("page limit reached")
)

// APIError is a non-2xx answer from WB, decoded from whichever of WB's error
// body shapes the host uses (wb-api.md §4.2).
type APIError struct {
	Method    string
	Path      string
	Status    int
	Title     string          // gateway/problem title, or content's errorText
	Detail    string          // gateway detail, marketplace message, or plain-text body
	Code      string          // marketplace business code (e.g. SupplyHasZeroOrders) or gateway code
	RequestID string          // quote it to WB support
	Origin    string          // WB's internal service
	Data      json.RawMessage // marketplace error data, when present
}

// Error names the call, the status and WB's explanation; never the token.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wb %s %s: %d", e.Method, e.Path, e.Status)
	for _, s := range []string{e.Title, e.Code, e.Detail} {
		if s != "" {
			b.WriteString(" ")
			b.WriteString(s)
		}
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	return b.String()
}

// Is lets callers branch on the kind of failure without knowing statuses.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrTokenRejected:
		return e.Status == 401
	case ErrMissingScope:
		return e.Status == 403 || (e.Status == 401 && strings.Contains(e.Detail, "scope not allowed"))
	case ErrRateLimited:
		return e.Status == 429
	}
	return false
}

// Code returns WB's business code of a refusal (SupplyShippingRequired,
// FailedToAddSupplyOrder, …), "" for other errors. The newer
// /api/marketplace/v3/fbs methods carry it as the problem body's title.
func Code(err error) string {
	var e *APIError
	if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Status == 429 {
		return ""
	}
	if e.Code != "" && !strings.Contains(e.Code, "-") {
		return e.Code
	}
	if e.Title != "" && !strings.Contains(e.Title, " ") {
		return e.Title
	}
	return e.Code
}

// Status returns the HTTP status of a WB refusal, 0 for other errors.
func Status(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// parseAPIError reads any of WB's error shapes: the gateway's problem body,
// marketplace's {code,message,data} (also as an array on stock updates),
// content's {error,errorText,additionalErrors} envelope, or plain text.
func parseAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: status}
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "[") {
		var arr []json.RawMessage
		if json.Unmarshal(body, &arr) == nil && len(arr) > 0 {
			body = arr[0]
			trimmed = string(arr[0])
		}
	}
	var w struct {
		Title            string          `json:"title"`
		Detail           string          `json:"detail"`
		Code             json.RawMessage `json:"code"`
		Message          string          `json:"message"`
		RequestID        string          `json:"requestId"`
		Origin           string          `json:"origin"`
		Data             json.RawMessage `json:"data"`
		ErrorText        string          `json:"errorText"`
		AdditionalErrors json.RawMessage `json:"additionalErrors"`
	}
	if !strings.HasPrefix(trimmed, "{") || json.Unmarshal(body, &w) != nil {
		e.Detail = clip(trimmed, 300)
		return e
	}
	e.Title, e.Detail, e.RequestID, e.Origin = w.Title, w.Detail, w.RequestID, w.Origin
	if e.Title == "" {
		e.Title = w.ErrorText
	}
	if e.Detail == "" {
		e.Detail = w.Message
	}
	if e.Detail == "" && len(w.AdditionalErrors) > 0 && string(w.AdditionalErrors) != "null" {
		e.Detail = clip(strings.Trim(string(w.AdditionalErrors), `"`), 300)
	}
	var code string
	if json.Unmarshal(w.Code, &code) == nil {
		e.Code = code
	}
	if len(w.Data) > 0 && string(w.Data) != "null" && w.ErrorText == "" {
		e.Data = w.Data
	}
	return e
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
