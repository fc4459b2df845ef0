package memshop

import (
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

func refundLine(lineID string, n int64) canonical.RefundLine {
	return canonical.RefundLine{OrderLine: canonical.LineRef{LineID: lineID}, Quantity: qty(n)}
}

func TestRefundPartialLinesAddUpToWhatWasPaid(t *testing.T) {
	s := newTestShop(t, Config{TaxRate: dec("0.20")})
	// Nets 9.99 and 10.00, tax 4.00 (3.998 rounded), payable 23.99, shared
	// over the lines by net to the cent: L1 11.99, L2 12.00.
	o := place(t, s, order(s, NewLine("CAP", 3, eur("3.33")), NewLine("MUG", 1, eur("10.00"))))
	if !o.Totals.Payable.Equal(eur("23.99")) {
		t.Fatalf("payable %s, want 23.99 EUR", o.Totals.Payable)
	}
	steps := []struct {
		lines []canonical.RefundLine
		want  []string
	}{
		{[]canonical.RefundLine{refundLine("L1", 1)}, []string{"4.00"}}, // 11.99 / 3 = 3.9967
		{[]canonical.RefundLine{refundLine("L1", 1)}, []string{"3.99"}}, // 7.99 − 4.00
		{[]canonical.RefundLine{refundLine("L1", 1), refundLine("L2", 1)}, []string{"4.00", "12.00"}},
	}
	for i, st := range steps {
		r, err := s.Refund(o.Number, st.lines, nil, "damaged")
		if err != nil {
			t.Fatalf("refund %d: %v", i, err)
		}
		for j, want := range st.want {
			if !r.Lines[j].Amount.Equal(eur(want)) {
				t.Errorf("refund %d line %d: %s, want %s", i, j, r.Lines[j].Amount, want)
			}
		}
		if err := r.Validate(); err != nil {
			t.Errorf("refund %d: %v", i, err)
		}
		if len(r.Transactions) != 1 || r.Transactions[0].Kind != canonical.TxnRefund || !r.Transactions[0].Amount.Equal(r.Amount) {
			t.Errorf("refund %d transactions %+v", i, r.Transactions)
		}
	}
	got, _ := s.OrderByNumber(o.Number)
	if got.PaymentStatus() != canonical.PaymentRefunded {
		t.Errorf("after refunding everything the payment status is %s", got.PaymentStatus())
	}
	mustValid(t, got)
	if ks := keysOf(feed(t, s.Refunds())); strings.Join(ks, ",") != "R-1,R-2,R-3" {
		t.Errorf("refunds feed %v", ks)
	}
	if n := len(feed(t, s.Orders())); n != 4 {
		t.Errorf("orders feed has %d versions, want 4 (placed + one per refund)", n)
	}
	_, err := s.Refund(o.Number, []canonical.RefundLine{refundLine("L2", 1)}, nil, "again")
	wantKind(t, err, connector.BusinessRule)
}

func TestRefundNeverExceedsCapture(t *testing.T) {
	s := newTestShop(t, Config{})
	in := order(s, NewLine("MUG", 1, eur("10.00")))
	in.Charges = []canonical.AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Amount: eur("5.00")}}
	o := place(t, s, in)

	_, err := s.Refund(o.Number, nil, ptr(eur("5.01")), "late delivery")
	if e := wantKind(t, err, connector.BusinessRule); !strings.Contains(e.Message, "5.00 EUR") {
		t.Errorf("message %q does not name the shipping paid", e.Message)
	}
	if _, err := s.Refund(o.Number, nil, ptr(eur("5.00")), "late delivery"); err != nil {
		t.Fatal(err)
	}
	// Removing the shipping charge now refunds it a second time ...
	if _, err := s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error { o.Charges = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	// ... so only 5.00 of the 15.00 captured is left, less than the line's 10.00.
	_, err = s.Refund(o.Number, []canonical.RefundLine{refundLine("L1", 1)}, nil, "broken")
	e := wantKind(t, err, connector.BusinessRule)
	for _, amount := range []string{"10.00 EUR", "5.00 EUR", "15.00 EUR"} {
		if !strings.Contains(e.Message, amount) {
			t.Errorf("message %q does not name %s", e.Message, amount)
		}
	}
	got, _ := s.OrderByNumber(o.Number)
	sum, _ := got.PaymentSummary()
	if !sum.Refunded.Equal(eur("10.00")) {
		t.Errorf("refunded %s, want 10.00 EUR", sum.Refunded)
	}
}

