package canonical

import "errors"

// FulfillmentStatus says how much of an order has shipped. It is derived from
// the line buckets, never stored.
type FulfillmentStatus string

// Fulfilment statuses.
const (
	FulfillmentUnfulfilled FulfillmentStatus = "unfulfilled" // nothing shipped
	FulfillmentPartial     FulfillmentStatus = "partial"     // some shipped, some still open
	FulfillmentFulfilled   FulfillmentStatus = "fulfilled"   // everything not cancelled has shipped
)

// BillingStatus says how much of an order has been invoiced. It is derived
// from the line buckets, never stored.
type BillingStatus string

// Billing statuses.
const (
	BillingUnbilled BillingStatus = "unbilled" // nothing invoiced
	BillingPartial  BillingStatus = "partial"  // some invoiced, some not
	BillingBilled   BillingStatus = "billed"   // everything not cancelled is invoiced
)

// PaymentStatus says where an order's money stands. It is derived from the
// payment ledger (SalesOrder.Payments) and Totals.Payable, never stored.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPending           PaymentStatus = "pending"            // nothing authorised or captured
	PaymentAuthorized        PaymentStatus = "authorized"         // authorised, nothing captured yet
	PaymentPartiallyPaid     PaymentStatus = "partially_paid"     // captured less than payable
	PaymentPaid              PaymentStatus = "paid"               // captured at least payable
	PaymentPartiallyRefunded PaymentStatus = "partially_refunded" // some of the capture refunded
	PaymentRefunded          PaymentStatus = "refunded"           // all of the capture refunded
	PaymentVoided            PaymentStatus = "voided"             // authorisations voided, nothing captured
)

// progress classifies done against target over an order's lines: none when
// nothing is done, all when every line with something to do is done, part
// otherwise.
type progress int

const (
	progressNone progress = iota
	progressPart
	progressAll
)

// lineProgress rates each line by done(line) against Ordered − Cancelled.
// Lines with nothing left to do and nothing done (fully cancelled) do not
// count. Buckets are compared by value; Validate checks they share a unit.
func lineProgress(lines []SalesOrderLine, done func(*SalesOrderLine) Decimal) progress {
	some, all := false, true
	for i := range lines {
		l := &lines[i]
		d := done(l)
		target, err := l.Ordered.Value.Sub(l.Cancelled.Value)
		if err != nil {
			target = l.Ordered.Value
		}
		if !target.IsPos() && !d.IsPos() {
			continue
		}
		if d.IsPos() {
			some = true
		}
		if d.Cmp(target) < 0 {
			all = false
		}
	}
	switch {
	case !some:
		return progressNone
	case all:
		return progressAll
	}
	return progressPart
}

// FulfillmentStatus derives the fulfilment status from the line buckets:
// unfulfilled when nothing has shipped (including an order cancelled in
// full), fulfilled when every line has shipped Ordered − Cancelled, partial
// otherwise.
func (o *SalesOrder) FulfillmentStatus() FulfillmentStatus {
	switch lineProgress(o.Lines, func(l *SalesOrderLine) Decimal { return l.Shipped.Value }) {
	case progressAll:
		return FulfillmentFulfilled
	case progressPart:
		return FulfillmentPartial
	}
	return FulfillmentUnfulfilled
}

// BillingStatus derives the billing status from the line buckets: unbilled
// when nothing is invoiced, billed when every line has invoiced Ordered −
// Cancelled, partial otherwise.
func (o *SalesOrder) BillingStatus() BillingStatus {
	switch lineProgress(o.Lines, func(l *SalesOrderLine) Decimal { return l.Invoiced.Value }) {
	case progressAll:
		return BillingBilled
	case progressPart:
		return BillingPartial
	}
	return BillingUnbilled
}

// PaymentSummary totals an order's payment ledger. Only successful
// transactions count; chargebacks are disputes and are not counted.
type PaymentSummary struct {
	// Authorized is the amount of authorisations not voided.
	Authorized Money
	// Captured is Σ captures and sales.
	Captured Money
	// Refunded is Σ refunds.
	Refunded Money
	// Voided reports whether any authorisation was voided.
	Voided bool
}

