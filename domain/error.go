package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error for the edges: web maps it to an HTTP status,
// conversations to a re-prompt. Only CodeInternal is logged.
type Code string

// Error codes, in the vocabulary every edge understands.
const (
	CodeInvalid     Code = "invalid"
	CodeNotFound    Code = "not_found"
	CodeConflict    Code = "conflict"
	CodeForbidden   Code = "forbidden"
	CodeUnavailable Code = "unavailable"
	CodeInternal    Code = "internal"
)

// Error is the one error type that crosses package boundaries. It carries a
// locales message id instead of English text, so each edge can translate it
// into the reader's language.
type Error struct {
	Code  Code           // what kind of failure, for the edges
	MsgID string         // locales id shown to the person, e.g. "error.token.expired"
	Data  map[string]any // template data for MsgID
	Err   error          // the cause, for logs only; never shown to a person
}

// Errorf builds an *Error with a message id and optional template data.
func Errorf(code Code, msgID string, data map[string]any) *Error {
	return &Error{Code: code, MsgID: msgID, Data: data}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%s): %v", e.MsgID, e.Code, e.Err)
	}
	return fmt.Sprintf("%s (%s)", e.MsgID, e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, CodeInternal
// for any other non-nil error and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMsgID returns the locales id to show for err; internal failures all
// read as the same apology so that no detail leaks.
func ErrorMsgID(err error) string {
	var e *Error
	if errors.As(err, &e) && e.MsgID != "" {
		return e.MsgID
	}
	return "error.internal"
}

// ErrorData returns the template data that goes with ErrorMsgID(err).
func ErrorData(err error) map[string]any {
	var e *Error
	if errors.As(err, &e) {
		return e.Data
	}
	return nil
}
