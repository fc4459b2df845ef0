package o2c

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/crm/memcrm"
)

// An order amended after the ERP imported it, before the warehouse released
// it: a line added, a quantity changed, a line removed. The ERP order follows
// the shop's latest revision line by line, and ships, invoices and charges
// the amended quantities.
func TestAmendedOrder(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		for _, sku := range []string{"TEE-BLK-S", "HOOD-GRY-M", "CAP-BLK", "MUG-LOGO"} {
			w.receive(sku, "WH1", 10)
		}
		ada := w.customer("Ada Lovelace", "ada@example.com", london)
		placed := w.place(ada, ln{"TEE-BLK-S", 2}, ln{"HOOD-GRY-M", 1}, ln{"CAP-BLK", 1})
		w.sync()
		imported := w.erpOrder(placed.Number)
		wantQty(t, "CAP-BLK allocated after import", w.level("CAP-BLK", "WH1").Allocated, 1)

		amended, err := w.in.Shop.AmendOrder(placed.Number, func(o *canonical.SalesOrder) error {
			o.Lines[0].Ordered = canonical.Qty(3, canonical.UnitOne) // L1: 2 → 3
			o.Lines = slices.Delete(o.Lines, 2, 3)                   // L3 removed
			o.Lines = append(o.Lines, canonical.SalesOrderLine{      // a new line
				SKU: "MUG-LOGO", Ordered: canonical.Qty(2, canonical.UnitOne), UnitPrice: w.item("MUG-LOGO").Price,
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if grew, _ := amended.Totals.Payable.Cmp(placed.Totals.Payable); grew <= 0 {
			t.Fatalf("the amendment should cost more: %s → %s", placed.Totals.Payable, amended.Totals.Payable)
		}
		w.sync()

		// Before the wave: the ERP holds the amended order, same number, the
		// shop's line IDs, and the stock of the removed line is free again.
		eo := w.erpOrder(placed.Number)
		if eo.Number != imported.Number {
			t.Errorf("the amendment made ERP order %s, want %s amended", eo.Number, imported.Number)
		}
		wantLines := map[string]struct {
			item string
			qty  int64
		}{"L1": {"100101", 3}, "L2": {"100201", 1}, "L4": {"100401", 2}}
		if len(eo.Lines) != len(wantLines) {
			t.Errorf("ERP order has %d lines, want %d", len(eo.Lines), len(wantLines))
		}
		for _, sl := range amended.Lines {
			want, ok := wantLines[sl.LineID]
			if !ok {
				t.Fatalf("shop line %s unexpected", sl.LineID)
			}
			el, ok := eo.Line(sl.LineID)
			if !ok {
				t.Errorf("ERP order has no line %s", sl.LineID)
				continue
			}
			if el.SKU != want.item {
				t.Errorf("ERP line %s sells %s, want %s", sl.LineID, el.SKU, want.item)
			}
			wantQty(t, "ERP line "+sl.LineID+" ordered", el.Ordered, want.qty)
			wantQty(t, "ERP line "+sl.LineID+" allocated", el.Allocated, want.qty)
			wantMoney(t, "ERP line "+sl.LineID+" net", el.Net, sl.Net)
		}
		if _, ok := eo.Line("L3"); ok {
			t.Error("ERP order still has the removed line L3")
		}
		wantQty(t, "CAP-BLK allocated after the amendment", w.level("CAP-BLK", "WH1").Allocated, 0)
		wantQty(t, "MUG-LOGO allocated after the amendment", w.level("MUG-LOGO", "WH1").Allocated, 2)
		wantMoney(t, "ERP order payable", eo.Totals.Payable, amended.Totals.Payable)

		w.release()
		w.settle()

		// One despatch of the amended quantities, one invoice of them.
		eo = w.erpOrder(placed.Number)
		if eo.Status != canonical.OrderCompleted {
			t.Errorf("ERP order is %s, want completed", eo.Status)
		}
		ships := w.in.ERP.ShipmentsOf(eo.Number)
		if len(ships) != 1 {
			t.Fatalf("ERP order has %d despatches, want 1", len(ships))
		}
		shipped := map[string]int64{}
		for _, l := range ships[0].Lines {
			v, _ := l.Quantity.Value.Int64(0)
			shipped[l.OrderLine.LineID] += v
		}
		for id, want := range wantLines {
			if shipped[id] != want.qty {
				t.Errorf("despatch ships %d of line %s, want %d", shipped[id], id, want.qty)
			}
		}
		invs := w.in.ERP.InvoicesOf(eo.Number)
		if len(invs) != 1 {
			t.Fatalf("ERP order has %d invoices, want 1", len(invs))
		}
		for _, il := range invs[0].Lines {
			want := wantLines[il.OrderLine.LineID]
			wantQty(t, "invoiced of line "+il.OrderLine.LineID, il.Quantity, want.qty)
		}
		wantMoney(t, "ERP invoice payable", invs[0].Totals.Payable, amended.Totals.Payable)
		due, err := w.in.Ledger.AmountDue(w.ctx, invs[0].Number)
		if err != nil {
			t.Fatal(err)
		}
		wantMoney(t, "ledger amount due (the shop charged the difference)", due, canonical.Zero(Currency))

		// The shop shows the amended order delivered; the deal is worth what
		// the customer now pays.
		so := w.shopOrder(placed.Number)
		if fs := so.FulfillmentStatus(); fs != canonical.FulfillmentFulfilled {
			t.Errorf("shop order is %s, want fulfilled", fs)
		}
		for _, l := range so.Lines {
			wantQty(t, "shop shipped of line "+l.LineID, l.Shipped, wantLines[l.LineID].qty)
		}
		deal, ok := w.in.CRM.Deal(placed.Number)
		if !ok {
			t.Fatal("no CRM deal")
		}
		wantMoney(t, "CRM deal amount", deal.Amount, amended.Totals.Payable)
		if deal.Stage == memcrm.StageLost {
			t.Errorf("CRM deal is %s", deal.Stage)
		}
		w.checkEnd()
	})
}

// An order cancelled after the ERP imported it and allocated its stock, but
// before the warehouse released it: the ERP order is cancelled, its stock is
// free again in the ERP and in the shop, nothing is despatched or invoiced,
// and the deal is lost.
func TestCancelledAfterAllocation(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("TEE-WHT-M", "WH1", 5)
		w.receive("SCARF-WL", "WH1", 3)
		grace := w.customer("Grace Hopper", "grace@example.com", berlin)
		w.sync()
		before := w.level("TEE-WHT-M", "WH1")
		placed := w.place(grace, ln{"TEE-WHT-M", 2}, ln{"SCARF-WL", 1})
		w.sync()

		// Imported and allocated: the shop sells only what is left.
		eo := w.erpOrder(placed.Number)
		if eo.Status != canonical.OrderAccepted {
			t.Fatalf("ERP order is %s, want accepted", eo.Status)
		}
		wantQty(t, "ERP allocated", w.level("TEE-WHT-M", "WH1").Allocated, 2)
		avail, _ := w.in.Shop.Available("TEE-WHT-M", "warehouse")
		wantQty(t, "shop available after allocation", avail, 3)

		if _, err := w.in.Shop.CancelOrder(placed.Number, "customer changed their mind"); err != nil {
			t.Fatal(err)
		}
		w.sync()
		w.release() // the next wave has nothing of it to release
		w.settle()

		eo = w.erpOrder(placed.Number)
		if eo.Status != canonical.OrderCancelled {
			t.Errorf("ERP order is %s, want cancelled", eo.Status)
		}
		after := w.level("TEE-WHT-M", "WH1")
		wantQty(t, "ERP on hand", after.OnHand, 5)
		wantQty(t, "ERP allocated", after.Allocated, 0)
		if !after.Available.Value.Equal(before.Available.Value) {
			t.Errorf("ERP available = %s, want %s as before the order", after.Available.Value, before.Available.Value)
		}
		wantQty(t, "ERP SCARF-WL available", w.level("SCARF-WL", "WH1").Available, 3)
		for sku, want := range map[string]int64{"TEE-WHT-M": 5, "SCARF-WL": 3} {
			got, ok := w.in.Shop.Available(sku, "warehouse")
			if !ok {
				t.Errorf("shop has no stock level of %s", sku)
			}
			wantQty(t, "shop available "+sku, got, want)
		}
		if sh := w.in.ERP.ShipmentsOf(eo.Number); len(sh) != 0 {
			t.Errorf("cancelled order has despatches %v", sh)
		}
		if invs := w.in.ERP.InvoicesOf(eo.Number); len(invs) != 0 {
			t.Errorf("cancelled order has invoices %v", invs)
		}
		if a := w.in.Courier.Account(); a.Purchased != 0 {
			t.Errorf("courier sold %d labels", a.Purchased)
		}
		if tot := w.in.Ledger.Totals(Currency); !tot.Invoiced.IsZero() || !tot.Credited.IsZero() {
			t.Errorf("ledger invoiced %s and credited %s, want nothing", tot.Invoiced, tot.Credited)
		}
		so := w.shopOrder(placed.Number)
		if so.Status != canonical.OrderCancelled || len(so.Lines) != 2 {
			t.Errorf("shop order is %s with %d lines", so.Status, len(so.Lines))
		}
		deal, ok := w.in.CRM.Deal(placed.Number)
		if !ok || deal.Stage != memcrm.StageLost {
			t.Errorf("CRM deal = %+v, want lost", deal)
		}
		w.checkEnd()
	})
}

