package canonical

import "testing"

// line builds an order line from bucket values in pieces: ordered, shipped,
// cancelled, invoiced ("" for an empty bucket).
func line(ordered, shipped, cancelled, invoiced string) SalesOrderLine {
	q := func(s string) Quantity {
		if s == "" {
			return Quantity{}
		}
		return qty(s, UnitPiece)
	}
	return SalesOrderLine{Ordered: q(ordered), Shipped: q(shipped), Cancelled: q(cancelled), Invoiced: q(invoiced)}
}

func TestFulfillmentAndBillingStatus(t *testing.T) {
	tests := []struct {
		name        string
		lines       []SalesOrderLine
		fulfillment FulfillmentStatus
		billing     BillingStatus
	}{
		{"nothing done", []SalesOrderLine{line("2", "", "", ""), line("1", "", "", "")}, FulfillmentUnfulfilled, BillingUnbilled},
		{"one line partly", []SalesOrderLine{line("2", "1", "", "1"), line("1", "", "", "")}, FulfillmentPartial, BillingPartial},
		{"one line fully, one not", []SalesOrderLine{line("2", "2", "", "2"), line("1", "", "", "")}, FulfillmentPartial, BillingPartial},
		{"every line fully", []SalesOrderLine{line("2", "2", "", "2"), line("1", "1", "", "1")}, FulfillmentFulfilled, BillingBilled},
		{"remainder cancelled counts as done", []SalesOrderLine{line("3", "2", "1", "2"), line("1", "1", "", "1")}, FulfillmentFulfilled, BillingBilled},
		{"fully cancelled line is ignored", []SalesOrderLine{line("3", "3", "", "3"), line("5", "", "5", "")}, FulfillmentFulfilled, BillingBilled},
		{"everything cancelled", []SalesOrderLine{line("3", "", "3", ""), line("5", "", "5", "")}, FulfillmentUnfulfilled, BillingUnbilled},
		{"fractional quantities", []SalesOrderLine{line("1.5", "1.499", "", "1.5")}, FulfillmentPartial, BillingBilled},
		{"invoiced ahead of shipping", []SalesOrderLine{line("4", "", "", "4")}, FulfillmentUnfulfilled, BillingBilled},
		{"no lines", nil, FulfillmentUnfulfilled, BillingUnbilled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := SalesOrder{Lines: tt.lines}
			if got := o.FulfillmentStatus(); got != tt.fulfillment {
				t.Errorf("FulfillmentStatus() = %s, want %s", got, tt.fulfillment)
			}
			if got := o.BillingStatus(); got != tt.billing {
				t.Errorf("BillingStatus() = %s, want %s", got, tt.billing)
			}
		})
	}
}

