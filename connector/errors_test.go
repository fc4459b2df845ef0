package connector_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// The names are stable: stores persist them and users match on them.
var kindNames = []struct {
	kind connector.Kind
	name string
}{
	{connector.Unknown, "unknown"},
	{connector.Transient, "transient"},
	{connector.RateLimited, "rate-limited"},
	{connector.Unauthorized, "unauthorized"},
	{connector.Forbidden, "forbidden"},
	{connector.NotFound, "not-found"},
	{connector.Conflict, "conflict"},
	{connector.Invalid, "invalid"},
	{connector.BusinessRule, "business-rule"},
	{connector.Unsupported, "unsupported"},
}

func TestKindNamesRoundTrip(t *testing.T) {
	for _, tt := range kindNames {
		if got := tt.kind.String(); got != tt.name {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(tt.kind), got, tt.name)
		}
		if got := tt.kind.Error(); got != tt.name {
			t.Errorf("Kind(%d).Error() = %q, want %q", uint8(tt.kind), got, tt.name)
		}
		k, err := connector.ParseKind(tt.name)
		if err != nil || k != tt.kind {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", tt.name, k, err, tt.kind)
		}
	}
	if got := connector.Kind(200).String(); got != "kind(200)" {
		t.Errorf("out-of-range kind renders %q", got)
	}
	for _, bad := range []string{"", "Transient", "kind(200)", "rate_limited"} {
		if k, err := connector.ParseKind(bad); err == nil {
			t.Errorf("ParseKind(%q) = %v, want an error", bad, k)
		}
	}
}

func TestKindRetryable(t *testing.T) {
	retryable := map[connector.Kind]bool{
		connector.Unknown: true, connector.Transient: true, connector.RateLimited: true,
	}
	for _, tt := range kindNames {
		if got := tt.kind.Retryable(); got != retryable[tt.kind] {
			t.Errorf("%s.Retryable() = %v, want %v", tt.kind, got, retryable[tt.kind])
		}
	}
}

func TestErrorf(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	other := errors.New("socket closed")
	tests := []struct {
		name    string
		err     *connector.Error
		msg     string
		causes  []error // errors.Is must find each
		wantErr bool    // Err is set
	}{
		{
			name: "no cause",
			err:  connector.Errorf(connector.Invalid, "erp", "sku %q unknown", "X1"),
			msg:  `sku "X1" unknown`,
		},
		{
			name:    "one %w",
			err:     connector.Errorf(connector.Transient, "shop", "list orders: %w", cause),
			msg:     "list orders: unexpected EOF",
			causes:  []error{cause},
			wantErr: true,
		},
		{
			name:    "two %w",
			err:     connector.Errorf(connector.Transient, "shop", "read: %w; close: %w", cause, other),
			msg:     "read: unexpected EOF; close: socket closed",
			causes:  []error{cause, other},
			wantErr: true,
		},
		{
			name: "%v does not wrap",
			err:  connector.Errorf(connector.Transient, "shop", "list orders: %v", cause),
			msg:  "list orders: unexpected EOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Message != tt.msg {
				t.Errorf("Message = %q, want %q", tt.err.Message, tt.msg)
			}
			if (tt.err.Err != nil) != tt.wantErr {
				t.Errorf("Err = %v, want set %v", tt.err.Err, tt.wantErr)
			}
			if tt.err.Kind == connector.Unknown || tt.err.System == "" {
				t.Errorf("kind and system not set: %+v", tt.err)
			}
			for _, c := range tt.causes {
				if !errors.Is(tt.err, c) {
					t.Errorf("errors.Is(err, %v) = false", c)
				}
			}
			if !errors.Is(tt.err, tt.err.Kind) {
				t.Errorf("errors.Is(err, %s) = false", tt.err.Kind)
			}
		})
	}
	if errors.Is(connector.Errorf(connector.Transient, "shop", "x: %v", cause), cause) {
		t.Errorf("a %%v verb must not wrap its operand")
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *connector.Error
		want string
	}{
		{&connector.Error{}, "unknown"},
		{&connector.Error{Kind: connector.NotFound, System: "erp"}, "erp: not-found"},
		{&connector.Error{Kind: connector.NotFound, Op: "GET /items/7"}, "GET /items/7: not-found"},
		{
			&connector.Error{Kind: connector.RateLimited, System: "shopify", Op: "orders.list", Status: 429, Message: "slow down"},
			"shopify orders.list: rate-limited (HTTP 429): slow down",
		},
		{
			&connector.Error{Kind: connector.Invalid, System: "erp", Message: "order refused", Fields: []canonical.FieldError{
				{Path: "lines[2].quantity", Code: "positive", Message: "must be positive"},
				{Code: "currency_mismatch", Message: "currencies differ"},
			}},
			"erp: invalid: order refused: lines[2].quantity: must be positive (positive); currencies differ (currency_mismatch)",
		},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q\nwant      %q", got, tt.want)
		}
	}
}

func TestErrorIsAndAsThroughWrapping(t *testing.T) {
	base := &connector.Error{Kind: connector.Conflict, System: "erp", Op: "PATCH /salesOrders", Status: http.StatusPreconditionFailed}
	wrapped := fmt.Errorf("flow shop-to-erp: key 1001: %w", fmt.Errorf("apply: %w", base))

	if !errors.Is(wrapped, connector.Conflict) {
		t.Error("errors.Is(wrapped, Conflict) = false")
	}
	for _, k := range []connector.Kind{connector.Unknown, connector.Transient, connector.Invalid} {
		if errors.Is(wrapped, k) {
			t.Errorf("errors.Is(wrapped, %s) = true for a Conflict", k)
		}
	}
	var ce *connector.Error
	if !errors.As(wrapped, &ce) || ce != base {
		t.Fatalf("errors.As did not find the *Error: %v", ce)
	}
	if ce.Status != 412 || ce.Op != "PATCH /salesOrders" {
		t.Errorf("fields lost: %+v", ce)
	}

	// A bare kind works as an error too.
	if err := fmt.Errorf("lookup: %w", connector.NotFound); !errors.Is(err, connector.NotFound) || errors.Is(err, connector.Conflict) {
		t.Error("a wrapped Kind sentinel does not match itself only")
	}
}