// A cancelled shipment: the warehouse buys a label, then voids it at the
// carrier before the parcel is collected. The ERP takes the despatch back
// (its quantities return to the order's allocation), the next wave releases
// a new despatch, and the order ships once, with one label in use, and is
// invoiced once.
func TestVoidedLabel(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("HOOD-NVY-L", "WH1", 10)
		alan := w.customer("Alan Turing", "alan@example.com", london)
		placed := w.place(alan, ln{"HOOD-NVY-L", 2})
		w.sync()
		w.release()
		w.sync()

		eo := w.erpOrder(placed.Number)
		ships := w.in.ERP.ShipmentsOf(eo.Number)
		if len(ships) != 1 {
			t.Fatalf("%d despatches after the first wave, want 1", len(ships))
		}
		first := ships[0].Number
		parcel, ok := w.in.Courier.Shipment(first)
		if !ok || parcel.Label == nil || parcel.Status != canonical.ShipmentLabelCreated {
			t.Fatalf("no label bought for %s: %+v", first, parcel)
		}
		// A label is not a parcel sent: nothing is invoiced yet.
		if invs := w.in.ERP.InvoicesOf(eo.Number); len(invs) != 0 {
			t.Fatalf("invoiced on the label alone: %v", invs)
		}

		if err := w.in.Courier.VoidLabel(w.ctx, parcel.Label.ID); err != nil {
			t.Fatal(err)
		}
		w.sync()

		// The ERP took the despatch back: cancelled, its quantity allocated
		// to the order again, the stock still on hand.
		sh, _ := w.in.ERP.Shipment(first)
		if sh.Status != canonical.ShipmentCancelled {
			t.Errorf("ERP despatch %s is %s, want cancelled", first, sh.Status)
		}
		eo = w.erpOrder(placed.Number)
		wantQty(t, "ERP line allocated after the void", eo.Lines[0].Allocated, 2)
		wantQty(t, "ERP line shipped after the void", eo.Lines[0].Shipped, 0)
		lvl := w.level("HOOD-NVY-L", "WH1")
		wantQty(t, "ERP on hand after the void", lvl.OnHand, 10)
		wantQty(t, "ERP allocated after the void", lvl.Allocated, 2)
		if invs := w.in.ERP.InvoicesOf(eo.Number); len(invs) != 0 {
			t.Errorf("invoiced a voided despatch: %v", invs)
		}
		wantQty(t, "shop shipped after the void", w.shopOrder(placed.Number).Lines[0].Shipped, 0)

		w.release()
		w.settle()

		ships = w.in.ERP.ShipmentsOf(eo.Number)
		if len(ships) != 2 || ships[0].Status != canonical.ShipmentCancelled || ships[1].Status != canonical.ShipmentDelivered {
			t.Fatalf("despatches %v, want the voided one cancelled and a new one delivered", ships)
		}
		second := ships[1].Number
		wantQty(t, "second despatch quantity", ships[1].Lines[0].Quantity, 2)
		if a := w.in.Courier.Account(); a.Purchased != 2 || a.Voided != 1 {
			t.Errorf("courier: %d labels bought, %d voided; want 2 and 1", a.Purchased, a.Voided)
		}
		invs := w.in.ERP.InvoicesOf(eo.Number)
		if len(invs) != 1 || !slices.Equal(invs[0].Shipments, []string{second}) {
			t.Fatalf("invoices %v, want one for %s", invs, second)
		}
		wantMoney(t, "invoice payable", invs[0].Totals.Payable, placed.Totals.Payable)
		eo = w.erpOrder(placed.Number)
		if eo.Status != canonical.OrderCompleted {
			t.Errorf("ERP order is %s, want completed", eo.Status)
		}
		wantQty(t, "ERP line shipped", eo.Lines[0].Shipped, 2)
		lvl = w.level("HOOD-NVY-L", "WH1")
		wantQty(t, "ERP on hand", lvl.OnHand, 8)
		wantQty(t, "ERP allocated", lvl.Allocated, 0)

		so := w.shopOrder(placed.Number)
		wantQty(t, "shop shipped", so.Lines[0].Shipped, 2)
		fuls := w.in.Shop.FulfillmentsOf(placed.Number)
		if len(fuls) != 2 || fuls[0].Status != canonical.ShipmentCancelled || fuls[1].Status != canonical.ShipmentDelivered {
			t.Errorf("shop fulfilments %v, want the voided one cancelled and the new one delivered", fuls)
		}
		w.checkEnd()
	})
}