// PaymentSummary totals the order's payment ledger in the order currency.
// Amounts are summed by value; Validate checks they share the currency. An
// error means an amount overflowed.
func (o *SalesOrder) PaymentSummary() (PaymentSummary, error) {
	var auth, captured, refunded sum
	voidAll := false
	voided := false
	for _, t := range o.Payments {
		if t.Status == TxnSuccess && t.Kind == TxnVoid {
			voided = true
			if t.ParentID == "" {
				voidAll = true
			}
		}
	}
	for _, t := range o.Payments {
		if t.Status != TxnSuccess {
			continue
		}
		switch t.Kind {
		case TxnAuthorization:
			if !voidAll && !o.voided(t.ID) {
				auth.add(t.Amount.Amount)
			}
		case TxnCapture, TxnSale:
			captured.add(t.Amount.Amount)
		case TxnRefund:
			refunded.add(t.Amount.Amount)
		}
	}
	if auth.overflow || captured.overflow || refunded.overflow {
		return PaymentSummary{}, errors.New("canonical: payment ledger amounts overflow")
	}
	c := o.Currency
	return PaymentSummary{
		Authorized: Money{Amount: auth.d, Currency: c},
		Captured:   Money{Amount: captured.d, Currency: c},
		Refunded:   Money{Amount: refunded.d, Currency: c},
		Voided:     voided,
	}, nil
}

// voided reports whether a successful void names authorisation id as its
// parent.
func (o *SalesOrder) voided(id string) bool {
	if id == "" {
		return false
	}
	for _, t := range o.Payments {
		if t.Kind == TxnVoid && t.Status == TxnSuccess && t.ParentID == id {
			return true
		}
	}
	return false
}

// PaymentStatus derives the payment status from the ledger and
// Totals.Payable:
//   - something captured: refunded when refunds reach the capture,
//     partially_refunded when some is refunded, paid when the capture reaches
//     Payable, partially_paid otherwise;
//   - nothing captured: authorized while an authorisation is not voided,
//     voided when every authorisation was voided, paid when nothing is payable
//     (a fully discounted order), pending otherwise.
//
// A ledger whose amounts overflow (Validate rejects it) reads as pending.
func (o *SalesOrder) PaymentStatus() PaymentStatus {
	s, err := o.PaymentSummary()
	if err != nil {
		return PaymentPending
	}
	payable := o.Totals.Payable.Amount
	switch {
	case s.Captured.Amount.IsPos():
		switch {
		case s.Refunded.Amount.Cmp(s.Captured.Amount) >= 0:
			return PaymentRefunded
		case s.Refunded.Amount.IsPos():
			return PaymentPartiallyRefunded
		case s.Captured.Amount.Cmp(payable) >= 0:
			return PaymentPaid
		}
		return PaymentPartiallyPaid
	case s.Authorized.Amount.IsPos():
		return PaymentAuthorized
	case s.Voided:
		return PaymentVoided
	case !payable.IsPos() && len(o.Lines) > 0:
		return PaymentPaid
	}
	return PaymentPending
}

// AmountDue returns what is still to be paid: Totals.Payable − Paid, in the
// invoice currency. It is negative when the customer overpaid. An error
// means Paid is in another currency or the amounts overflow.
func (inv *Invoice) AmountDue() (Money, error) {
	return inv.Totals.Payable.Sub(inv.Paid)
}

// Overdue reports whether the invoice is open (issued or partially paid),
// has a due date before asOf, and still has an amount due. Overdue is
// derived, never stored; a disputed invoice can still be overdue.
func (inv *Invoice) Overdue(asOf Date) bool {
	if inv.Status != InvoiceIssued && inv.Status != InvoicePartiallyPaid {
		return false
	}
	if inv.DueDate.IsZero() || !inv.DueDate.Before(asOf) {
		return false
	}
	due, err := inv.AmountDue()
	return err == nil && due.Amount.IsPos()
}
