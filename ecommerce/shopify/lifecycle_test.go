package shopify

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

// lastOf reads the stream after cur and returns the last change for key
// and the stream's last cursor.
func lastOf(t *testing.T, e *env, cur connector.Cursor, key string) (connector.Change[canonical.SalesOrder], connector.Cursor) {
	t.Helper()
	var found connector.Change[canonical.SalesOrder]
	for _, c := range readAll(t, e.shop.Orders(), cur) {
		cur = c.Cursor
		if c.Key == key {
			found = c
		}
	}
	if found.Key == "" {
		t.Fatalf("no change for %s", key)
	}
	if err := found.Entity.Validate(); err != nil {
		t.Fatalf("%s does not validate: %v", key, err)
	}
	return found, cur
}

// TestOrderLifecycle follows one order through an amendment, a split
// delivery, a partial refund and, for a second order, a cancellation:
// every step is a newer version of the same key.
func TestOrderLifecycle(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	e.product(t, "L-1", "10.00")
	e.product(t, "L-2", "4.00")
	o := e.order(t, shopifytest.OrderInput{Shipping: "5.00", TaxRate: "0.1", Lines: []shopifytest.LineInput{{SKU: "L-1", Quantity: 4}, {SKU: "L-2", Quantity: 1}}})
	e.settle()
	first, cur := lastOf(t, e, "", o.Name)

	// Amendment: line 1 down to 3, a new line added.
	if err := e.srv.SetLineQuantity(o.Name, o.Lines[0].ID, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.AddLine(o.Name, shopifytest.LineInput{SKU: "L-2", Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	e.settle()
	amended, cur := lastOf(t, e, cur, o.Name)
	if c, ok := amended.Version.Compare(first.Version); !ok || c <= 0 {
		t.Errorf("amended version %s not newer than %s", amended.Version, first.Version)
	}
	if l, _ := amended.Entity.Line(first.Entity.Lines[0].LineID); l == nil || !l.Ordered.Value.Equal(canonical.DecimalFromInt(3)) {
		t.Errorf("line 1 after the amendment: %+v", l)
	}
	if len(amended.Entity.Lines) != 3 {
		t.Errorf("%d lines after the amendment, want 3", len(amended.Entity.Lines))
	}

	// Split delivery: two shipments of line 1.
	ff := e.shop.Fulfillments()
	for i, q := range []int64{1, 2} {
		sh := canonical.Shipment{Number: fmt.Sprintf("SHIP-%d", i+1), Order: o.Name, Status: canonical.ShipmentShipped,
			Carrier: "UPS", TrackingNumber: fmt.Sprintf("1Z%d", i),
			Lines: []canonical.ShipmentLine{{LineID: "1", OrderLine: canonical.LineRef{Document: o.Name, LineID: amended.Entity.Lines[0].LineID}, SKU: "L-1", Quantity: canonical.Qty(q, canonical.UnitOne)}}}
		r, err := ff.Apply(context.Background(), connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{Key: sh.Number, Entity: sh, Version: connector.SeqVersion(1)}, IdempotencyKey: sh.Number})
		if err != nil || r.Action != connector.Created {
			t.Fatalf("shipment %d: %v %v", i+1, r.Action, err)
		}
	}
	e.settle()
	shipped, cur := lastOf(t, e, cur, o.Name)
	if shipped.Entity.Status != canonical.OrderInProgress {
		t.Errorf("status %s after a partial delivery, want in_progress", shipped.Entity.Status)
	}
	if l := shipped.Entity.Lines[0]; !l.Shipped.Value.Equal(canonical.DecimalFromInt(3)) {
		t.Errorf("line 1 shipped %s, want 3", l.Shipped)
	}
	if fs := e.srv.Fulfillments(o.Name); len(fs) != 2 || fs[1].Tracking[0].Number != "1Z1" {
		t.Errorf("fulfilments %+v", fs)
	}

	// Partial refund: one unit of line 2 and shipping.
	rid, err := e.srv.RefundOrder(o.Name, shopifytest.RefundInput{Lines: []shopifytest.RefundLineInput{{LineItemID: o.Lines[1].ID, Quantity: 1, Restock: true}}, Shipping: "5.00", Note: "damaged"})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	refunded, _ := lastOf(t, e, cur, o.Name)
	if ps := refunded.Entity.PaymentStatus(); ps != canonical.PaymentPartiallyRefunded {
		t.Errorf("payment status %s, want partially refunded", ps)
	}
	var refunds []connector.Change[canonical.Refund]
	for _, c := range readAll(t, e.shop.Refunds(), "") {
		if c.Key == rid {
			refunds = append(refunds, c)
		}
	}
	if len(refunds) != 1 {
		t.Fatalf("refund %s read %d times", rid, len(refunds))
	}
	rf := refunds[0].Entity
	if err := rf.Validate(); err != nil {
		t.Errorf("refund does not validate: %v", err)
	}
	// 4.00 + 10% tax, and 5.00 shipping + 10% tax.
	if rf.Amount.Amount.String() != "9.90" || rf.Order != o.Name || !rf.Restock || rf.Shipping == nil || rf.Shipping.Amount.String() != "5.50" {
		t.Errorf("refund %+v", rf)
	}

	// Cancellation of a second order.
	o2 := e.order(t, shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "L-1", Quantity: 2}}})
	if err := e.srv.CancelOrder(o2.Name, "CUSTOMER"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	cancelled, _ := lastOf(t, e, "", o2.Name)
	so := cancelled.Entity
	if so.Status != canonical.OrderCancelled || so.CancelReason != "customer" || !so.Lines[0].Cancelled.Value.Equal(canonical.DecimalFromInt(2)) {
		t.Errorf("cancelled order: status %s reason %q line %+v", so.Status, so.CancelReason, so.Lines[0])
	}
	if ps := so.PaymentStatus(); ps != canonical.PaymentRefunded {
		t.Errorf("payment status %s, want refunded", ps)
	}
}

