package memerp_test

import (
	"context"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp/memerp"
)

func TestReleasePlansShipments(t *testing.T) {
	e := newERP(t, memerp.Config{Locations: []string{"leeds", "york"}})
	receive(t, e, "WIDGET", "leeds", 2)
	receive(t, e, "WIDGET", "york", 5)
	receive(t, e, "GADGET", "york", 1)
	apply(t, e, write("k", 1, order("C-000001", "#1",
		line{id: "L1", sku: "WIDGET", qty: 4, price: "10.00"}, line{id: "L2", sku: "GADGET", qty: 1, price: "3.33"})))
	shs := release(t, e)
	if len(shs) != 2 {
		t.Fatalf("Release made %d shipments, want one per location (2): %+v", len(shs), shs)
	}
	want := []struct {
		number, from string
		lines        map[string]string // order line -> quantity
	}{
		{"SH-000001", "leeds", map[string]string{"L1": "2"}},
		{"SH-000002", "york", map[string]string{"L1": "2", "L2": "1"}},
	}
	for i, w := range want {
		sh := shs[i]
		if sh.Number != w.number || sh.ShipFrom != w.from || sh.Status != canonical.ShipmentPlanned || sh.Order != "SO-000001" {
			t.Errorf("shipment %d: %s from %s, %s, order %s; want %s from %s, planned, SO-000001",
				i, sh.Number, sh.ShipFrom, sh.Status, sh.Order, w.number, w.from)
		}
		if err := sh.Validate(); err != nil {
			t.Errorf("shipment %s is not valid: %v", sh.Number, err)
		}
		got := map[string]string{}
		for _, l := range sh.Lines {
			if l.OrderLine.Document != "SO-000001" {
				t.Errorf("%s line %s points at %s", sh.Number, l.LineID, l.OrderLine.Document)
			}
			got[l.OrderLine.LineID] = qty(l.Quantity)
		}
		if len(got) != len(w.lines) || got["L1"] != w.lines["L1"] || got["L2"] != w.lines["L2"] {
			t.Errorf("%s ships %v, want %v", sh.Number, got, w.lines)
		}
	}
	if again := release(t, e); len(again) != 0 {
		t.Errorf("a second Release re-released %d shipments", len(again))
	}
	if n := len(readAll(t, e.Despatches())); n != 2 {
		t.Errorf("the Despatches log has %d entries, want 2", n)
	}
}

func TestReleaseSkipsHolds(t *testing.T) {
	ctx := context.Background()
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 10)
	o := order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
	o.Holds = []canonical.Hold{{Type: canonical.HoldFraud, Blocks: []canonical.Stage{canonical.StageFulfillment}, PlacedAt: t0}}
	apply(t, e, write("k", 1, o))
	if shs := release(t, e); len(shs) != 0 {
		t.Fatalf("an order with a fulfilment hold was released: %+v", shs)
	}
	released := t0.Add(1)
	o.Holds[0].ReleasedAt = &released
	apply(t, e, write("k", 2, o))
	// The account goes on credit hold: its orders are not released either.
	if err := e.SetCreditStatus(ctx, "C-000001", canonical.CreditHold); err != nil {
		t.Fatal(err)
	}
	if shs := release(t, e); len(shs) != 0 {
		t.Fatalf("an order of an account on credit hold was released: %+v", shs)
	}
	if err := e.SetCreditStatus(ctx, "C-000001", canonical.CreditOK); err != nil {
		t.Fatal(err)
	}
	if shs := release(t, e); len(shs) != 1 {
		t.Fatalf("after both holds are released, Release made %d shipments, want 1", len(shs))
	}
}