func TestPaymentStatus(t *testing.T) {
	tx := func(id string, kind TxnKind, status TxnStatus, amount, parent string) PaymentTransaction {
		return PaymentTransaction{ID: id, Kind: kind, Status: status, Amount: eur(amount), ParentID: parent}
	}
	auth := tx("a1", TxnAuthorization, TxnSuccess, "100.00", "")
	tests := []struct {
		name    string
		payable string
		ledger  []PaymentTransaction
		want    PaymentStatus
	}{
		{"nothing yet", "100.00", nil, PaymentPending},
		{"authorisation pending", "100.00", []PaymentTransaction{tx("a1", TxnAuthorization, TxnPending, "100.00", "")}, PaymentPending},
		{"authorisation failed", "100.00", []PaymentTransaction{tx("a1", TxnAuthorization, TxnFailure, "100.00", "")}, PaymentPending},
		{"authorised", "100.00", []PaymentTransaction{auth}, PaymentAuthorized},
		{"authorisation voided", "100.00", []PaymentTransaction{auth, tx("v1", TxnVoid, TxnSuccess, "0", "a1")}, PaymentVoided},
		{"void without parent voids all", "100.00", []PaymentTransaction{auth, tx("v1", TxnVoid, TxnSuccess, "100.00", "")}, PaymentVoided},
		{"one of two authorisations voided", "100.00", []PaymentTransaction{
			auth, tx("a2", TxnAuthorization, TxnSuccess, "20.00", ""), tx("v1", TxnVoid, TxnSuccess, "0", "a1"),
		}, PaymentAuthorized},
		{"void failed", "100.00", []PaymentTransaction{auth, tx("v1", TxnVoid, TxnFailure, "0", "a1")}, PaymentAuthorized},
		{"part captured", "100.00", []PaymentTransaction{auth, tx("c1", TxnCapture, TxnSuccess, "60.00", "a1")}, PaymentPartiallyPaid},
		{"fully captured", "100.00", []PaymentTransaction{auth, tx("c1", TxnCapture, TxnSuccess, "100.00", "a1")}, PaymentPaid},
		{"captured in two", "100.00", []PaymentTransaction{
			auth, tx("c1", TxnCapture, TxnSuccess, "60.00", "a1"), tx("c2", TxnCapture, TxnSuccess, "40.00", "a1"),
		}, PaymentPaid},
		{"capture pending", "100.00", []PaymentTransaction{auth, tx("c1", TxnCapture, TxnPending, "100.00", "a1")}, PaymentAuthorized},
		{"sale", "100.00", []PaymentTransaction{tx("s1", TxnSale, TxnSuccess, "100.00", "")}, PaymentPaid},
		{"part refunded", "100.00", []PaymentTransaction{
			tx("s1", TxnSale, TxnSuccess, "100.00", ""), tx("r1", TxnRefund, TxnSuccess, "30.00", "s1"),
		}, PaymentPartiallyRefunded},
		{"fully refunded", "100.00", []PaymentTransaction{
			tx("s1", TxnSale, TxnSuccess, "100.00", ""), tx("r1", TxnRefund, TxnSuccess, "60.00", "s1"), tx("r2", TxnRefund, TxnSuccess, "40.00", "s1"),
		}, PaymentRefunded},
		{"refund pending", "100.00", []PaymentTransaction{
			tx("s1", TxnSale, TxnSuccess, "100.00", ""), tx("r1", TxnRefund, TxnPending, "100.00", "s1"),
		}, PaymentPaid},
		{"chargeback is a dispute, not a refund", "100.00", []PaymentTransaction{
			tx("s1", TxnSale, TxnSuccess, "100.00", ""), tx("cb1", TxnChargeback, TxnSuccess, "100.00", "s1"),
		}, PaymentPaid},
		{"nothing payable", "0.00", nil, PaymentPaid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := SalesOrder{Currency: "EUR", Lines: []SalesOrderLine{line("1", "", "", "")}, Totals: Totals{Payable: eur(tt.payable)}, Payments: tt.ledger}
			if got := o.PaymentStatus(); got != tt.want {
				t.Errorf("PaymentStatus() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPaymentSummary(t *testing.T) {
	o := validOrder() // auth 129.92, capture 80.00, refund 8.50
	s, err := o.PaymentSummary()
	if err != nil {
		t.Fatal(err)
	}
	if !s.Authorized.Equal(eur("129.92")) || !s.Captured.Equal(eur("80")) || !s.Refunded.Equal(eur("8.50")) || s.Voided {
		t.Errorf("PaymentSummary() = %+v", s)
	}
	if got := o.PaymentStatus(); got != PaymentPartiallyRefunded {
		t.Errorf("PaymentStatus() = %s", got)
	}
	huge := MustMoney("9999999999999999999", "EUR")
	o.Payments = []PaymentTransaction{
		{ID: "s1", Kind: TxnSale, Status: TxnSuccess, Amount: huge},
		{ID: "s2", Kind: TxnSale, Status: TxnSuccess, Amount: huge},
	}
	if _, err := o.PaymentSummary(); err == nil {
		t.Error("an overflowing ledger must report an error")
	}
	if got := o.PaymentStatus(); got != PaymentPending {
		t.Errorf("overflowing ledger reads as %s", got)
	}
}

func TestInvoiceAmountDueAndOverdue(t *testing.T) {
	asOf, _ := ParseDate("2026-05-01")
	tests := []struct {
		name    string
		mutate  func(inv *Invoice)
		due     string
		overdue bool
	}{
		{"part paid, past due", func(inv *Invoice) {}, "39.32", true}, // due 2026-04-14
		{"due today is not overdue", func(inv *Invoice) { inv.DueDate = asOf }, "39.32", false},
		{"due tomorrow", func(inv *Invoice) { inv.DueDate = asOf.AddDays(1) }, "39.32", false},
		{"no due date", func(inv *Invoice) { inv.DueDate = Date{} }, "39.32", false},
		{"nothing paid", func(inv *Invoice) { inv.Paid = Money{}; inv.Status = InvoiceIssued }, "59.32", true},
		{"paid in full", func(inv *Invoice) { inv.Paid = eur("59.32"); inv.Status = InvoicePaid }, "0.00", false},
		{"overpaid", func(inv *Invoice) { inv.Paid = eur("60.00") }, "-0.68", false},
		{"credited", func(inv *Invoice) { inv.Status = InvoiceCredited }, "39.32", false},
		{"draft", func(inv *Invoice) { inv.Status = InvoiceDraft }, "39.32", false},
		{"disputed is still overdue", func(inv *Invoice) { inv.Disputed = true }, "39.32", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := validInvoice()
			tt.mutate(&inv)
			due, err := inv.AmountDue()
			if err != nil || !due.Equal(eur(tt.due)) {
				t.Errorf("AmountDue() = %v, %v; want %s EUR", due, err, tt.due)
			}
			if got := inv.Overdue(asOf); got != tt.overdue {
				t.Errorf("Overdue(%s) = %v, want %v", asOf, got, tt.overdue)
			}
		})
	}
	inv := validInvoice()
	inv.Paid = MustMoney("1", "USD")
	if _, err := inv.AmountDue(); err == nil || inv.Overdue(asOf) {
		t.Error("Paid in another currency must be an error and never overdue")
	}
}
