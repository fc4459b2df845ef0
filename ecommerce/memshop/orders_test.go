package memshop

import (
	"errors"
	"slices"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

func TestPlaceOrderPricesNumbersAndCaptures(t *testing.T) {
	s := newTestShop(t, Config{TaxRate: dec("0.20")})
	five := dec("5")
	ten := dec("10")
	in := order(s,
		canonical.SalesOrderLine{SKU: "TEE-M", Ordered: qty(5), UnitPrice: eur("0.65"),
			Discounts: []canonical.AllowanceCharge{{Reason: "promo", Percent: &ten}}}, // 3.25 − 0.325 → 0.33 off
		canonical.SalesOrderLine{SKU: "MUG", Ordered: qty(1), UnitPrice: eur("12.50"),
			Discounts: []canonical.AllowanceCharge{{Amount: eur("2.00")}}},
		NewLine("CAP", 3, eur("0.335")), // 1.005 rounds half-up to 1.01
	)
	in.Charges = []canonical.AllowanceCharge{
		{IsCharge: true, Code: "SHIPPING", Amount: eur("4.90")},
		{Code: "WELCOME5", Percent: &five}, // 5 % of 14.43 = 0.7215 → 0.72
	}
	in.Lines[0].Shipped = qty(9) // the shop owns the buckets: ignored
	got := place(t, s, in)

	if got.Number != "#1001" || got.CustomerPO != "#1001" || got.Channel != "memshop" {
		t.Errorf("number %q, customerPO %q, channel %q; want #1001, #1001, memshop", got.Number, got.CustomerPO, got.Channel)
	}
	if got.Status != canonical.OrderSubmitted || got.Revision != 1 || !got.OrderedAt.Equal(t0) {
		t.Errorf("status %s revision %d orderedAt %v", got.Status, got.Revision, got.OrderedAt)
	}
	wantNets := []string{"2.92", "10.50", "1.01"}
	for i, l := range got.Lines {
		if id := "L" + string(rune('1'+i)); l.LineID != id {
			t.Errorf("line %d has ID %q, want %q", i, l.LineID, id)
		}
		if l.Net.Amount.String() != wantNets[i] {
			t.Errorf("line %s net %s, want %s", l.LineID, l.Net.Amount, wantNets[i])
		}
		if !l.Shipped.IsZero() {
			t.Errorf("line %s shipped %s, want nothing", l.LineID, l.Shipped)
		}
	}
	tot := got.Totals
	for _, c := range []struct {
		name string
		got  canonical.Money
		want string
	}{
		{"lineNet", tot.LineNet, "14.43"}, {"allowances", tot.Allowances, "0.72"}, {"charges", tot.Charges, "4.90"},
		{"tax", tot.Tax, "3.72"}, {"payable", tot.Payable, "22.33"},
	} {
		if !c.got.Equal(eur(c.want)) {
			t.Errorf("totals.%s = %s, want %s EUR", c.name, c.got, c.want)
		}
	}
	if len(got.Payments) != 1 || got.Payments[0].Kind != canonical.TxnSale || !got.Payments[0].Amount.Equal(eur("22.33")) ||
		got.Payments[0].Gateway != "memshop_payments" {
		t.Errorf("payments %+v, want one sale of 22.33 EUR through memshop_payments", got.Payments)
	}
	if got.Customer.Email != "ada@example.com" || got.ShipTo.City != "Berlin" {
		t.Errorf("customer %+v shipTo %+v: want the account's email and first address", got.Customer, got.ShipTo)
	}
	mustValid(t, got)
	if got.PaymentStatus() != canonical.PaymentPaid {
		t.Errorf("payment status %s, want paid", got.PaymentStatus())
	}
	cs := feed(t, s.Orders())
	if len(cs) != 1 || cs[0].Key != "#1001" || cs[0].Op != connector.Upsert || cs[0].Entity.Totals.Payable.String() != "22.33 EUR" {
		t.Errorf("orders feed %v, want one upsert of #1001", keysOf(cs))
	}
	if second := place(t, s, order(s, NewLine("MUG", 1, eur("5")))); second.Number != "#1002" || second.Lines[0].LineID != "L1" {
		t.Errorf("second order %s line %s, want #1002 with line L1", second.Number, second.Lines[0].LineID)
	}
}

func TestPlaceOrderRefusesBadData(t *testing.T) {
	s := newTestShop(t, Config{})
	guest := canonical.PartyRef{Email: "  Guest@Example.COM "}
	cases := []struct {
		name string
		edit func(*canonical.SalesOrder)
		path string
	}{
		{"unknown SKU", func(o *canonical.SalesOrder) { o.Lines = append(o.Lines, NewLine("NOPE", 1, eur("1"))) }, "lines[1].sku"},
		{"zero quantity", func(o *canonical.SalesOrder) { o.Lines[0].Ordered = qty(0) }, "lines[0].ordered.value"},
		{"negative quantity", func(o *canonical.SalesOrder) { o.Lines[0].Ordered = qty(-2) }, "lines[0].ordered.value"},
		{"currency mismatch", func(o *canonical.SalesOrder) { o.Lines[0].UnitPrice = canonical.MustMoney("5", "USD") }, "lines[0].unitPrice.currency"},
		{"negative price", func(o *canonical.SalesOrder) { o.Lines[0].UnitPrice = eur("-1") }, "lines[0].unitPrice.amount"},
		{"wrong unit", func(o *canonical.SalesOrder) { o.Lines[0].Ordered = canonical.Qty(1, canonical.UnitKilogram) }, "lines[0].ordered.unit"},
		{"discount too big", func(o *canonical.SalesOrder) {
			o.Lines[0].Discounts = []canonical.AllowanceCharge{{Amount: eur("50")}}
		}, "lines[0].discounts"},
		{"charge currency", func(o *canonical.SalesOrder) {
			o.Charges = []canonical.AllowanceCharge{{IsCharge: true, Amount: canonical.MustMoney("4", "GBP")}}
		}, "charges[0].amount.currency"},
		{"bad currency", func(o *canonical.SalesOrder) { o.Currency = "EURO" }, "currency"},
		{"no lines", func(o *canonical.SalesOrder) { o.Lines = nil }, "lines"},
		{"unknown customer", func(o *canonical.SalesOrder) { o.Customer.Refs[0].ID = "cust-99" }, "customer.refs[0].id"},
		{"guest without email", func(o *canonical.SalesOrder) { o.Customer = canonical.PartyRef{Name: "Anon"} }, "customer.email"},
		{"guest without address", func(o *canonical.SalesOrder) { o.Customer = guest }, "shipTo.country"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := order(s, NewLine("MUG", 2, eur("5.00")))
			c.edit(&o)
			_, err := s.PlaceOrder(o)
			wantField(t, err, c.path)
		})
	}
	if n := len(s.ListOrders()); n != 0 {
		t.Fatalf("refused orders were stored: %d orders", n)
	}
	// A guest with an email and an address is fine; the email is normalised.
	o := order(s, NewLine("MUG", 1, eur("5")))
	o.Customer, o.ShipTo = guest, berlin
	if got := place(t, s, o); got.Customer.Email != "guest@example.com" || got.Number != "#1001" {
		t.Errorf("guest order %s email %q; want #1001 (refusals use no numbers) and guest@example.com", got.Number, got.Customer.Email)
	}
}