func TestSplitDelivery(t *testing.T) {
	for _, tc := range []struct {
		name     string
		line     line
		stock    []int64 // receipts, one per delivery
		shipping string
		nets     []string // invoice line nets per delivery
	}{
		{"discount shared by quantity", line{id: "L1", sku: "GADGET", qty: 5, price: "3.33", discount: "1.00"}, []int64{3, 2}, "",
			[]string{"9.39", "6.26"}},
		{"three deliveries", line{id: "L1", sku: "GADGET", qty: 3, price: "3.33", discount: "1.00"}, []int64{1, 1, 1}, "",
			[]string{"3.00", "2.99", "3.00"}},
		{"sub-cent price", line{id: "L1", sku: "BOLT", qty: 3, price: "0.125"}, []int64{1, 1, 1}, "",
			[]string{"0.13", "0.13", "0.12"}},
		{"shipping charge shared by net", line{id: "L1", sku: "WIDGET", qty: 4, price: "10.00"}, []int64{1, 3}, "4.99",
			[]string{"10.00", "30.00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newERP(t, memerp.Config{})
			o := order("C-000001", "#1", tc.line)
			if tc.shipping != "" {
				o = withShipping(o, tc.shipping)
			}
			apply(t, e, write("k", 1, o))
			payable := canonical.Zero("EUR")
			lineNet := canonical.Zero("EUR")
			for i, n := range tc.stock {
				receive(t, e, tc.line.sku, "main", n)
				shs := release(t, e)
				if len(shs) != 1 {
					t.Fatalf("delivery %d: %d shipments, want 1", i+1, len(shs))
				}
				confirm(t, e, shs[0].Number)
				invs := e.InvoicesOf("SO-000001")
				if len(invs) != i+1 {
					t.Fatalf("after delivery %d there are %d invoices", i+1, len(invs))
				}
				inv := invs[i]
				if err := inv.Validate(); err != nil {
					t.Errorf("invoice %s is not valid: %v", inv.Number, err)
				}
				if len(inv.Lines) != 1 || len(inv.Shipments) != 1 || inv.Shipments[0] != shs[0].Number {
					t.Fatalf("invoice %s bills %d lines of %v, want 1 line of %s", inv.Number, len(inv.Lines), inv.Shipments, shs[0].Number)
				}
				il := inv.Lines[0]
				if *il.OrderLine != (canonical.LineRef{Document: "SO-000001", LineID: "L1"}) ||
					*il.ShipmentLine != (canonical.LineRef{Document: shs[0].Number, LineID: "1"}) {
					t.Errorf("invoice line points at %v and %v", il.OrderLine, il.ShipmentLine)
				}
				if qty(il.Quantity) != qty(canonical.Qty(n, canonical.UnitOne)) {
					t.Errorf("invoice %s bills %s, want what shipped: %d", inv.Number, il.Quantity, n)
				}
				if money(il.Net) != tc.nets[i] {
					t.Errorf("invoice %s line net %s, want %s", inv.Number, il.Net, tc.nets[i])
				}
				payable, _ = payable.Add(inv.Totals.Payable)
				lineNet, _ = lineNet.Add(inv.Totals.LineNet)
			}
			final, _ := e.Order("SO-000001")
			if !lineNet.Equal(final.Lines[0].Net) {
				t.Errorf("the invoices' line nets add up to %s, want the order line's net %s", lineNet, final.Lines[0].Net)
			}
			if !payable.Equal(final.Totals.Payable) {
				t.Errorf("the invoices add up to %s, want the order's payable %s", payable, final.Totals.Payable)
			}
			if final.Status != canonical.OrderCompleted || final.FulfillmentStatus() != canonical.FulfillmentFulfilled ||
				final.BillingStatus() != canonical.BillingBilled {
				t.Errorf("order %s, %s, %s; want completed, fulfilled, billed", final.Status, final.FulfillmentStatus(), final.BillingStatus())
			}
			c, _ := e.Customer("C-000001")
			if !c.Balance.Equal(payable) {
				t.Errorf("balance %s, want the invoices' total %s", c.Balance, payable)
			}
		})
	}
}

