package shopify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

func TestHTTPErrors(t *testing.T) {
	cases := []struct {
		name    string
		opts    shopifytest.Options
		cfg     Config
		wantErr connector.Kind
	}{
		{"bad token", shopifytest.Options{}, Config{Token: "wrong"}, connector.Unauthorized},
		{"unknown version", shopifytest.Options{}, Config{APIVersion: "2019-04"}, connector.NotFound},
		{"5xx burst retried", shopifytest.Options{Faults: shopifytest.Faults{ServerErrors: 2}}, Config{}, connector.Unknown},
		{"5xx beyond retries", shopifytest.Options{Faults: shopifytest.Faults{ServerErrors: 10}}, Config{Retry: httpx.Retry{MaxAttempts: 3}}, connector.Transient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts, tc.cfg)
			_, err := e.shop.Ping(context.Background())
			if tc.wantErr == connector.Unknown {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != tc.wantErr {
				t.Fatalf("got %v, want kind %s", err, tc.wantErr)
			}
			if len(ce.Body) == 0 || ce.Op != "shop.get" || ce.System != DefaultSystem {
				t.Errorf("error %+v lacks body, op or system", ce)
			}
		})
	}
}

func TestGraphQLErrorKinds(t *testing.T) {
	cases := []struct {
		body string
		kind connector.Kind
		code string
	}{
		{`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":50,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":10,"restoreRate":50.0}}}}`, connector.RateLimited, "THROTTLED"},
		{`{"errors":[{"message":"Access denied for orders field.","extensions":{"code":"ACCESS_DENIED"}}]}`, connector.Forbidden, "ACCESS_DENIED"},
		{`{"errors":[{"message":"Internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`, connector.Transient, "INTERNAL_SERVER_ERROR"},
		{`{"errors":[{"message":"Field 'x' doesn't exist on type 'Order'","extensions":{"code":"undefinedField"}}]}`, connector.Invalid, "undefinedField"},
		{`{"data":{"shop":{"name":"x"}}}`, connector.Unknown, ""},
	}
	for _, tc := range cases {
		err := checkGraphQL(nil, []byte(tc.body))
		if tc.kind == connector.Unknown {
			if err != nil {
				t.Errorf("%s: got %v, want nil", tc.body, err)
			}
			continue
		}
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != tc.kind || ce.Code != tc.code || string(ce.Body) != tc.body {
			t.Errorf("%s: got %+v, want kind %s code %s with the body", tc.body, err, tc.kind, tc.code)
		}
		if tc.kind == connector.RateLimited && ce.RetryAfter.Seconds() != 0.8 {
			t.Errorf("retry after %v, want 800ms for 40 missing points at 50/s", ce.RetryAfter)
		}
	}
}

func TestFieldPath(t *testing.T) {
	for in, want := range map[string][]string{
		"input.quantities[0].compareQuantity":                                  {"input", "quantities", "0", "compareQuantity"},
		"fulfillment.lineItemsByFulfillmentOrder[1].fulfillmentOrderLineItems": {"fulfillment", "lineItemsByFulfillmentOrder", "1", "fulfillmentOrderLineItems"},
		"": nil,
	} {
		if got := fieldPath(want); got != in {
			t.Errorf("fieldPath(%q) = %q, want %q", want, got, in)
		}
	}
}

func stock(sku, loc string, qty, seq int64) connector.Write[canonical.StockLevel] {
	q := canonical.Qty(qty, canonical.UnitOne)
	return connector.Write[canonical.StockLevel]{
		Change:         connector.Change[canonical.StockLevel]{Key: sku + "@" + loc, Version: connector.SeqVersion(seq), Entity: canonical.StockLevel{SKU: sku, Location: loc, OnHand: q, Available: q, AsOf: epoch, Sequence: seq}},
		IdempotencyKey: sku + loc + string(rune('0'+seq)),
	}
}

func TestInventoryErrors(t *testing.T) {
	loc := shopifytest.DefaultLocation
	cases := []struct {
		name  string
		write connector.Write[canonical.StockLevel]
		kind  connector.Kind
		path  string
	}{
		{"unknown sku", stock("NOPE", loc, 1, 1), connector.NotFound, ""},
		{"unknown location", stock("INV-1", "Moon base", 1, 1), connector.Invalid, "location"},
		{"fractional", func() connector.Write[canonical.StockLevel] {
			w := stock("INV-1", loc, 1, 1)
			w.Entity.Available.Value = canonical.MustDecimal("1.5")
			w.Entity.OnHand.Value = canonical.MustDecimal("1.5")
			return w
		}(), connector.Invalid, "available.value"},
		{"delete", func() connector.Write[canonical.StockLevel] {
			w := stock("INV-1", loc, 1, 1)
			w.Op = connector.Delete
			return w
		}(), connector.Unsupported, ""},
		{"invalid entity", connector.Write[canonical.StockLevel]{Change: connector.Change[canonical.StockLevel]{Entity: canonical.StockLevel{SKU: "INV-1"}}}, connector.Invalid, "location"},
	}
	e := newEnv(t, shopifytest.Options{}, Config{})
	e.product(t, "INV-1", "1.00")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.shop.Inventory().Apply(context.Background(), tc.write)
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != tc.kind {
				t.Fatalf("got %v, want kind %s", err, tc.kind)
			}
			if tc.path != "" {
				found := false
				for _, f := range ce.Fields {
					found = found || f.Path == tc.path
				}
				if !found {
					t.Errorf("fields %v lack %q", ce.Fields, tc.path)
				}
			}
		})
	}
}