func TestAmendOrder(t *testing.T) {
	type step struct {
		edit func(*canonical.SalesOrder)
		// want: the line IDs and ordered quantities after, the new payable,
		// and the payment transaction the difference made ("" for none).
		lines   []string
		payable string
		txn     canonical.TxnKind
		txnAmt  string
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"quantity up takes an extra payment", []step{{
			edit:  func(o *canonical.SalesOrder) { o.Lines[0].Ordered = qty(3) },
			lines: []string{"L1:3", "L2:1"}, payable: "35.00", txn: canonical.TxnSale, txnAmt: "5.00",
		}}},
		{"line removed is dropped and refunded", []step{{
			edit:  func(o *canonical.SalesOrder) { o.Lines = o.Lines[:1] },
			lines: []string{"L1:2"}, payable: "10.00", txn: canonical.TxnRefund, txnAmt: "20.00",
		}}},
		{"quantity zero removes the line", []step{{
			edit:  func(o *canonical.SalesOrder) { o.Lines[1].Ordered = qty(0) },
			lines: []string{"L1:2"}, payable: "10.00", txn: canonical.TxnRefund, txnAmt: "20.00",
		}}},
		{"line IDs are never reused", []step{
			{
				edit:  func(o *canonical.SalesOrder) { o.Lines = o.Lines[:1] },
				lines: []string{"L1:2"}, payable: "10.00", txn: canonical.TxnRefund, txnAmt: "20.00",
			},
			{
				edit:  func(o *canonical.SalesOrder) { o.Lines = append(o.Lines, NewLine("TEE-S", 1, eur("15.00"))) },
				lines: []string{"L1:2", "L3:1"}, payable: "25.00", txn: canonical.TxnSale, txnAmt: "15.00",
			},
		}},
		{"shipping added", []step{{
			edit: func(o *canonical.SalesOrder) {
				o.Charges = append(o.Charges, canonical.AllowanceCharge{IsCharge: true, Code: "SHIPPING", Amount: eur("4.95")})
			},
			lines: []string{"L1:2", "L2:1"}, payable: "34.95", txn: canonical.TxnSale, txnAmt: "4.95",
		}}},
		{"note only: no payment", []step{{
			edit:  func(o *canonical.SalesOrder) { o.Note = "leave at the door" },
			lines: []string{"L1:2", "L2:1"}, payable: "30.00",
		}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, Config{})
			o := place(t, s, order(s, NewLine("MUG", 2, eur("5.00")), NewLine("CAP", 1, eur("20.00"))))
			for i, st := range c.steps {
				before := len(o.Payments)
				got, err := s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error { st.edit(o); return nil })
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				var lines []string
				for _, l := range got.Lines {
					lines = append(lines, l.LineID+":"+l.Ordered.Value.String())
				}
				if !slices.Equal(lines, st.lines) {
					t.Errorf("step %d: lines %v, want %v", i, lines, st.lines)
				}
				if !got.Totals.Payable.Equal(eur(st.payable)) {
					t.Errorf("step %d: payable %s, want %s", i, got.Totals.Payable, st.payable)
				}
				if got.Revision != o.Revision+1 {
					t.Errorf("step %d: revision %d, want %d", i, got.Revision, o.Revision+1)
				}
				added := got.Payments[before:]
				switch {
				case st.txn == "" && len(added) != 0:
					t.Errorf("step %d: payments %+v, want none", i, added)
				case st.txn != "" && (len(added) != 1 || added[0].Kind != st.txn || !added[0].Amount.Equal(eur(st.txnAmt))):
					t.Errorf("step %d: payments %+v, want one %s of %s", i, added, st.txn, st.txnAmt)
				}
				mustValid(t, got)
				sum, _ := got.PaymentSummary()
				if net, _ := sum.Captured.Sub(sum.Refunded); !net.Equal(got.Totals.Payable) {
					t.Errorf("step %d: captured − refunded = %s, want the payable %s", i, net, got.Totals.Payable)
				}
				o = got
			}
			if n := len(feed(t, s.Orders())); n != 1+len(c.steps) {
				t.Errorf("orders feed has %d versions, want %d", n, 1+len(c.steps))
			}
		})
	}
}

func TestAmendOrderRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, s *Shop, number string)
		edit  func(*canonical.SalesOrder)
		kind  connector.Kind
		path  string
	}{
		{"unknown line ID", nil, func(o *canonical.SalesOrder) { o.Lines[0].LineID = "L9" }, connector.Invalid, "lines[0].lineId"},
		{"SKU changed", nil, func(o *canonical.SalesOrder) { o.Lines[1].SKU = "TEE-S" }, connector.Invalid, "lines[1].sku"},
		{"unknown SKU added", nil, func(o *canonical.SalesOrder) { o.Lines = append(o.Lines, NewLine("NOPE", 1, eur("1"))) }, connector.Invalid, "lines[2].sku"},
		{"every line removed", nil, func(o *canonical.SalesOrder) { o.Lines = nil }, connector.Invalid, "lines"},
		{"ship-to removed", nil, func(o *canonical.SalesOrder) { o.ShipTo = canonical.Address{} }, connector.Invalid, "shipTo.country"},
		{"bad ship-to country", nil, func(o *canonical.SalesOrder) { o.ShipTo.Country = "XX" }, connector.Invalid, "shipTo.country"},
		{"cancelled order", func(t *testing.T, s *Shop, n string) {
			if _, err := s.CancelOrder(n, "changed mind"); err != nil {
				t.Fatal(err)
			}
		}, func(o *canonical.SalesOrder) { o.Lines[0].Ordered = qty(1) }, connector.BusinessRule, ""},
		{"below shipped after partial fulfilment", func(t *testing.T, s *Shop, n string) {
			if _, err := s.Fulfillments().Apply(t.Context(), write("S1", ship("S1", n, "L1", 2), "")); err != nil {
				t.Fatal(err)
			}
		}, func(o *canonical.SalesOrder) { o.Lines[0].Ordered = qty(1) }, connector.BusinessRule, ""},
		{"shipped line removed", func(t *testing.T, s *Shop, n string) {
			if _, err := s.Fulfillments().Apply(t.Context(), write("S1", ship("S1", n, "L1", 1), "")); err != nil {
				t.Fatal(err)
			}
		}, func(o *canonical.SalesOrder) { o.Lines = o.Lines[1:] }, connector.BusinessRule, ""},
		{"refunded line changed", func(t *testing.T, s *Shop, n string) {
			if _, err := s.Refund(n, []canonical.RefundLine{{OrderLine: canonical.LineRef{LineID: "L2"}, Quantity: qty(1)}}, nil, "damaged"); err != nil {
				t.Fatal(err)
			}
		}, func(o *canonical.SalesOrder) { o.Lines[1].Ordered = qty(2) }, connector.BusinessRule, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, Config{})
			o := place(t, s, order(s, NewLine("MUG", 3, eur("5.00")), NewLine("CAP", 1, eur("20.00"))))
			if c.setup != nil {
				c.setup(t, s, o.Number)
			}
			before, _ := s.OrderByNumber(o.Number)
			versions := len(feed(t, s.Orders()))
			_, err := s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error { c.edit(o); return nil })
			if c.path != "" {
				wantField(t, err, c.path)
			} else {
				wantKind(t, err, c.kind)
			}
			after, _ := s.OrderByNumber(o.Number)
			if !same(before, after) || len(feed(t, s.Orders())) != versions {
				t.Errorf("a refused amendment changed the order")
			}
		})
	}
	s := newTestShop(t, Config{})
	if _, err := s.AmendOrder("#4040", func(*canonical.SalesOrder) error { return nil }); !isKind(err, connector.NotFound) {
		t.Errorf("amending an unknown order: %v, want NotFound", err)
	}
	o := place(t, s, order(s, NewLine("MUG", 1, eur("5.00"))))
	if _, err := s.AmendOrder(o.Number, nil); !isKind(err, connector.Invalid) {
		t.Errorf("amending with no edit function: %v, want Invalid", err)
	}
	boom := errors.New("customer gave up")
	if _, err := s.AmendOrder(o.Number, func(*canonical.SalesOrder) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("the edit's error came back as %v", err)
	}
}