// TestManyLineItems: an order with more line items than a page holds is
// completed with follow-up queries.
func TestManyLineItems(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{LinesPerOrder: 3})
	var lines []shopifytest.LineInput
	for i := range 170 {
		lines = append(lines, shopifytest.LineInput{SKU: fmt.Sprintf("M-%d", i), Quantity: 1, Price: "1.00"})
	}
	o := e.order(t, shopifytest.OrderInput{Lines: lines})
	e.settle()
	got, _ := lastOf(t, e, "", o.Name)
	if n := len(got.Entity.Lines); n != 170 {
		t.Fatalf("%d lines, want 170", n)
	}
	if got.Entity.Totals.Payable.Amount.String() != "170.00" {
		t.Errorf("payable %s", got.Entity.Totals.Payable)
	}
}

// TestOrderGet finds an order by name and reports a missing one NotFound.
func TestOrderGet(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	o := e.order(t, shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "G", Quantity: 1, Price: "1"}}})
	g := e.shop.Orders().(connector.Getter[canonical.SalesOrder])
	c, err := g.Get(context.Background(), o.Name)
	if err != nil || c.Key != o.Name {
		t.Fatalf("Get(%s) = %v, %v", o.Name, c.Key, err)
	}
	if c2, err := g.Get(context.Background(), o.ID); err != nil || c2.Key != o.Name {
		t.Errorf("Get(%s) = %v, %v", o.ID, c2.Key, err)
	}
}

// TestGraphQLEscapeHatch reads a field the connector does not map.
func TestGraphQLEscapeHatch(t *testing.T) {
	e := newEnv(t, shopifytest.Options{Shop: "acme"}, Config{})
	var out struct {
		Shop struct {
			MyshopifyDomain string `json:"myshopifyDomain"`
		} `json:"shop"`
	}
	if err := e.shop.GraphQL(context.Background(), `{ shop { myshopifyDomain } }`, nil, &out); err != nil {
		t.Fatal(err)
	}
	if out.Shop.MyshopifyDomain != "acme.myshopify.com" {
		t.Errorf("domain %q", out.Shop.MyshopifyDomain)
	}
	if err := e.shop.GraphQL(context.Background(), `{ shop { nope } }`, nil, &out); !errors.Is(err, connector.Invalid) {
		t.Errorf("unknown field: %v, want Invalid", err)
	}
}
