package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// Kind classifies a failure so the engine can decide from the kind alone whether
// to retry, park the record, or stop the flow. Connectors return raw kinds and
// never retry themselves.
//
// A Kind is itself an error, so it is the sentinel to test against:
//
//	if errors.Is(err, connector.RateLimited) { ... }
type Kind uint8

// The kinds of failure. Unknown is what KindOf reports for an error that carries
// no kind; the engine treats it as Transient.
const (
	Unknown      Kind = iota
	Transient         // network trouble, 5xx, timeouts: retry with backoff
	RateLimited       // 429 or a platform throttle: wait RetryAfter, then retry
	Unauthorized      // bad or expired credentials: stop the flow
	Forbidden         // credentials lack a permission: stop the flow
	NotFound          // the record does not exist in the system
	Conflict          // stale version or concurrent edit: re-read, retry once
	Invalid           // bad data, with field paths: park
	BusinessRule      // account on hold, order locked, ...: park for a person
	Unsupported       // the system cannot do this at all
)

var kindNames = [...]string{
	Unknown:      "unknown",
	Transient:    "transient",
	RateLimited:  "rate-limited",
	Unauthorized: "unauthorized",
	Forbidden:    "forbidden",
	NotFound:     "not-found",
	Conflict:     "conflict",
	Invalid:      "invalid",
	BusinessRule: "business-rule",
	Unsupported:  "unsupported",
}

// String returns the kind's stable name, such as "rate-limited".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error makes a Kind usable as a sentinel with errors.Is.
func (k Kind) Error() string { return k.String() }

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return Unknown, fmt.Errorf("connector: unknown error kind %q", s)
}

// Retryable reports whether the engine may try the same call again.
func (k Kind) Retryable() bool { return k == Transient || k == RateLimited || k == Unknown }

// Error is the typed error every connector returns. Build one with Errorf and
// set the fields that apply; inspect one with errors.As.
type Error struct {
	Kind   Kind
	System string // the system that failed, such as "shopify"
	Op     string // the operation, such as "orders.list" or "POST /salesOrders"
	// Message says what went wrong in words a user can act on.
	Message string
	// Code is the system's own error code, when it gives one.
	Code string
	// Status is the HTTP status, when there was a response.
	Status int
	// RetryAfter is how long the system asked us to wait (RateLimited).
	RetryAfter time.Duration
	// Fields lists bad fields (Invalid), with paths in the system's payload or the
	// canonical entity.
	Fields []canonical.FieldError
	// Body is the system's own error body, kept verbatim.
	Body []byte
	// Err is the underlying cause, if any.
	Err error
}

// Errorf builds an Error of the given kind for a system. The format follows
// fmt.Errorf; a %w verb sets Err to its operand, and several %w verbs set Err
// to the errors.Join of theirs.
func Errorf(kind Kind, system, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	e := &Error{Kind: kind, System: system, Message: wrapped.Error()}
	switch u := wrapped.(type) {
	case interface{ Unwrap() error }:
		e.Err = u.Unwrap()
	case interface{ Unwrap() []error }:
		e.Err = errors.Join(u.Unwrap()...)
	}
	return e
}

// Error renders "system op: kind: message" and the field problems.
func (e *Error) Error() string {
	var b strings.Builder
	if e.System != "" {
		b.WriteString(e.System)
	}
	if e.Op != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.Op)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the kind sentinel: errors.Is(err, connector.Conflict).
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// FieldErrors returns the field problems, so an Invalid Error carries its paths
// the same way canonical.ValidationError does.
func (e *Error) FieldErrors() []canonical.FieldError { return e.Fields }

// KindOf classifies any error:
//   - an *Error (anywhere in the chain) gives its Kind; one whose Kind is
//     Unknown (an Error that only adds System or Op) is classified by its Err,
//     so KindOf agrees with errors.Is;
//   - an error with a FieldErrors() []canonical.FieldError method (canonical and
//     mapping validation errors) is Invalid;
//   - an error with a BusinessRule() bool method returning true is BusinessRule;
//   - context.Canceled and context.DeadlineExceeded are Transient;
//   - anything else is Unknown.
func KindOf(err error) Kind {
	if err == nil {
		return Unknown
	}
	var ce *Error
	if errors.As(err, &ce) {
		if ce.Kind == Unknown && ce.Err != nil {
			return KindOf(ce.Err)
		}
		return ce.Kind
	}
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	var fe interface{ FieldErrors() []canonical.FieldError }
	if errors.As(err, &fe) {
		return Invalid
	}
	var br interface{ BusinessRule() bool }
	if errors.As(err, &br) && br.BusinessRule() {
		return BusinessRule
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Transient
	}
	return Unknown
}

// KindForStatus maps an HTTP status to a kind. Platform packages refine it with
// the system's own error codes.
func KindForStatus(status int) Kind {
	switch {
	case status == http.StatusTooManyRequests:
		return RateLimited
	case status == http.StatusUnauthorized:
		return Unauthorized
	case status == http.StatusForbidden:
		return Forbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		return NotFound
	case status == http.StatusConflict || status == http.StatusPreconditionFailed:
		return Conflict
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return Invalid
	case status == http.StatusNotImplemented || status == http.StatusMethodNotAllowed:
		return Unsupported
	case status == http.StatusRequestTimeout || status >= 500:
		return Transient
	case status >= 400:
		return Invalid
	}
	return Unknown
}

// RetryAfterOf returns the wait a rate-limited error asks for, or zero.
func RetryAfterOf(err error) time.Duration {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.RetryAfter
	}
	return 0
}