func TestRefundRefusals(t *testing.T) {
	cases := []struct {
		name     string
		lines    []canonical.RefundLine
		shipping *canonical.Money
		path     string
		kind     connector.Kind
	}{
		{"unknown line", []canonical.RefundLine{refundLine("L7", 1)}, nil, "lines[0].orderLine.lineId", connector.Invalid},
		{"other order", []canonical.RefundLine{{OrderLine: canonical.LineRef{Document: "#2000", LineID: "L1"}, Quantity: qty(1)}}, nil, "lines[0].orderLine.document", connector.Invalid},
		{"zero quantity", []canonical.RefundLine{refundLine("L1", 0)}, nil, "lines[0].quantity.value", connector.Invalid},
		{"wrong unit", []canonical.RefundLine{{OrderLine: canonical.LineRef{LineID: "L1"}, Quantity: canonical.Qty(1, canonical.UnitPair)}}, nil, "lines[0].quantity.unit", connector.Invalid},
		{"shipping currency", nil, ptr(canonical.MustMoney("1", "USD")), "shipping.currency", connector.Invalid},
		{"negative shipping", nil, ptr(eur("-1")), "shipping.amount", connector.Invalid},
		{"nothing to refund", nil, nil, "lines", connector.Invalid},
		{"more than ordered", []canonical.RefundLine{refundLine("L1", 3)}, nil, "", connector.BusinessRule},
		{"zero amount", nil, ptr(eur("0")), "", connector.BusinessRule},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, Config{})
			o := place(t, s, order(s, NewLine("MUG", 2, eur("10.00"))))
			_, err := s.Refund(o.Number, c.lines, c.shipping, "test")
			if c.path != "" {
				wantField(t, err, c.path)
			} else {
				wantKind(t, err, c.kind)
			}
			if got, _ := s.OrderByNumber(o.Number); len(got.Payments) != 1 || len(s.RefundsOf(o.Number)) != 0 {
				t.Errorf("a refused refund was recorded: %+v", got.Payments)
			}
		})
	}
	s := newTestShop(t, Config{})
	o := place(t, s, order(s, NewLine("MUG", 2, eur("10.00"))))
	if _, err := s.CancelOrder(o.Number, ""); err != nil {
		t.Fatal(err)
	}
	_, err := s.Refund(o.Number, []canonical.RefundLine{refundLine("L1", 1)}, nil, "")
	wantKind(t, err, connector.BusinessRule)
	_, err = s.Refund("#404", []canonical.RefundLine{refundLine("L1", 1)}, nil, "")
	wantKind(t, err, connector.NotFound)
}

func TestRefundRestockMovesBuckets(t *testing.T) {
	s := newTestShop(t, Config{})
	o := place(t, s, order(s, NewLine("MUG", 3, eur("10.00"))))
	fs := s.Fulfillments()
	if _, err := fs.Apply(t.Context(), write("S1", ship("S1", o.Number, "L1", 1), "")); err != nil {
		t.Fatal(err)
	}
	r, err := s.Refund(o.Number, []canonical.RefundLine{refundLine("L1", 2)}, nil, "returned one, cancel one", Restock())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Restock || !r.Amount.Equal(eur("20.00")) {
		t.Errorf("refund restock %v amount %s, want true and 20.00 EUR", r.Restock, r.Amount)
	}
	got, _ := s.OrderByNumber(o.Number)
	l := got.Lines[0]
	if !sameQty(l.Returned, qty(1)) || !sameQty(l.Cancelled, qty(1)) || !sameQty(l.Shipped, qty(1)) {
		t.Fatalf("buckets shipped %s returned %s cancelled %s; want 1, 1, 1", l.Shipped, l.Returned, l.Cancelled)
	}
	mustValid(t, got)
	// One unit is left to ship, not two.
	_, err = fs.Apply(t.Context(), write("S2", ship("S2", o.Number, "L1", 2), ""))
	wantKind(t, err, connector.BusinessRule)
	if _, err := fs.Apply(t.Context(), write("S2", ship("S2", o.Number, "L1", 1), "")); err != nil {
		t.Fatal(err)
	}
	got, _ = s.OrderByNumber(o.Number)
	if got.FulfillmentStatus() != canonical.FulfillmentFulfilled {
		t.Errorf("fulfilment status %s, want fulfilled", got.FulfillmentStatus())
	}
	// Cancelling one shipment leaves 1 shipped, as much as was returned;
	// cancelling the other too would leave less shipped than returned.
	for i, n := range []string{"S1", "S2"} {
		_, err := fs.Apply(t.Context(), connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{Key: n, Op: connector.Delete}})
		switch {
		case i == 0 && err != nil:
			t.Fatalf("cancelling %s: %v", n, err)
		case i == 1:
			wantKind(t, err, connector.BusinessRule)
		}
	}
	got, _ = s.OrderByNumber(o.Number)
	if !sameQty(got.Lines[0].Shipped, qty(1)) {
		t.Errorf("shipped %s after cancelling one shipment, want 1", got.Lines[0].Shipped)
	}
}