// TestInventoryCompareStale: stock changes in Shopify between the sink's
// read and its write, so the compare quantity is stale: a Conflict naming
// the field, and the level keeps the shop's edit.
func TestInventoryCompareStale(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	e.product(t, "CAS-1", "1.00")
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, []byte("mutation SetQuantities")) {
			_ = e.srv.SetInventory("CAS-1", shopifytest.DefaultLocation, 7) // a sale or an edit
		}
		return e.srv.Client().Transport.RoundTrip(r)
	})}
	shop, err := New(Config{BaseURL: e.srv.URL, Token: e.srv.Token, HTTPClient: hc, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	_, err = shop.Inventory().Apply(context.Background(), stock("CAS-1", shopifytest.DefaultLocation, 20, 1))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Conflict || ce.Code != "COMPARE_QUANTITY_STALE" {
		t.Fatalf("got %v, want a Conflict with COMPARE_QUANTITY_STALE", err)
	}
	if len(ce.Fields) != 1 || ce.Fields[0].Path != "input.quantities[0].compareQuantity" || len(ce.Body) == 0 {
		t.Errorf("fields %v, body %d bytes", ce.Fields, len(ce.Body))
	}
	if l, _ := e.srv.Inventory("CAS-1", shopifytest.DefaultLocation); l.Available != 7 {
		t.Errorf("available %d, want the shop's 7", l.Available)
	}
}

// TestSetQuantitiesVersions runs the inventory sink at API versions with
// and without @idempotent and with the renamed compare field.
func TestSetQuantitiesVersions(t *testing.T) {
	for _, v := range []string{"2025-01", "2025-10", "2026-01", "2026-04"} {
		t.Run(v, func(t *testing.T) {
			e := newEnv(t, shopifytest.Options{}, Config{APIVersion: v})
			e.product(t, "V-1", "1.00")
			w := stock("V-1", shopifytest.DefaultLocation, 12, 1)
			r, err := e.shop.Inventory().Apply(context.Background(), w)
			if err != nil {
				t.Fatal(err)
			}
			if l, _ := e.srv.Inventory("V-1", shopifytest.DefaultLocation); r.Action != connector.Updated || l.Available != 12 {
				t.Errorf("action %s, available %d", r.Action, l.Available)
			}
			// The same write again changes nothing.
			if r, err := e.shop.Inventory().Apply(context.Background(), w); err != nil || r.Action != connector.Unchanged {
				t.Errorf("repeat: %v %v", r.Action, err)
			}
		})
	}
}

func TestFulfillmentErrors(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	e.product(t, "F-1", "2.00")
	o := e.order(t, shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "F-1", Quantity: 2}}})
	c := e.order(t, shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "F-1", Quantity: 2}}})
	if err := e.srv.CancelOrder(c.Name, "CUSTOMER"); err != nil {
		t.Fatal(err)
	}
	ship := func(order, lineID string, qty int64) canonical.Shipment {
		return canonical.Shipment{Number: "S", Order: order, Status: canonical.ShipmentShipped,
			Lines: []canonical.ShipmentLine{{LineID: "1", OrderLine: canonical.LineRef{Document: order, LineID: lineID}, SKU: "F-1", Quantity: canonical.Qty(qty, canonical.UnitOne)}}}
	}
	cases := []struct {
		name string
		sh   canonical.Shipment
		kind connector.Kind
		path string
	}{
		{"over-ship", ship(o.Name, o.Lines[0].ID, 3), connector.BusinessRule, ""},
		{"unknown line", ship(o.Name, "12345", 1), connector.Invalid, "lines[0].orderLine.lineId"},
		{"unknown order", ship("#9999", "1", 1), connector.NotFound, ""},
		{"cancelled order", ship(c.Name, c.Lines[0].ID, 1), connector.BusinessRule, ""},
		{"no lines", canonical.Shipment{Number: "S", Order: o.Name, Status: canonical.ShipmentShipped}, connector.Invalid, "lines"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.shop.Fulfillments().Apply(context.Background(), connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{Key: "S", Entity: tc.sh}})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != tc.kind {
				t.Fatalf("got %v, want kind %s", err, tc.kind)
			}
			if tc.path != "" && (len(ce.Fields) == 0 || ce.Fields[0].Path != tc.path) {
				t.Errorf("fields %v, want %q", ce.Fields, tc.path)
			}
		})
	}
}

func TestBadCursor(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	for _, cur := range []connector.Cursor{"x", "1:", ":2", "-1:5"} {
		for _, err := range e.shop.Orders().Changes(context.Background(), cur) {
			if !errors.Is(err, connector.Invalid) {
				t.Errorf("cursor %q: got %v, want Invalid", cur, err)
			}
		}
	}
}