// A split delivery invoiced per shipment: the ERP has too little of one item
// when it imports the order, the first wave ships what it has, a receipt
// fills the backorder and a second wave ships the rest. Two despatches, two
// labels, two invoices in the ERP and the ledger that add up to what the
// customer paid, and two fulfilments that complete the shop order.
func TestSplitDelivery(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("BAG-DUFF", "WH1", 1)
		w.receive("SOCK-3PK", "WH1", 10)
		edsger := w.customer("Edsger Dijkstra", "edsger@example.com", paris)
		placed := w.place(edsger, ln{"BAG-DUFF", 3}, ln{"SOCK-3PK", 2})
		w.sync()
		eo := w.erpOrder(placed.Number)
		wantQty(t, "duffel bags allocated at import", eo.Lines[0].Allocated, 1)

		w.release()
		w.settle()

		// The first parcel: one bag and the socks, invoiced; two bags to come.
		eo = w.erpOrder(placed.Number)
		if eo.Status != canonical.OrderInProgress {
			t.Errorf("ERP order is %s after the first parcel, want in_progress", eo.Status)
		}
		if invs := w.in.ERP.InvoicesOf(eo.Number); len(invs) != 1 {
			t.Fatalf("%d invoices after the first parcel, want 1", len(invs))
		}
		if so := w.shopOrder(placed.Number); so.FulfillmentStatus() != canonical.FulfillmentPartial {
			fs := so.FulfillmentStatus()
			t.Errorf("shop order is %s after the first parcel, want partially fulfilled", fs)
		}

		w.receive("BAG-DUFF", "WH1", 5)
		w.release()
		w.settle()

		eo = w.erpOrder(placed.Number)
		if eo.Status != canonical.OrderCompleted {
			t.Errorf("ERP order is %s, want completed", eo.Status)
		}
		ships := w.in.ERP.ShipmentsOf(eo.Number)
		if len(ships) != 2 {
			t.Fatalf("%d despatches, want 2", len(ships))
		}
		perShipment := []map[string]int64{{"L1": 1, "L2": 2}, {"L1": 2}}
		for i, sh := range ships {
			if sh.Status != canonical.ShipmentDelivered {
				t.Errorf("despatch %s is %s, want delivered", sh.Number, sh.Status)
			}
			got := map[string]int64{}
			for _, l := range sh.Lines {
				got[l.OrderLine.LineID], _ = l.Quantity.Value.Int64(0)
			}
			if !maps.Equal(got, perShipment[i]) {
				t.Errorf("despatch %s ships %v, want %v", sh.Number, got, perShipment[i])
			}
		}
		if a := w.in.Courier.Account(); a.Purchased != 2 || a.Voided != 0 {
			t.Errorf("courier: %d labels bought, %d voided; want 2 and 0", a.Purchased, a.Voided)
		}

		invs := w.in.ERP.InvoicesOf(eo.Number)
		if len(invs) != 2 {
			t.Fatalf("%d invoices, want one per despatch", len(invs))
		}
		var payables []canonical.Money
		for i, inv := range invs {
			if !slices.Equal(inv.Shipments, []string{ships[i].Number}) {
				t.Errorf("invoice %s bills %v, want %s", inv.Number, inv.Shipments, ships[i].Number)
			}
			for _, il := range inv.Lines {
				want := perShipment[i][il.OrderLine.LineID]
				wantQty(t, inv.Number+" line "+il.OrderLine.LineID, il.Quantity, want)
			}
			led, ok := w.in.Ledger.Invoice(inv.Number)
			if !ok {
				t.Fatalf("ledger has no invoice %s", inv.Number)
			}
			wantMoney(t, "ledger "+inv.Number, led.Totals.Payable, inv.Totals.Payable)
			due, err := w.in.Ledger.AmountDue(w.ctx, inv.Number)
			if err != nil {
				t.Fatal(err)
			}
			wantMoney(t, "amount due on "+inv.Number, due, canonical.Zero(Currency))
			payables = append(payables, inv.Totals.Payable)
		}
		wantMoney(t, "the invoices together", sum(t, payables...), placed.Totals.Payable)

		so := w.shopOrder(placed.Number)
		if fs := so.FulfillmentStatus(); fs != canonical.FulfillmentFulfilled {
			t.Errorf("shop order is %s, want fulfilled", fs)
		}
		fuls := w.in.Shop.FulfillmentsOf(placed.Number)
		if len(fuls) != 2 {
			t.Errorf("shop has %d fulfilments, want 2", len(fuls))
		}
		for i, f := range fuls {
			if f.Number != ships[i].Number || f.Status != canonical.ShipmentDelivered {
				t.Errorf("shop fulfilment %s is %s, want %s delivered", f.Number, f.Status, ships[i].Number)
			}
		}
		lvl := w.level("BAG-DUFF", "WH1")
		wantQty(t, "duffel bags on hand", lvl.OnHand, 3)
		wantQty(t, "duffel bags allocated", lvl.Allocated, 0)
		w.checkEnd()
	})
}

