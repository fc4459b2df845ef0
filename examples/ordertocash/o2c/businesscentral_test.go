package o2c

import (
	"context"
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/store"
)

// A small day with the ERP on the Business Central fake, the shop on either
// platform: the flows read and write Business Central through its connector
// over HTTP, the warehouse posts shipments and invoices in the fake, and at
// the end of the day every reconciliation check holds with nothing left
// open.
func TestBusinessCentralDay(t *testing.T) {
	t.Parallel()
	for _, shop := range []string{OnMemshop, OnShopify} {
		t.Run(shop, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			in, err := New(Config{Seed: 1, Shop: shop, ERP: OnBusinessCentral})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(in.Close)
			if in.MemERP != nil {
				t.Error("MemERP is set with the ERP on Business Central")
			}
			st, err := in.Trade(ctx, Day{Orders: 60, Hours: 4}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if st.Orders != 60 || st.Cancelled == 0 || st.Amended == 0 || st.CreditHolds == 0 {
				t.Errorf("the day placed %d orders, amended %d, cancelled %d, held %d accounts; want 60 and some of each",
					st.Orders, st.Amended, st.Cancelled, st.CreditHolds)
			}
			for _, c := range in.Reconcile(ctx) {
				if !c.OK() {
					t.Errorf("%s: %d drift: %q", c.Name, len(c.Drift), c.Drift)
				}
				if c.Compared == 0 {
					t.Errorf("%s compared nothing", c.Name)
				}
			}
			for ex, err := range in.Store.Exceptions(ctx, store.ExceptionFilter{Status: store.Open}) {
				if err != nil {
					t.Fatal(err)
				}
				t.Errorf("open exception %s %s %s: %s", ex.Flow, ex.Key, ex.Kind, ex.Message)
			}

			b := in.ERP.(*bcBack)
			if n := b.flowRequests.Load(); n == 0 {
				t.Error("the flows sent the Business Central connector no requests")
			}
			// Every posted shipment went to the carrier once, with a label in
			// use, and reached the shop as a fulfilment.
			shipments := b.srv.Shipments()
			if len(shipments) == 0 {
				t.Fatal("the warehouse posted no shipments")
			}
			fulfilled := map[string]bool{}
			for _, so := range in.Shop.ListOrders() {
				for _, f := range in.Shop.FulfillmentsOf(so.Number) {
					if f.TrackingNumber != "" {
						fulfilled[f.TrackingNumber] = true
					}
				}
			}
			for _, sh := range shipments {
				parcel, ok := in.Courier.Shipment(sh.Number)
				if !ok || parcel.Label == nil || parcel.Label.Voided {
					t.Errorf("posted shipment %s has no label in use at the carrier", sh.Number)
					continue
				}
				if !fulfilled[parcel.TrackingNumber] {
					t.Errorf("posted shipment %s (tracking %s) is no fulfilment in the shop", sh.Number, parcel.TrackingNumber)
				}
				if n := len(b.srv.OrdersByExternal(sh.ExternalDocumentNumber)); n > 1 {
					t.Errorf("shop order %s has %d Business Central orders", sh.ExternalDocumentNumber, n)
				}
			}
			if a := in.Courier.Account(); a.Purchased != len(shipments) || a.Voided != 0 {
				t.Errorf("courier: %d labels bought, %d voided, for %d posted shipments", a.Purchased, a.Voided, len(shipments))
			}
			// Nothing was confirmed back: Business Central posted first.
			if s, _ := in.Engine.Stats(FlowConfirm); s.Read == 0 || s.Applied != 0 {
				t.Errorf("tracking→erp read %d and applied %d; want tracking read and none applied", s.Read, s.Applied)
			}
			// Every refund credited in the ledger is one posted credit memo
			// in Business Central, for the same amount.
			memos := map[string][]canonical.Decimal{}
			for _, m := range b.srv.CreditMemos() {
				if m.Status != "Draft" {
					memos[m.ExternalDocumentNumber] = append(memos[m.ExternalDocumentNumber], m.TotalInclTax)
				}
			}
			credited := 0
			for _, so := range in.Shop.ListOrders() {
				for _, r := range in.Shop.RefundsOf(so.Number) {
					lcn, ok := in.Ledger.CreditNote("CN-" + refundID(r))
					if !ok {
						continue
					}
					credited++
					got := memos["CN-"+refundID(r)]
					if len(got) != 1 || !got[0].Equal(lcn.Totals.Payable.Amount) {
						t.Errorf("refund %s: ledger credits %s, Business Central %v", refundID(r), lcn.Totals.Payable, got)
					}
				}
			}
			if credited == 0 || credited != len(memos) {
				t.Errorf("%d refunds credited in the ledger, %d posted credit memos; want the same, and some", credited, len(memos))
			}
		})
	}
}