func TestFieldErrorsAndRetryAfter(t *testing.T) {
	fields := []canonical.FieldError{{Path: "email", Code: "required", Message: "is required"}}
	err := fmt.Errorf("apply: %w", &connector.Error{Kind: connector.Invalid, Fields: fields})
	var fe interface{ FieldErrors() []canonical.FieldError }
	if !errors.As(err, &fe) || len(fe.FieldErrors()) != 1 || fe.FieldErrors()[0].Path != "email" {
		t.Errorf("field paths not reachable through errors.As: %v", err)
	}

	rl := fmt.Errorf("list: %w", &connector.Error{Kind: connector.RateLimited, RetryAfter: 30 * time.Second})
	if got := connector.RetryAfterOf(rl); got != 30*time.Second {
		t.Errorf("RetryAfterOf = %v, want 30s", got)
	}
	if got := connector.RetryAfterOf(errors.New("x")); got != 0 {
		t.Errorf("RetryAfterOf(plain) = %v, want 0", got)
	}
	if got := connector.RetryAfterOf(nil); got != 0 {
		t.Errorf("RetryAfterOf(nil) = %v, want 0", got)
	}
}

// notRule has a BusinessRule method that says no.
type notRule struct{}

func (notRule) Error() string      { return "not a rule" }
func (notRule) BusinessRule() bool { return false }

func TestKindOf(t *testing.T) {
	validation := &canonical.ValidationError{Entity: "SalesOrder", Errors: []canonical.FieldError{
		{Path: "lines", Code: "required", Message: "is required"}}}
	transition := &canonical.TransitionError{Entity: "SalesOrder", From: "shipped", To: "cancelled"}
	tests := []struct {
		name string
		err  error
		want connector.Kind
	}{
		{"nil", nil, connector.Unknown},
		{"plain", errors.New("boom"), connector.Unknown},
		{"*Error", &connector.Error{Kind: connector.Forbidden}, connector.Forbidden},
		{"wrapped *Error", fmt.Errorf("a: %w", connector.Errorf(connector.RateLimited, "s", "x")), connector.RateLimited},
		{"Kind sentinel", connector.NotFound, connector.NotFound},
		{"wrapped Kind sentinel", fmt.Errorf("get 7: %w", connector.Unsupported), connector.Unsupported},
		{"ValidationError", validation, connector.Invalid},
		{"wrapped ValidationError", fmt.Errorf("map: %w", validation), connector.Invalid},
		{"TransitionError", transition, connector.BusinessRule},
		{"wrapped TransitionError", fmt.Errorf("apply: %w", transition), connector.BusinessRule},
		{"BusinessRule false", notRule{}, connector.Unknown},
		{"context.Canceled", context.Canceled, connector.Transient},
		{"context.DeadlineExceeded", fmt.Errorf("GET: %w", context.DeadlineExceeded), connector.Transient},
		{"*Error wins over its cause", connector.Errorf(connector.Conflict, "erp", "refused: %w", validation), connector.Conflict},
		{"*Error without kind: its cause decides", &connector.Error{System: "erp", Op: "apply", Err: context.Canceled}, connector.Transient},
		{"*Error without kind or cause", &connector.Error{System: "erp"}, connector.Unknown},
		{"*Error without kind around an *Error", &connector.Error{Op: "retry", Err: connector.Errorf(connector.Invalid, "erp", "bad")}, connector.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := connector.KindOf(tt.err)
			if got != tt.want {
				t.Errorf("KindOf(%v) = %s, want %s", tt.err, got, tt.want)
			}
			// Where the kind is carried (an *Error or a Kind in the chain, not
			// a context error), KindOf and errors.Is agree.
			var ce *connector.Error
			var k connector.Kind
			carried := (errors.As(tt.err, &ce) || errors.As(tt.err, &k)) &&
				!errors.Is(tt.err, context.Canceled) && !errors.Is(tt.err, context.DeadlineExceeded)
			if carried && tt.want != connector.Unknown && !errors.Is(tt.err, tt.want) {
				t.Errorf("errors.Is(err, %s) = false, but KindOf says %s", tt.want, got)
			}
		})
	}
}

func TestKindForStatus(t *testing.T) {
	tests := []struct {
		status int
		want   connector.Kind
	}{
		{0, connector.Unknown},
		{200, connector.Unknown},
		{204, connector.Unknown},
		{304, connector.Unknown},
		{400, connector.Invalid},
		{401, connector.Unauthorized},
		{403, connector.Forbidden},
		{404, connector.NotFound},
		{405, connector.Unsupported},
		{408, connector.Transient},
		{409, connector.Conflict},
		{410, connector.NotFound},
		{412, connector.Conflict},
		{413, connector.Invalid},
		{418, connector.Invalid},
		{422, connector.Invalid},
		{429, connector.RateLimited},
		{500, connector.Transient},
		{501, connector.Unsupported},
		{502, connector.Transient},
		{503, connector.Transient},
		{504, connector.Transient},
		{599, connector.Transient},
	}
	for _, tt := range tests {
		if got := connector.KindForStatus(tt.status); got != tt.want {
			t.Errorf("KindForStatus(%d) = %s, want %s", tt.status, got, tt.want)
		}
	}
}