func TestConfirmation(t *testing.T) {
	ctx := context.Background()
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 5)
	apply(t, e, write("k", 1, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 2, price: "10.00"})))
	sh := release(t, e)[0]
	sink := e.ShipmentConfirmations()

	// Label problems before the parcel is sent are recorded, nothing moves.
	failed := confirmation(sh.Number, canonical.ShipmentLabelFailed, 1)
	failed.Entity.TrackingNumber = ""
	failed.Entity.Problems = []canonical.ShippingProblem{{Field: "shipTo.postalCode", Code: "invalid", Message: "unknown postcode"}}
	if res, err := sink.Apply(ctx, failed); err != nil || res.Action != connector.Updated {
		t.Fatalf("label failure: %v %v", res.Action, err)
	}
	if got, _ := e.Shipment(sh.Number); got.Status != canonical.ShipmentLabelFailed || len(got.Problems) != 1 {
		t.Errorf("despatch after the label failure: %s with %d problems", got.Status, len(got.Problems))
	}
	// Sent without a tracking number: refused.
	noTracking := confirmation(sh.Number, canonical.ShipmentShipped, 2)
	noTracking.Entity.TrackingNumber = ""
	_, err := sink.Apply(ctx, noTracking)
	wantField(t, err, "trackingNumber")

	if res := confirm(t, e, sh.Number); res.Action != connector.Updated {
		t.Errorf("confirmation: %v, want updated", res.Action)
	}
	lv := e.Level("WIDGET", "main")
	if qty(lv.OnHand) != "3" || qty(lv.Allocated) != "0" {
		t.Errorf("after shipping 2: on hand %s allocated %s, want 3 and 0", lv.OnHand, lv.Allocated)
	}
	// The same confirmation again, under another idempotency key: no second effect.
	again := confirmation(sh.Number, canonical.ShipmentShipped, 3)
	if res, err := sink.Apply(ctx, again); err != nil || res.Action != connector.Unchanged {
		t.Errorf("repeated confirmation: %v %v, want unchanged", res.Action, err)
	}
	// A later state updates the despatch only; a late earlier state is stale.
	if res, err := sink.Apply(ctx, confirmation(sh.Number, canonical.ShipmentInTransit, 4)); err != nil || res.Action != connector.Updated {
		t.Errorf("in transit: %v %v, want updated", res.Action, err)
	}
	if res, err := sink.Apply(ctx, confirmation(sh.Number, canonical.ShipmentLabelCreated, 5)); err != nil || res.Action != connector.Stale {
		t.Errorf("a late label_created after in_transit: %v %v, want stale", res.Action, err)
	}
	// Carrier states: out for delivery, an exception, back in transit, delivered; then nothing moves back.
	for i, tc := range []struct {
		status canonical.ShipmentStatus
		want   connector.Action
	}{
		{canonical.ShipmentOutForDelivery, connector.Updated},
		{canonical.ShipmentException, connector.Updated},
		{canonical.ShipmentInTransit, connector.Updated},
		{canonical.ShipmentDelivered, connector.Updated},
		{canonical.ShipmentException, connector.Stale},
		{canonical.ShipmentOutForDelivery, connector.Stale},
	} {
		res, err := sink.Apply(ctx, confirmation(sh.Number, tc.status, int64(10+i)))
		if err != nil || res.Action != tc.want {
			t.Errorf("step %d, %s: %v %v, want %v", i, tc.status, res.Action, err, tc.want)
		}
	}
	if n := len(e.InvoicesOf("SO-000001")); n != 1 {
		t.Errorf("%d invoices, want 1", n)
	}
	if lv := e.Level("WIDGET", "main"); qty(lv.OnHand) != "3" {
		t.Errorf("on hand %s after repeated confirmations, want 3", lv.OnHand)
	}
	got, _ := e.Shipment(sh.Number)
	if got.Status != canonical.ShipmentDelivered || got.TrackingNumber == "" || got.Carrier != "dhl" {
		t.Errorf("despatch: %s tracking %q carrier %q", got.Status, got.TrackingNumber, got.Carrier)
	}
	// A sent parcel cannot be cancelled.
	_, err = sink.Apply(ctx, confirmation(sh.Number, canonical.ShipmentCancelled, 20))
	wantKind(t, err, connector.BusinessRule, "book a return")
	// Unknown despatch.
	_, err = sink.Apply(ctx, confirmation("SH-000404", canonical.ShipmentShipped, 1))
	wantKind(t, err, connector.NotFound, "SH-000404")
}