// Business Central numbers its own order lines and matches an amendment's
// by item, in order. An order with two lines of one item, amended (the
// first of them removed, another added) and shipped in two parcels: the
// fulfilments reach the shop's own lines, the checks pair the lines the same
// way, and the two invoices add up to what the customer paid but the VAT on
// shipping, which the fake does not charge on a G/L account line.
func TestBusinessCentralLines(t *testing.T) {
	t.Parallel()
	in, err := New(Config{Seed: 1, ERP: OnBusinessCentral})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Close)
	w := &world{t: t, ctx: context.Background(), in: in}
	w.receive("TEE-BLK-S", "WH1", 2)
	w.receive("MUG-LOGO", "WH2", 10)
	ada := w.customer("Ada Lovelace", "ada@example.com", london)
	placed := w.place(ada, ln{"TEE-BLK-S", 1}, ln{"MUG-LOGO", 1}, ln{"TEE-BLK-S", 2})
	w.sync()
	amended, err := in.Shop.AmendOrder(placed.Number, func(o *canonical.SalesOrder) error {
		o.Lines = append(o.Lines[1:], canonical.SalesOrderLine{
			SKU: "TEE-BLK-S", Ordered: canonical.Qty(1, canonical.UnitOne), UnitPrice: w.item("TEE-BLK-S").Price,
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.sync()

	// Business Central kept its first tee line for the shop's first tee
	// line now (2 units), and its second for the added one (1 unit).
	eo := w.erpOrder(placed.Number)
	got := map[string]int64{}
	for _, l := range eo.Lines {
		got[l.LineID+" "+l.SKU], _ = l.Ordered.Value.Int64(0)
	}
	want := map[string]int64{"10000 100101": 2, "20000 100401": 1, "30000 100101": 1}
	if len(got) != len(want) {
		t.Errorf("Business Central lines %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("Business Central line %s ordered %d, want %d", k, got[k], n)
		}
	}

	w.release() // two tees on hand: the first tee line and the mug ship
	w.settle()
	so := w.shopOrder(placed.Number)
	shipped := map[string]int64{}
	for _, l := range so.Lines {
		shipped[l.LineID], _ = l.Shipped.Value.Int64(0)
	}
	first, added := amended.Lines[1].LineID, amended.Lines[2].LineID
	if shipped[amended.Lines[0].LineID] != 1 || shipped[first] != 2 || shipped[added] != 0 {
		t.Errorf("after the first parcel the shop shows shipped %v; want the mug, the 2 tees of %s and none of %s", shipped, first, added)
	}

	w.receive("TEE-BLK-S", "WH1", 5)
	w.release()
	w.settle()
	so = w.shopOrder(placed.Number)
	if fs := so.FulfillmentStatus(); fs != canonical.FulfillmentFulfilled {
		t.Errorf("shop order is %s, want fulfilled", fs)
	}
	if n := len(in.Shop.FulfillmentsOf(placed.Number)); n != 2 {
		t.Errorf("%d fulfilments, want 2", n)
	}
	eo = w.erpOrder(placed.Number)
	if eo.Status != canonical.OrderCompleted {
		t.Errorf("ERP order is %s, want completed", eo.Status)
	}
	if _, open := in.ERP.(*bcBack).srv.Order(eo.Number); open {
		t.Errorf("Business Central still has order %s open", eo.Number)
	}
	invs := in.ERP.InvoicesOf(eo.Number)
	if len(invs) != 2 {
		t.Fatalf("%d invoices, want one per parcel", len(invs))
	}
	var payables []canonical.Money
	for _, inv := range invs {
		payables = append(payables, inv.Totals.Payable)
	}
	shippingVAT := canonical.MustMoney("0.99", Currency)
	wantMoney(t, "the invoices together, with the shipping's VAT", sum(t, append(payables, shippingVAT)...), amended.Totals.Payable)
	for _, ex := range w.exceptions("", store.Open) {
		t.Errorf("open exception %s: %s %s (%s): %s", ex.ID, ex.Flow, ex.Key, ex.Kind, ex.Message)
	}
	for _, c := range in.Reconcile(w.ctx) {
		if !c.OK() {
			t.Errorf("reconciliation %q drifts: %s", c.Name, strings.Join(c.Drift, "; "))
		}
	}
}

func TestUnknownERP(t *testing.T) {
	if _, err := New(Config{ERP: "sap"}); err == nil {
		t.Error("New accepted an unknown ERP platform")
	}
}