// An order from a customer on credit hold: the ERP refuses it, the order is
// parked as a business-rule exception that names the hold, and the
// customer's later amendment of it waits behind it. Once the credit
// controller releases the hold, replaying the parked order applies it and
// its amendment, in order, once; the payments that could not be matched to
// an ERP order meanwhile resolve on replay.
func TestCreditHold(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("MUG-ENAM", "WH1", 10)
		w.receive("POST-A2", "WH1", 10)
		barbara := w.customer("Barbara Liskov", "barbara@example.com", berlin)
		w.sync()
		account := w.erpAccountOf(barbara)
		if err := w.in.ERP.SetCreditStatus(w.ctx, account, canonical.CreditHold); err != nil {
			t.Fatal(err)
		}

		placed := w.place(barbara, ln{"MUG-ENAM", 2})
		w.sync()
		amended, err := w.in.Shop.AmendOrder(placed.Number, func(o *canonical.SalesOrder) error {
			o.Lines = append(o.Lines, canonical.SalesOrderLine{
				SKU: "POST-A2", Ordered: canonical.Qty(1, canonical.UnitOne), UnitPrice: w.item("POST-A2").Price,
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		w.settle()

		// Parked: the order for the hold, the amendment behind it.
		parked := w.exceptions(FlowOrders, store.Open)
		if len(parked) < 2 {
			t.Fatalf("%d open exceptions for %s, want the order and its amendment", len(parked), placed.Number)
		}
		first := parked[0]
		if first.Key != placed.Number || first.Kind != connector.BusinessRule ||
			!strings.Contains(first.Message, "credit hold") || !strings.Contains(first.Message, account) {
			t.Errorf("first exception: %s %s: %s; want %s parked as business-rule for the credit hold", first.Key, first.Kind, first.Message, placed.Number)
		}
		for _, ex := range parked[1:] {
			if ex.Key != placed.Number || ex.BlockedBy != first.ID {
				t.Errorf("exception %s (%s) waits behind %q, want %s", ex.ID, ex.Key, ex.BlockedBy, first.ID)
			}
		}
		// The captures (the sale and the amendment's extra charge) wait for
		// the ERP order their ledger payments name.
		if n := len(w.exceptions(FlowPayments, store.Open)); n != 2 {
			t.Errorf("%d payments parked, want the 2 captures of %s", n, placed.Number)
		}
		if _, ok := w.in.ERP.OrderByPO(placed.Number); ok {
			t.Fatal("the ERP took an order of an account on hold")
		}
		if a := w.in.Courier.Account(); a.Purchased != 0 {
			t.Errorf("a label was bought for an order on hold")
		}
		if tot := w.in.Ledger.Totals(Currency); !tot.Invoiced.IsZero() {
			t.Errorf("ledger invoiced %s for an order on hold", tot.Invoiced)
		}

		// The credit controller releases the hold; the operator replays.
		if err := w.in.ERP.SetCreditStatus(w.ctx, account, canonical.CreditOK); err != nil {
			t.Fatal(err)
		}
		outs, err := w.in.Engine.Replay(w.ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(outs) != len(parked) {
			t.Errorf("replay recorded %d outcomes, want %d (the order and what waited behind it)", len(outs), len(parked))
		}
		for i, o := range outs {
			if o.Result == store.Parked {
				t.Errorf("replay outcome %d is parked: %s", i, o.Detail)
			}
			if i > 0 {
				if c, ok := o.Version.Compare(outs[i-1].Version); !ok || c <= 0 {
					t.Errorf("replay applied version %s after %s: out of order", o.Version, outs[i-1].Version)
				}
			}
		}
		for _, ex := range w.exceptions(FlowOrders, "") {
			if ex.Status != store.Resolved {
				t.Errorf("orders exception %s is %s, want resolved", ex.ID, ex.Status)
			}
		}
		eo := w.erpOrder(placed.Number)
		if len(eo.Lines) != 2 {
			t.Fatalf("ERP order has %d lines, want the amended 2", len(eo.Lines))
		}
		wantMoney(t, "ERP order payable", eo.Totals.Payable, amended.Totals.Payable)
		if ref, _ := eo.Customer.Ref(ERP); ref.ID != account {
			t.Errorf("ERP order is on account %s, want %s", ref.ID, account)
		}

		if err := w.in.ReplayParked(w.ctx); err != nil {
			t.Fatal(err)
		}
		w.settle()

		eo = w.erpOrder(placed.Number)
		if eo.Status != canonical.OrderCompleted {
			t.Errorf("ERP order is %s, want completed", eo.Status)
		}
		invs := w.in.ERP.InvoicesOf(eo.Number)
		if len(invs) != 1 {
			t.Fatalf("%d invoices, want 1", len(invs))
		}
		wantMoney(t, "invoice", invs[0].Totals.Payable, amended.Totals.Payable)
		due, err := w.in.Ledger.AmountDue(w.ctx, invs[0].Number)
		if err != nil {
			t.Fatal(err)
		}
		wantMoney(t, "amount due", due, canonical.Zero(Currency))
		for _, ex := range w.exceptions(FlowPayments, "") {
			if ex.Status != store.Resolved || !strings.HasPrefix(ex.Resolution, "replayed") {
				t.Errorf("payments exception %s is %s, want resolved", ex.ID, ex.Status)
			}
		}
		if fs := w.shopOrder(placed.Number); fs.FulfillmentStatus() != canonical.FulfillmentFulfilled {
			t.Errorf("shop order is %s, want fulfilled", fs.FulfillmentStatus())
		}
		w.checkEnd()
	})
}

// Duplicate customers: a registered account and a guest checkout with the
// same email, written in another case and with stray spaces. The ERP gets one
// account, which the crosswalk links to both shop accounts; orders from both
// land on it, and the CRM has one contact with both orders as its deals.
func TestDuplicateCustomers(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("BEAN-GRY", "WH1", 10)
		w.receive("CAP-RED", "WH1", 10)
		registered := w.customer("Margaret Hamilton", "margaret.hamilton@example.com", london)
		guest := w.customer("M. Hamilton", "  Margaret.Hamilton@EXAMPLE.com ", london)
		if registered == guest {
			t.Fatal("the shop merged the accounts itself; the story needs two")
		}
		w.sync()
		first := w.place(registered, ln{"BEAN-GRY", 1})
		second := w.place(guest, ln{"CAP-RED", 2})
		w.settle()

		// One ERP account, linked to both shop accounts.
		account := w.erpAccountOf(registered)
		if got := w.erpAccountOf(guest); got != account {
			t.Errorf("the guest account is linked to ERP account %s, the registered one to %s", got, account)
		}
		if _, ok := w.in.ERP.Customer("C-000002"); ok {
			t.Error("the ERP opened a second account")
		}
		id1, _, err := w.in.Store.Lookup(w.ctx, entCustomer, canonical.ExternalRef{System: Shop, ID: registered})
		if err != nil {
			t.Fatal(err)
		}
		id2, _, err := w.in.Store.Lookup(w.ctx, entCustomer, canonical.ExternalRef{System: Shop, ID: guest})
		if err != nil {
			t.Fatal(err)
		}
		if id1 == "" || id1 != id2 {
			t.Errorf("crosswalk: shop accounts are %q and %q, want one customer", id1, id2)
		}

		// Both orders on that account, shipped and invoiced to it.
		for _, o := range []canonical.SalesOrder{first, second} {
			eo := w.erpOrder(o.Number)
			if ref, _ := eo.Customer.Ref(ERP); ref.ID != account {
				t.Errorf("ERP order of %s is on account %s, want %s", o.Number, ref.ID, account)
			}
			invs := w.in.ERP.InvoicesOf(eo.Number)
			if len(invs) != 1 {
				t.Errorf("%s has %d invoices, want 1", o.Number, len(invs))
				continue
			}
			if ref, _ := invs[0].Customer.Ref(ERP); ref.ID != account {
				t.Errorf("invoice %s is to %s, want %s", invs[0].Number, ref.ID, account)
			}
		}
		wantMoney(t, "account balance (both invoices)", *mustCustomer(t, w, account).Balance,
			sum(t, first.Totals.Payable, second.Totals.Payable))

		// One CRM contact, both shop accounts its aliases, both orders its deals.
		if n := w.in.CRM.ContactCount(); n != 1 {
			t.Errorf("CRM has %d contacts, want 1", n)
		}
		contact, ok := w.in.CRM.Contact("margaret.hamilton@example.com")
		if !ok {
			t.Fatal("no CRM contact")
		}
		for _, key := range []string{registered, guest} {
			if !slices.Contains(contact.Aliases, key) {
				t.Errorf("CRM contact aliases %v lack %s", contact.Aliases, key)
			}
		}
		for _, o := range []canonical.SalesOrder{first, second} {
			if d, ok := w.in.CRM.Deal(o.Number); !ok || d.Contact != contact.ID {
				t.Errorf("deal of %s = %+v, want one of contact %s", o.Number, d, contact.ID)
			}
		}
		w.checkEnd()
	})
}

func mustCustomer(t *testing.T, w *world, number string) canonical.Customer {
	t.Helper()
	c, ok := w.in.ERP.Customer(number)
	if !ok {
		t.Fatalf("no ERP account %s", number)
	}
	if c.Balance == nil {
		c.Balance = new(canonical.Money)
	}
	return c
}

// A late stock update: the ERP's stock feed delivers a newer snapshot of a
// level before an older one (as a reordering message bus does). The shop
// keeps the newest level, the engine records the older snapshot as skipped
// stale, and the shop's available stock ends equal to the ERP's.
func TestLateStockUpdate(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("TEE-BLK-M", "WH1", 10)
		w.receive("TEE-BLK-M", "WH1", 5)
		const key = "100102@WH1" // the ERP feed's key: item@location
		var versions []connector.Version
		for c, err := range w.in.ERP.Stock().Changes(w.ctx, "") {
			if err != nil {
				t.Fatal(err)
			}
			if c.Key == key {
				versions = append(versions, c.Version)
			}
		}
		if len(versions) != 2 {
			t.Fatalf("the ERP logged %d snapshots of %s, want 2", len(versions), key)
		}

		w.in.ERP.SetFaults(sim.Faults{Reorder: 1}) // every event after the next
		w.sync()
		w.in.ERP.SetFaults(sim.Faults{})

		got, _ := w.in.Shop.Available("TEE-BLK-M", "warehouse")
		wantQty(t, "shop available after the late update", got, 15)
		outs := w.outcomes(FlowStock, key)
		result := map[string]store.Outcome{}
		for _, o := range outs {
			result[o.Version.String()] = o
		}
		older, newer := result[versions[0].String()], result[versions[1].String()]
		if newer.Result != store.Applied {
			t.Errorf("newer snapshot %s: %s %s, want applied", versions[1], newer.Result, newer.Reason)
		}
		if older.Result != store.Skipped || older.Reason != store.Stale {
			t.Errorf("older snapshot %s: %s %s, want skipped stale", versions[0], older.Result, older.Reason)
		}
		if c, ok := outs[0].Version.Compare(versions[1]); len(outs) != 2 || !ok || c != 0 {
			t.Errorf("outcomes %v, want the newer snapshot's first", outs)
		}

		// The same late snapshot written straight to the shop, as a replayed
		// webhook would, does not overwrite the newer count either.
		late, err := w.in.stockToShop(w.ctx, flow.Env{}, canonical.StockLevel{
			SKU: "100102", Location: "WH1", OnHand: canonical.Qty(10, canonical.UnitOne),
			Available: canonical.Qty(10, canonical.UnitOne), AsOf: w.in.Clock.Now(), Sequence: versions[0].Seq,
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.in.Shop.Inventory().Apply(w.ctx, connector.Write[canonical.StockLevel]{
			Change: connector.Change[canonical.StockLevel]{System: ERP, Key: key, Entity: late},
		})
		if err != nil || res.Action != connector.Stale {
			t.Errorf("late snapshot straight to the shop: %v, %v; want stale", res.Action, err)
		}
		got, _ = w.in.Shop.Available("TEE-BLK-M", "warehouse")
		wantQty(t, "shop available after the replayed webhook", got, 15)

		// Trade goes on: the shop follows every later level.
		ken := w.customer("Ken Thompson", "ken@example.com", paris)
		placed := w.place(ken, ln{"TEE-BLK-M", 4})
		w.sync()
		got, _ = w.in.Shop.Available("TEE-BLK-M", "warehouse")
		wantQty(t, "shop available after the order's allocation", got, 11)
		w.settle()
		lvl := w.level("TEE-BLK-M", "WH1")
		wantQty(t, "ERP on hand", lvl.OnHand, 11)
		got, _ = w.in.Shop.Available("TEE-BLK-M", "warehouse")
		if !got.Value.Equal(lvl.Available.Value) {
			t.Errorf("shop available %s, ERP %s", got.Value, lvl.Available.Value)
		}
		if so := w.shopOrder(placed.Number); so.FulfillmentStatus() != canonical.FulfillmentFulfilled {
			t.Errorf("shop order is %s, want fulfilled", so.FulfillmentStatus())
		}
		w.checkEnd()
	})
}

// A label failure for a bad address: the customer typed a postcode the
// carrier does not know. The despatch's booking is parked as invalid, naming
// the field; no label is bought and nothing is invoiced. An operator enters
// the corrected address and replays: the label is bought once, the parcel
// travels and the order is invoiced.
func TestBadAddressLabel(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("HOOD-GRY-L", "WH1", 5)
		niklaus := w.customer("Niklaus Wirth", "niklaus@example.com", london)
		typo := london
		typo.Name = "Niklaus Wirth"
		typo.PostalCode = "XX9 SW1A 2AA"
		placed := w.placeTo(niklaus, typo, ln{"HOOD-GRY-L", 1})
		w.sync()
		w.release()
		w.settle()

		eo := w.erpOrder(placed.Number)
		ships := w.in.ERP.ShipmentsOf(eo.Number)
		if len(ships) != 1 {
			t.Fatalf("%d despatches, want 1", len(ships))
		}
		number := ships[0].Number
		parked := w.exceptions(FlowDespatch, store.Open)
		if len(parked) != 1 {
			t.Fatalf("%d despatches parked, want 1", len(parked))
		}
		ex := parked[0]
		if ex.Key != number || ex.Kind != connector.Invalid {
			t.Errorf("parked %s as %s, want %s invalid", ex.Key, ex.Kind, number)
		}
		if !slices.ContainsFunc(ex.Fields, func(f canonical.FieldError) bool { return f.Path == "shipTo.postalCode" }) {
			t.Errorf("exception fields %v do not name shipTo.postalCode", ex.Fields)
		}
		if a := w.in.Courier.Account(); a.Purchased != 0 {
			t.Errorf("%d labels bought for an address the carrier refused", a.Purchased)
		}
		if sh, _ := w.in.ERP.Shipment(number); sh.Status != canonical.ShipmentPlanned {
			t.Errorf("ERP despatch is %s, want still planned", sh.Status)
		}
		if invs := w.in.ERP.InvoicesOf(eo.Number); len(invs) != 0 {
			t.Errorf("invoiced before the parcel left: %v", invs)
		}

		fixed := typo
		fixed.PostalCode = "SW1A 2AA"
		w.in.FixAddress(number, fixed)
		outs, err := w.in.Engine.Replay(w.ctx, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(outs) != 1 || outs[0].Result != store.Applied {
			t.Fatalf("replay: %+v, want the booking applied", outs)
		}
		if got, _ := w.in.Store.Exception(w.ctx, ex.ID); got.Status != store.Resolved {
			t.Errorf("exception is %s after the replay, want resolved", got.Status)
		}
		w.settle()

		parcel, ok := w.in.Courier.Shipment(number)
		if !ok || parcel.ShipTo.PostalCode != "SW1A 2AA" {
			t.Errorf("the carrier holds %s with postcode %q, want the corrected one", number, parcel.ShipTo.PostalCode)
		}
		if parcel.Status != canonical.ShipmentDelivered {
			t.Errorf("parcel is %s, want delivered", parcel.Status)
		}
		if a := w.in.Courier.Account(); a.Purchased != 1 || a.Voided != 0 {
			t.Errorf("courier: %d labels bought, %d voided; want 1 and 0", a.Purchased, a.Voided)
		}
		if sh, _ := w.in.ERP.Shipment(number); sh.Status != canonical.ShipmentDelivered || sh.TrackingNumber != parcel.TrackingNumber {
			t.Errorf("ERP despatch is %s with tracking %q, want delivered with %q", sh.Status, sh.TrackingNumber, parcel.TrackingNumber)
		}
		invs := w.in.ERP.InvoicesOf(eo.Number)
		if len(invs) != 1 {
			t.Fatalf("%d invoices, want 1", len(invs))
		}
		wantMoney(t, "invoice", invs[0].Totals.Payable, placed.Totals.Payable)
		if so := w.shopOrder(placed.Number); so.FulfillmentStatus() != canonical.FulfillmentFulfilled {
			t.Errorf("shop order is %s, want fulfilled", so.FulfillmentStatus())
		}
		w.checkEnd()
	})
}

