package connector_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// The flow engine decides what to do with a failed write from its kind alone.
// Any error can be classified: connector errors, wrapped kinds, validation
// and state-machine errors from canonical, and context errors.
func ExampleKindOf() {
	errs := []error{
		connector.Errorf(connector.RateLimited, "shopify", "bucket full"),
		fmt.Errorf("apply order 1001: %w", &connector.Error{Kind: connector.Unauthorized, System: "erp", Status: 401}),
		fmt.Errorf("map order 1001: %w", &canonical.ValidationError{Entity: "SalesOrder",
			Errors: []canonical.FieldError{{Path: "lines[0].sku", Code: "required", Message: "is required"}}}),
		&canonical.TransitionError{Entity: "SalesOrder", From: "shipped", To: "cancelled"},
		context.DeadlineExceeded,
		errors.New("something else"),
	}
	for _, err := range errs {
		kind := connector.KindOf(err)
		var what string
		switch {
		case kind.Retryable():
			what = "retry"
		case kind == connector.Unauthorized || kind == connector.Forbidden:
			what = "stop the flow"
		default:
			what = "park for a person"
		}
		fmt.Printf("%-13s -> %s\n", kind, what)
	}
	// Output:
	// rate-limited  -> retry
	// unauthorized  -> stop the flow
	// invalid       -> park for a person
	// business-rule -> park for a person
	// transient     -> retry
	// unknown       -> retry
}

// A connector turns an HTTP failure into an *Error: the kind from the status,
// the platform's own code and wait, the cause kept with %w.
func ExampleErrorf() {
	cause := errors.New("429 Too Many Requests")
	err := connector.Errorf(connector.KindForStatus(http.StatusTooManyRequests), "shopify", "list orders: %w", cause)
	err.Op, err.Status, err.RetryAfter = "GET /orders.json", 429, 2*time.Second

	wrapped := fmt.Errorf("flow shop-orders: %w", err)
	fmt.Println(wrapped)
	fmt.Println(errors.Is(wrapped, connector.RateLimited), errors.Is(wrapped, cause), connector.RetryAfterOf(wrapped))

	var ce *connector.Error
	if errors.As(wrapped, &ce) {
		fmt.Println(ce.System, ce.Status)
	}
	// Output:
	// flow shop-orders: shopify GET /orders.json: rate-limited (HTTP 429): list orders: 429 Too Many Requests
	// true true 2s
	// shopify 429
}

// Versions tell a late change from a new one. Sequence numbers win when both
// sides have one, then updated-at times; opaque tags only tell equal from
// different.
func ExampleVersion_Compare() {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	pairs := [][2]connector.Version{
		{connector.SeqVersion(7), connector.SeqVersion(9)},
		{connector.TimeVersion(at.Add(time.Minute)), connector.TimeVersion(at)},
		{{Tag: `"abc"`}, {Tag: `"abd"`}},
	}
	for _, p := range pairs {
		c, ok := p[0].Compare(p[1])
		fmt.Printf("%s vs %s: %d %v\n", p[0], p[1], c, ok)
	}
	v, _ := connector.ParseVersion(connector.Version{Seq: 3, Tag: "a|b"}.String())
	fmt.Println(v.Seq, v.Tag)
	// Output:
	// s7 vs s9: -1 true
	// t2025-03-01T09:01:00Z vs t2025-03-01T09:00:00Z: 1 true
	// e"abc" vs e"abd": 0 false
	// 3 a|b
}

// CapabilitiesOf tells what a connector offers beyond the contract.
func ExampleCapabilitiesOf() {
	fmt.Printf("%+v\n", connector.CapabilitiesOf[order](fullSink{}))
	fmt.Printf("%+v\n", connector.CapabilitiesOf[order](plainSink{}))
	// Output:
	// {Batch:true Get:true Delete:true Webhooks:true}
	// {Batch:false Get:false Delete:false Webhooks:false}
}