func TestCallersCannotChangeTheShopsRecords(t *testing.T) {
	s := newTestShop(t, Config{})
	o := place(t, s, order(s, NewLine("MUG", 1, eur("5.00"))))
	o.Lines[0].Ordered = qty(99)
	o.Payments[0].Amount = eur("0.01")
	for c := range s.Orders().Changes(t.Context(), "") {
		c.Entity.Lines[0].SKU = "HACKED"
	}
	got, _ := s.OrderByNumber(o.Number)
	if got.Lines[0].SKU != "MUG" || !sameQty(got.Lines[0].Ordered, qty(1)) || !got.Payments[0].Amount.Equal(eur("5.00")) {
		t.Errorf("changing returned values changed the shop's order: %+v", got.Lines[0])
	}
}

func TestAmendOrderNoChangeKeepsTheVersion(t *testing.T) {
	s := newTestShop(t, Config{})
	o := place(t, s, order(s, NewLine("MUG", 1, eur("5.00"))))
	got, err := s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error {
		o.Status = canonical.OrderCompleted // shop-owned: ignored
		o.Totals.Payable = eur("0.01")      // shop-owned: recomputed
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != 1 || got.Status != canonical.OrderSubmitted || len(feed(t, s.Orders())) != 1 {
		t.Errorf("an edit of shop-owned fields made revision %d, status %s", got.Revision, got.Status)
	}
}

func TestAmendOrderConflictWhenChangedDuringEdit(t *testing.T) {
	s := newTestShop(t, Config{})
	o := place(t, s, order(s, NewLine("MUG", 3, eur("5.00"))))
	_, err := s.AmendOrder(o.Number, func(e *canonical.SalesOrder) error {
		// The warehouse ships while the customer is editing.
		if _, err := s.Fulfillments().Apply(t.Context(), write("S1", ship("S1", o.Number, "L1", 1), "")); err != nil {
			t.Fatal(err)
		}
		e.Lines[0].Ordered = qty(4)
		return nil
	})
	wantKind(t, err, connector.Conflict)
}

func TestCancelOrder(t *testing.T) {
	s := newTestShop(t, Config{TaxRate: dec("0.19")})
	o := place(t, s, order(s, NewLine("MUG", 2, eur("10.00")), NewLine("CAP", 1, eur("5.00"))))
	got, err := s.CancelOrder(o.Number, "customer changed their mind")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != canonical.OrderCancelled || got.Revision != 2 || got.CancelReason != "customer changed their mind" {
		t.Errorf("status %s revision %d reason %q", got.Status, got.Revision, got.CancelReason)
	}
	for _, l := range got.Lines {
		if !sameQty(l.Cancelled, l.Ordered) {
			t.Errorf("line %s cancelled %s of %s", l.LineID, l.Cancelled, l.Ordered)
		}
	}
	if got.PaymentStatus() != canonical.PaymentRefunded {
		t.Errorf("payment status %s, want refunded", got.PaymentStatus())
	}
	mustValid(t, got)
	cs := feed(t, s.Orders())
	last := cs[len(cs)-1]
	if last.Op != connector.Upsert || last.Entity.Status != canonical.OrderCancelled {
		t.Errorf("the feed's last change is %s with status %s; want an upsert with status cancelled", last.Op, last.Entity.Status)
	}
	rs := s.RefundsOf(o.Number)
	if len(rs) != 1 || !rs[0].Amount.Equal(eur("29.75")) {
		t.Fatalf("refunds %+v, want one of 29.75 EUR", rs)
	}
	if err := rs[0].Validate(); err != nil {
		t.Error(err)
	}
	if rf := feed(t, s.Refunds()); len(rf) != 1 || rf[0].Key != "R-1" {
		t.Errorf("refunds feed %v, want R-1", keysOf(rf))
	}
	_, err = s.CancelOrder(o.Number, "again")
	wantKind(t, err, connector.BusinessRule)

	shipped := place(t, s, order(s, NewLine("MUG", 2, eur("10.00"))))
	if _, err := s.Fulfillments().Apply(t.Context(), write("S1", ship("S1", shipped.Number, "L1", 1), "")); err != nil {
		t.Fatal(err)
	}
	_, err = s.CancelOrder(shipped.Number, "too late")
	wantKind(t, err, connector.BusinessRule)
	_, err = s.CancelOrder("#9999", "")
	wantKind(t, err, connector.NotFound)
}
