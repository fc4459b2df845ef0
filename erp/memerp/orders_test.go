package memerp_test

import (
	"context"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp/memerp"
)

func TestOrderCreateAllocates(t *testing.T) {
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 5)
	res := apply(t, e, write("shop-1001", 1, order("C-000001", "#1001",
		line{id: "L1", sku: "WIDGET", qty: 3, price: "10.00"},
		line{id: "L2", sku: "GADGET", qty: 2, price: "3.33"})))
	if res.Action != connector.Created || res.Ref != (canonical.ExternalRef{System: memerp.DefaultSystem, ID: "SO-000001"}) {
		t.Fatalf("create: %v %v, want created SO-000001", res.Action, res.Ref)
	}
	o, ok := e.Order("SO-000001")
	if !ok {
		t.Fatal("the order is not in the ERP")
	}
	if o.Status != canonical.OrderAccepted || o.Revision != 1 || o.Number != "SO-000001" {
		t.Errorf("order: status %s revision %d number %s, want accepted 1 SO-000001", o.Status, o.Revision, o.Number)
	}
	if err := o.Validate(); err != nil {
		t.Errorf("the stored order is not valid: %v", err)
	}
	// WIDGET is in stock, GADGET is not: L2 stays backordered.
	if got := qty(o.Lines[0].Allocated); got != "3" {
		t.Errorf("L1 allocated %s, want 3", got)
	}
	if !o.Lines[1].Allocated.IsZero() {
		t.Errorf("L2 allocated %s with no stock", o.Lines[1].Allocated)
	}
	lv := e.Level("WIDGET", "main")
	if qty(lv.OnHand) != "5" || qty(lv.Allocated) != "3" || qty(lv.Available) != "2" {
		t.Errorf("WIDGET@main: on hand %s allocated %s available %s, want 5 3 2", lv.OnHand, lv.Allocated, lv.Available)
	}
	// A receipt fills the backorder.
	receive(t, e, "GADGET", "main", 1)
	o, _ = e.Order("SO-000001")
	if got := qty(o.Lines[1].Allocated); got != "1" {
		t.Errorf("after receiving 1 GADGET, L2 allocated %s, want 1", got)
	}
}