func TestCancelledShipment(t *testing.T) {
	ctx := context.Background()
	e := newERP(t, memerp.Config{})
	receive(t, e, "WIDGET", "main", 3)
	apply(t, e, write("k", 1, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 3, price: "10.00"})))
	sh := release(t, e)[0]
	res, err := e.ShipmentConfirmations().Apply(ctx, confirmation(sh.Number, canonical.ShipmentCancelled, 1))
	if err != nil || res.Action != connector.Updated {
		t.Fatalf("cancelling the despatch: %v %v", res.Action, err)
	}
	if got, _ := e.Shipment(sh.Number); got.Status != canonical.ShipmentCancelled {
		t.Errorf("despatch status %s, want cancelled", got.Status)
	}
	o, _ := e.Order("SO-000001")
	if qty(o.Lines[0].Allocated) != "3" || !o.Lines[0].Shipped.IsZero() {
		t.Errorf("order line allocated %s shipped %s, want 3 and 0", o.Lines[0].Allocated, o.Lines[0].Shipped)
	}
	if lv := e.Level("WIDGET", "main"); qty(lv.OnHand) != "3" || qty(lv.Allocated) != "3" {
		t.Errorf("stock on hand %s allocated %s, want 3 and 3", lv.OnHand, lv.Allocated)
	}
	// A confirmation of the cancelled despatch is refused.
	_, err = e.ShipmentConfirmations().Apply(ctx, confirmation(sh.Number, canonical.ShipmentShipped, 2))
	wantKind(t, err, connector.BusinessRule, "is cancelled")
	// The quantities are released again in a new despatch.
	next := release(t, e)
	if len(next) != 1 || next[0].Number == sh.Number || qty(next[0].Lines[0].Quantity) != "3" {
		t.Fatalf("Release after the cancel: %+v, want a new despatch of 3", next)
	}
	// A Delete cancels too.
	if res, err := e.ShipmentConfirmations().Apply(ctx, del("c", 1, canonical.Shipment{Number: next[0].Number})); err != nil || res.Action != connector.Updated {
		t.Errorf("Delete of a despatch: %v %v, want updated", res.Action, err)
	}
	log := readAll(t, e.Despatches())
	var states []canonical.ShipmentStatus
	for _, c := range log {
		states = append(states, c.Entity.Status)
	}
	want := []canonical.ShipmentStatus{canonical.ShipmentPlanned, canonical.ShipmentCancelled, canonical.ShipmentPlanned, canonical.ShipmentCancelled}
	if len(states) != len(want) {
		t.Fatalf("Despatches log states %v, want %v", states, want)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Errorf("Despatches log states %v, want %v", states, want)
			break
		}
	}
}

func TestInvoiceTerms(t *testing.T) {
	ctx := context.Background()
	e := newERP(t, memerp.Config{})
	res, err := e.Customers().Apply(ctx, write("c2", 1, canonical.Customer{Name: "Beta", PaymentTerms: "NET14"}))
	if err != nil {
		t.Fatal(err)
	}
	receive(t, e, "WIDGET", "main", 2)
	apply(t, e, write("a", 1, order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})))
	apply(t, e, write("b", 1, order(res.Ref.ID, "#2", line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})))
	for _, sh := range release(t, e) {
		confirm(t, e, sh.Number)
	}
	for _, tc := range []struct{ order, due string }{{"SO-000001", "2026-04-01"}, {"SO-000002", "2026-03-16"}} {
		inv := e.InvoicesOf(tc.order)[0]
		if inv.IssueDate.String() != "2026-03-02" || inv.DueDate.String() != tc.due {
			t.Errorf("%s: issued %s due %s, want 2026-03-02 and %s", inv.Number, inv.IssueDate, inv.DueDate, tc.due)
		}
	}
}