// A partial refund: after delivery in two parcels, the shop refunds one unit
// of a line that the second parcel carried. One credit note in the ERP and
// one in the ledger, for exactly the refunded amount, against the invoice
// that billed the line; the ledger's amount due on it shows the credit.
func TestPartialRefund(t *testing.T) {
	eachStore(t, func(w *world) {
		t := w.t
		w.receive("TEE-BLK-L", "WH1", 10)
		radia := w.customer("Radia Perlman", "radia@example.com", berlin)
		placed := w.place(radia, ln{"TEE-BLK-L", 2}, ln{"CAP-RED", 3})
		w.sync()
		w.release()
		w.settle()
		w.receive("CAP-RED", "WH1", 5)
		w.release()
		w.settle()

		eo := w.erpOrder(placed.Number)
		invs := w.in.ERP.InvoicesOf(eo.Number)
		if len(invs) != 2 {
			t.Fatalf("%d invoices, want 2 (one per parcel)", len(invs))
		}
		capLine := placed.Lines[1].LineID
		billedCaps := func(inv canonical.Invoice) bool {
			return slices.ContainsFunc(inv.Lines, func(l canonical.InvoiceLine) bool {
				return l.OrderLine != nil && l.OrderLine.LineID == capLine
			})
		}
		if billedCaps(invs[0]) || !billedCaps(invs[1]) {
			t.Fatalf("the caps should be billed by the second invoice only")
		}
		capsInvoice := invs[1].Number
		otherInvoice := invs[0].Number

		refund, err := w.in.Shop.Refund(placed.Number, []canonical.RefundLine{{
			OrderLine: canonical.LineRef{Document: placed.Number, LineID: capLine}, Quantity: canonical.Qty(1, canonical.UnitOne),
		}}, nil, "arrived damaged")
		if err != nil {
			t.Fatal(err)
		}
		// One cap of the line: its price with its share of the VAT.
		wantMoney(t, "refund", refund.Amount, canonical.MustMoney("17.40", Currency))
		w.settle()

		id := refundID(refund)
		var erpNotes []canonical.CreditNote
		for i := 1; ; i++ {
			cn, ok := w.in.ERP.CreditNote(fmt.Sprintf("CN-%06d", i))
			if !ok {
				break
			}
			erpNotes = append(erpNotes, cn)
		}
		if len(erpNotes) != 1 {
			t.Fatalf("the ERP issued %d credit notes, want 1", len(erpNotes))
		}
		ecn := erpNotes[0]
		if ecn.Refund != id || ecn.Invoice != capsInvoice || ecn.Order != eo.Number {
			t.Errorf("ERP credit note for refund %q on %s of %s, want %s on %s of %s", ecn.Refund, ecn.Invoice, ecn.Order, id, capsInvoice, eo.Number)
		}
		wantMoney(t, "ERP credit note", ecn.Totals.Payable, refund.Amount)
		lcn, ok := w.in.Ledger.CreditNote("CN-" + id)
		if !ok {
			t.Fatal("no ledger credit note")
		}
		if lcn.Invoice != capsInvoice {
			t.Errorf("ledger credit note is on %s, want %s", lcn.Invoice, capsInvoice)
		}
		wantMoney(t, "ledger credit note", lcn.Totals.Payable, refund.Amount)
		credited, _ := w.in.Ledger.Credited(capsInvoice)
		wantMoney(t, "ledger credited on "+capsInvoice, credited, refund.Amount)
		due, err := w.in.Ledger.AmountDue(w.ctx, capsInvoice)
		if err != nil {
			t.Fatal(err)
		}
		// Paid at checkout, then credited: the ledger owes the customer the
		// refund, which the shop already paid back to the card.
		wantMoney(t, "amount due on "+capsInvoice, due, refund.Amount.Neg())
		due, err = w.in.Ledger.AmountDue(w.ctx, otherInvoice)
		if err != nil {
			t.Fatal(err)
		}
		wantMoney(t, "amount due on "+otherInvoice, due, canonical.Zero(Currency))
		wantMoney(t, "ledger total credited", w.in.Ledger.Totals(Currency).Credited, refund.Amount)
		erpInv, _ := w.in.ERP.Invoice(capsInvoice)
		if erpInv.Status == canonical.InvoiceCredited {
			t.Errorf("ERP invoice %s is credited in full for a one-unit refund", capsInvoice)
		}
		w.checkEnd()
	})
}