func TestOrderInvalid(t *testing.T) {
	noRef := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
	noRef.Customer.Refs = noRef.Customer.Refs[:1]
	badTotals := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
	badTotals.Totals.Payable = canonical.MustMoney("11.00", "EUR")
	wrongUnit := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
	wrongUnit.Lines[0].Ordered.Unit = canonical.UnitKilogram
	usd := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
	usd.Currency = "USD"
	for _, tc := range []struct {
		name string
		o    canonical.SalesOrder
		path string
	}{
		{"customer not mapped to an account", noRef, "customer.refs"},
		{"unknown account", order("C-000099", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"}), "customer.refs"},
		{"unknown SKU", order("C-000001", "#1",
			line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"}, line{id: "L2", sku: "NOPE", qty: 1, price: "1.00"}), "lines[1].sku"},
		{"unit the item is not sold in", wrongUnit, "lines[0].ordered.unit"},
		{"currency other than the account's", usd, "currency"},
		{"totals that do not add up", badTotals, "totals.payable.amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newERP(t, memerp.Config{})
			_, err := e.SalesOrders().Apply(context.Background(), write("k", 1, tc.o))
			wantField(t, err, tc.path)
			if n := len(e.Orders()); n != 0 {
				t.Errorf("an invalid order created %d orders", n)
			}
		})
	}
}

func TestCreditHold(t *testing.T) {
	ctx := context.Background()
	for _, status := range []canonical.CreditStatus{canonical.CreditHold, canonical.CreditBlocked} {
		t.Run(string(status), func(t *testing.T) {
			e := newERP(t, memerp.Config{})
			if err := e.SetCreditStatus(ctx, "C-000001", status); err != nil {
				t.Fatal(err)
			}
			w := write("shop-1001", 1, order("C-000001", "#1001", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"}))
			_, err := e.SalesOrders().Apply(ctx, w)
			msg := map[canonical.CreditStatus]string{canonical.CreditHold: "customer C-000001 is on credit hold", canonical.CreditBlocked: "customer C-000001 is blocked"}
			wantKind(t, err, connector.BusinessRule, msg[status])
			if n := len(e.Orders()); n != 0 {
				t.Fatalf("a refused order created %d orders", n)
			}
			// Credit control releases the account; the parked write is replayed as it was.
			if err := e.SetCreditStatus(ctx, "C-000001", canonical.CreditOK); err != nil {
				t.Fatal(err)
			}
			res, err := e.SalesOrders().Apply(ctx, w)
			if err != nil || res.Action != connector.Created {
				t.Fatalf("replay after release: %v %v, want created", res.Action, err)
			}
		})
	}
}

func TestCreditLimit(t *testing.T) {
	ctx := context.Background()
	limit := canonical.MustDecimal("100")
	e := newERP(t, memerp.Config{CreditLimit: &limit})
	c, _ := e.Customer("C-000001")
	if c.CreditLimit == nil || !c.CreditLimit.Equal(canonical.MustMoney("100", "EUR")) {
		t.Fatalf("new account's credit limit %v, want 100 EUR from Config", c.CreditLimit)
	}
	receive(t, e, "WIDGET", "main", 10)
	apply(t, e, write("o1", 1, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 6, price: "10.00"})))
	// Ship and invoice the first order: the exposure moves from open orders to the balance.
	shs := release(t, e)
	confirm(t, e, shs[0].Number)
	c, _ = e.Customer("C-000001")
	if money(*c.Balance) != "60.00" {
		t.Fatalf("balance after the first invoice %s, want 60.00", c.Balance)
	}
	w := write("o2", 1, order("C-000001", "#2", line{id: "L1", sku: "WIDGET", qty: 5, price: "10.00"}))
	_, err := e.SalesOrders().Apply(ctx, w)
	wantKind(t, err, connector.BusinessRule, "balance 60.00 + open orders 0 + this order 50.00 = 110.00 exceeds the limit 100 EUR")
	// An order within the limit is accepted and counts as open exposure.
	apply(t, e, write("o3", 1, order("C-000001", "#3", line{id: "L1", sku: "WIDGET", qty: 3, price: "10.00"})))
	_, err = e.SalesOrders().Apply(ctx, write("o4", 1, order("C-000001", "#4", line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"})))
	wantKind(t, err, connector.BusinessRule, "balance 60.00 + open orders 30.00 + this order 20.00 = 110.00")
	// Raising the limit lets the parked order through.
	if err := e.SetCreditLimit(ctx, "C-000001", &canonical.Money{Amount: canonical.MustDecimal("500"), Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if res := apply(t, e, w); res.Action != connector.Created {
		t.Errorf("replay after raising the limit: %v, want created", res.Action)
	}
	// An amendment that raises the value is credit-checked too.
	if err := e.SetCreditLimit(ctx, "C-000001", &canonical.Money{Amount: canonical.MustDecimal("140"), Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.SalesOrders().Apply(ctx, write("o3", 2, order("C-000001", "#3", line{id: "L1", sku: "WIDGET", qty: 4, price: "10.00"})))
	wantKind(t, err, connector.BusinessRule, "over its credit limit")
	// No limit at all.
	if err := e.SetCreditLimit(ctx, "C-000001", nil); err != nil {
		t.Fatal(err)
	}
	apply(t, e, write("o3", 2, order("C-000001", "#3", line{id: "L1", sku: "WIDGET", qty: 4, price: "10.00"})))
}

func TestDedupeByCustomerPO(t *testing.T) {
	e := newERP(t, memerp.Config{})
	o := order("C-000001", "#1001", line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"})
	first := apply(t, e, write("shop-1001", 1, o))
	// The same order arrives again under another key and idempotency key
	// (a webhook and a poll, or a replay after a lost response).
	again := apply(t, e, write("shop-1001-webhook", 1, o))
	if again.Ref != first.Ref || again.Action != connector.Unchanged {
		t.Errorf("the same order again: %v %v, want unchanged %v", again.Action, again.Ref, first.Ref)
	}
	// A different version under the other key amends the same order.
	o.Lines[0].Ordered = canonical.Qty(3, canonical.UnitOne)
	o.Lines[0].Net = canonical.MustMoney("30.00", "EUR")
	o.Totals.LineNet, o.Totals.Payable = o.Lines[0].Net, o.Lines[0].Net
	amended := apply(t, e, write("shop-1001-webhook", 2, o))
	if amended.Ref != first.Ref || amended.Action != connector.Updated {
		t.Errorf("an amendment under another key: %v %v, want updated %v", amended.Action, amended.Ref, first.Ref)
	}
	if n := len(e.Orders()); n != 1 {
		t.Fatalf("the ERP holds %d orders for one CustomerPO, want 1", n)
	}
	got, _ := e.OrderByPO("#1001")
	if qty(got.Lines[0].Ordered) != "3" || got.Revision != 2 {
		t.Errorf("order by PO: ordered %s revision %d, want 3 and 2", got.Lines[0].Ordered, got.Revision)
	}
}

func TestAmendLines(t *testing.T) {
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 10)
	receive(t, e, "GADGET", "main", 10)
	apply(t, e, write("k", 1, order("C-000001", "#1",
		line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"},
		line{id: "L2", sku: "GADGET", qty: 4, price: "3.33"})))
	// Revision 2: L1 goes up to 5, L2 is removed, L3 is added.
	res := apply(t, e, write("k", 2, order("C-000001", "#1",
		line{id: "L1", sku: "WIDGET", qty: 5, price: "10.00"},
		line{id: "L3", sku: "BOLT", qty: 8, price: "0.125"})))
	if res.Action != connector.Updated {
		t.Fatalf("amendment: %v, want updated", res.Action)
	}
	o, _ := e.Order("SO-000001")
	if len(o.Lines) != 2 || o.Lines[0].LineID != "L1" || o.Lines[1].LineID != "L3" {
		t.Fatalf("lines after the amendment: %+v, want L1 and L3", o.Lines)
	}
	if qty(o.Lines[0].Ordered) != "5" || qty(o.Lines[0].Allocated) != "5" {
		t.Errorf("L1 ordered %s allocated %s, want 5 and 5", o.Lines[0].Ordered, o.Lines[0].Allocated)
	}
	if o.Revision != 2 {
		t.Errorf("revision %d, want 2", o.Revision)
	}
	for _, tc := range []struct{ sku, allocated string }{{"WIDGET", "5"}, {"GADGET", "0"}, {"BOLT", "0"}} {
		if got := qty(e.Level(tc.sku, "main").Allocated); got != tc.allocated {
			t.Errorf("%s allocated %s, want %s", tc.sku, got, tc.allocated)
		}
	}
	// The same revision again changes nothing.
	if res := apply(t, e, write("k-other", 2, order("C-000001", "#1",
		line{id: "L1", sku: "WIDGET", qty: 5, price: "10.00"},
		line{id: "L3", sku: "BOLT", qty: 8, price: "0.125"}))); res.Action != connector.Unchanged {
		t.Errorf("re-sending revision 2: %v, want unchanged", res.Action)
	}
	// Reducing a line frees stock.
	apply(t, e, write("k", 3, order("C-000001", "#1",
		line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"},
		line{id: "L3", sku: "BOLT", qty: 8, price: "0.125"})))
	if got := qty(e.Level("WIDGET", "main").Available); got != "9" {
		t.Errorf("WIDGET available after reducing L1 to 1: %s, want 9", got)
	}
}

func TestAmendAfterShipping(t *testing.T) {
	ctx := context.Background()
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 2)
	lines := []line{{id: "L1", sku: "GADGET", qty: 1, price: "3.33"}, {id: "L2", sku: "WIDGET", qty: 3, price: "10.00"}}
	apply(t, e, write("k", 1, order("C-000001", "#1", lines...)))
	shs := release(t, e)
	confirm(t, e, shs[0].Number) // ships 2 of L2
	for _, tc := range []struct {
		name  string
		lines []line
		msg   string
	}{
		{"below shipped", []line{lines[0], {id: "L2", sku: "WIDGET", qty: 1, price: "10.00"}}, "order SO-000001 line L2 is locked: 2 shipped"},
		{"SKU of a shipped line", []line{lines[0], {id: "L2", sku: "BOLT", qty: 3, price: "10.00"}}, "order SO-000001 line L2 is locked: 2 shipped"},
		{"price of a shipped line", []line{lines[0], {id: "L2", sku: "WIDGET", qty: 3, price: "9.00"}}, "its unit price cannot change"},
		{"shipped line removed", []line{lines[0]}, "order SO-000001 line L2 is locked: 2 shipped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.SalesOrders().Apply(ctx, write("k", 2, order("C-000001", "#1", tc.lines...)))
			wantKind(t, err, connector.BusinessRule, tc.msg)
		})
	}
	// The unshipped rest may still change: L2 down to 2 (what shipped), L1 up.
	apply(t, e, write("k", 3, order("C-000001", "#1",
		line{id: "L1", sku: "GADGET", qty: 2, price: "3.33"}, line{id: "L2", sku: "WIDGET", qty: 2, price: "10.00"})))
	receive(t, e, "GADGET", "main", 2)
	shs = release(t, e)
	confirm(t, e, shs[0].Number)
	o, _ := e.Order("SO-000001")
	if o.Status != canonical.OrderCompleted {
		t.Fatalf("status %s after shipping everything, want completed", o.Status)
	}
	_, err := e.SalesOrders().Apply(ctx, write("k", 4, order("C-000001", "#1",
		line{id: "L1", sku: "GADGET", qty: 2, price: "3.33"}, line{id: "L2", sku: "WIDGET", qty: 2, price: "10.00"},
		line{id: "L3", sku: "BOLT", qty: 1, price: "0.125"})))
	wantKind(t, err, connector.BusinessRule, "order SO-000001 is locked: fully shipped")
	// Re-sending what the order already is, is not an amendment.
	res := apply(t, e, write("k", 5, order("C-000001", "#1",
		line{id: "L1", sku: "GADGET", qty: 2, price: "3.33"}, line{id: "L2", sku: "WIDGET", qty: 2, price: "10.00"})))
	if res.Action != connector.Unchanged {
		t.Errorf("re-sending a fully shipped order unchanged: %v, want unchanged", res.Action)
	}
}

func TestAmendReleasedLine(t *testing.T) {
	ctx := context.Background()
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 5)
	apply(t, e, write("k", 1, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 3, price: "10.00"})))
	release(t, e)
	_, err := e.SalesOrders().Apply(ctx, write("k", 2, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"})))
	wantKind(t, err, connector.BusinessRule, "order SO-000001 line L1 is in despatch SH-000001")
	// Raising the quantity is fine: the extra unit is allocated for a later despatch.
	apply(t, e, write("k", 3, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 4, price: "10.00"})))
	if got := qty(e.Level("WIDGET", "main").Allocated); got != "4" {
		t.Errorf("WIDGET allocated %s, want 4", got)
	}
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		cancel func(o canonical.SalesOrder) connector.Write[canonical.SalesOrder]
	}{
		{"delete", func(o canonical.SalesOrder) connector.Write[canonical.SalesOrder] { return del("k1", 2, o) }},
		{"status cancelled", func(o canonical.SalesOrder) connector.Write[canonical.SalesOrder] {
			o.Status, o.CancelReason = canonical.OrderCancelled, "customer changed their mind"
			return write("k1", 2, o)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newERP(t, memerp.Config{})
			receive(t, e, "WIDGET", "main", 4)
			o1 := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 3, price: "10.00"})
			apply(t, e, write("k1", 1, o1))
			apply(t, e, write("k2", 1, order("C-000001", "#2", line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"})))
			release(t, e) // SH-000001 for #1 (3), SH-000002 for #2 (1 of 2)
			res := apply(t, e, tc.cancel(o1))
			if res.Action != connector.Deleted || res.Ref.ID != "SO-000001" {
				t.Fatalf("cancel: %v %v, want deleted SO-000001", res.Action, res.Ref)
			}
			got, _ := e.Order("SO-000001")
			if got.Status != canonical.OrderCancelled || qty(got.Lines[0].Cancelled) != "3" || !got.Lines[0].Allocated.IsZero() {
				t.Errorf("cancelled order: status %s cancelled %s allocated %s", got.Status, got.Lines[0].Cancelled, got.Lines[0].Allocated)
			}
			if sh, _ := e.Shipment("SH-000001"); sh.Status != canonical.ShipmentCancelled {
				t.Errorf("the cancelled order's planned despatch is %s, want cancelled", sh.Status)
			}
			// The freed stock goes to the next order's backorder.
			o2, _ := e.Order("SO-000002")
			if qty(o2.Lines[0].Allocated) != "2" {
				t.Errorf("the backordered order got %s, want 2", o2.Lines[0].Allocated)
			}
			lv := e.Level("WIDGET", "main")
			if qty(lv.Allocated) != "2" || qty(lv.Available) != "2" {
				t.Errorf("WIDGET allocated %s available %s, want 2 and 2", lv.Allocated, lv.Available)
			}
			// Cancelling again is idempotent; an amendment of a cancelled order is refused.
			if res := apply(t, e, del("k1", 3, o1)); res.Action != connector.Deleted {
				t.Errorf("cancelling again: %v, want deleted", res.Action)
			}
			_, err := e.SalesOrders().Apply(ctx, write("k1", 4, o1))
			wantKind(t, err, connector.BusinessRule, "order SO-000001 is cancelled")
		})
	}
}

func TestCancelAfterShipping(t *testing.T) {
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 1)
	o := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 3, price: "10.00"})
	apply(t, e, write("k", 1, o))
	confirm(t, e, release(t, e)[0].Number)
	_, err := e.SalesOrders().Apply(context.Background(), del("k", 2, o))
	wantKind(t, err, connector.BusinessRule, "order SO-000001 cannot be cancelled: line L1 has shipped 1")
	if got, _ := e.Order("SO-000001"); got.Status != canonical.OrderInProgress {
		t.Errorf("status %s after a refused cancel, want in_progress", got.Status)
	}
}

func TestCancelUnknownOrder(t *testing.T) {
	e := newERP(t, memerp.Config{})
	o := order("C-000001", "#9", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
	if res := apply(t, e, del("k", 2, o)); res.Action != connector.Unchanged {
		t.Errorf("cancelling an order the ERP never had: %v, want unchanged", res.Action)
	}
	// The create that arrives late, with an older version, is stale.
	if res := apply(t, e, write("k", 1, o)); res.Action != connector.Stale {
		t.Errorf("a create older than the cancel: %v, want stale", res.Action)
	}
	if n := len(e.Orders()); n != 0 {
		t.Errorf("%d orders, want none", n)
	}
}

func TestStaleAndIdempotent(t *testing.T) {
	e := newERP(t, memerp.Config{})
	v2 := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"})
	v1 := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
	first := apply(t, e, write("k", 2, v2))
	if res := apply(t, e, write("k", 1, v1)); res.Action != connector.Stale || res.Ref != first.Ref {
		t.Errorf("older version: %v %v, want stale %v", res.Action, res.Ref, first.Ref)
	}
	if res := apply(t, e, write("k", 2, v2)); res.Action != connector.Unchanged || res.Ref != first.Ref {
		t.Errorf("same idempotency key: %v %v, want unchanged %v", res.Action, res.Ref, first.Ref)
	}
	o, _ := e.Order("SO-000001")
	if qty(o.Lines[0].Ordered) != "2" || o.Revision != 1 {
		t.Errorf("order after stale and repeated writes: ordered %s revision %d, want 2 and 1", o.Lines[0].Ordered, o.Revision)
	}
}

func TestTargetUnknown(t *testing.T) {
	e := newERP(t, memerp.Config{})
	w := write("k", 1, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"}))
	w.Target = &canonical.ExternalRef{System: memerp.DefaultSystem, ID: "SO-000042"}
	_, err := e.SalesOrders().Apply(context.Background(), w)
	wantKind(t, err, connector.NotFound, "no sales order SO-000042")
}

func TestAmendRefusesMoves(t *testing.T) {
	ctx := context.Background()
	e := newERP(t, memerp.Config{})
	other := openAccount(t, e, "shop-cust-2", "Beta plc")
	apply(t, e, write("k1", 1, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})))
	apply(t, e, write("k2", 1, order("C-000001", "#2", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})))
	_, err := e.SalesOrders().Apply(ctx, write("k1", 2, order(other, "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})))
	wantKind(t, err, connector.BusinessRule, "order SO-000001 belongs to customer C-000001; it cannot move to C-000002")
	_, err = e.SalesOrders().Apply(ctx, write("k1", 3, order("C-000001", "#2", line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"})))
	wantKind(t, err, connector.BusinessRule, `order SO-000001 cannot take CustomerPO "#2": it is order SO-000002's`)
	// A PO of its own is fine, and the order is found by it afterwards.
	apply(t, e, write("k1", 4, order("C-000001", "#1-A", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})))
	if o, ok := e.OrderByPO("#1-A"); !ok || o.Number != "SO-000001" {
		t.Errorf("OrderByPO(#1-A) = %s %v, want SO-000001", o.Number, ok)
	}
	if _, ok := e.OrderByPO("#1"); ok {
		t.Error("the old CustomerPO still finds the order")
	}
}