func TestInvoiceTaxes(t *testing.T) {
	e := newERP(t, memerp.Config{})
	eur := func(s string) canonical.Money { return canonical.MustMoney(s, "EUR") }
	vat := canonical.MustDecimal("0.20")
	o := withShipping(order("C-000001", "#1", line{id: "L1", sku: "WIDGET", qty: 3, price: "10.00"}), "4.99")
	o.Lines[0].Taxes = []canonical.TaxLine{{Category: "S", Name: "VAT", Rate: vat, Taxable: eur("30.00"), Tax: eur("6.00")}}
	o.Taxes = []canonical.TaxLine{{Category: "S", Name: "VAT", Rate: vat, Taxable: eur("34.99"), Tax: eur("7.00")}}
	o.Totals.Tax = eur("7.00")
	o.Totals.Payable = eur("41.99")
	apply(t, e, write("k", 1, o))
	for _, n := range []int64{1, 2} {
		receive(t, e, "WIDGET", "main", n)
		for _, sh := range release(t, e) {
			confirm(t, e, sh.Number)
		}
	}
	if shs := e.ShipmentsOf("SO-000001"); len(shs) != 2 {
		t.Fatalf("%d despatches, want 2", len(shs))
	}
	invs := e.InvoicesOf("SO-000001")
	if len(invs) != 2 {
		t.Fatalf("%d invoices, want 2", len(invs))
	}
	want := []struct{ lineTax, docTaxable, docTax, shipping, payable string }{
		{"2.00", "11.66", "2.33", "1.66", "13.99"},
		{"4.00", "23.33", "4.67", "3.33", "28.00"}, // 13.99 + 28.00 = 41.99
	}
	total := canonical.Zero("EUR")
	for i, inv := range invs {
		if err := inv.Validate(); err != nil {
			t.Errorf("%s is not valid: %v", inv.Number, err)
		}
		total, _ = total.Add(inv.Totals.Payable)
		w := want[i]
		got := []string{money(inv.Lines[0].Taxes[0].Tax), money(inv.Taxes[0].Taxable), money(inv.Taxes[0].Tax),
			money(inv.Charges[0].Amount), money(inv.Totals.Payable)}
		if got[0] != w.lineTax || got[1] != w.docTaxable || got[2] != w.docTax || got[3] != w.shipping || got[4] != w.payable {
			t.Errorf("%s: line tax, taxable, tax, shipping, payable = %v, want %+v", inv.Number, got, w)
		}
	}
	if !total.Equal(o.Totals.Payable) {
		t.Errorf("the invoices add up to %s, want the order's %s", total, o.Totals.Payable)
	}
}

func TestAccessors(t *testing.T) {
	e := newERP(t, memerp.Config{System: "erp:prod"})
	if e.System() != "erp:prod" {
		t.Errorf("System() = %q", e.System())
	}
	if p, ok := e.Price("GADGET"); !ok || money(p) != "3.33" {
		t.Errorf("Price(GADGET) = %s %v, want 3.33", p, ok)
	}
	if _, ok := e.Price("NOPE"); ok {
		t.Error("Price of an unknown item")
	}
	if err := e.AddItem("GADGET", "Gadget v2", canonical.MustMoney("3.50", "EUR")); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.Price("GADGET"); money(p) != "3.50" {
		t.Errorf("Price after repricing %s, want 3.50", p)
	}
	for _, ok := range []bool{
		func() bool { _, ok := e.Order("SO-000404"); return ok }(),
		func() bool { _, ok := e.Shipment("SH-000404"); return ok }(),
		func() bool { _, ok := e.Invoice("INV-000404"); return ok }(),
		func() bool { _, ok := e.CreditNote("CN-000404"); return ok }(),
		func() bool { _, ok := e.Customer("C-000404"); return ok }(),
	} {
		if ok {
			t.Error("an accessor found a document that does not exist")
		}
	}
	if lv := e.Level("GADGET", "main"); !lv.OnHand.IsZero() || lv.OnHand.Unit != canonical.UnitOne || lv.Sequence != 0 {
		t.Errorf("a level that never changed: %+v", lv)
	}
}
