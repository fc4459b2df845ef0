package memshop

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// RefundOption changes how Refund treats the refunded items.
type RefundOption func(*refundOptions)

type refundOptions struct{ restock bool }

// Restock makes a refund put the refunded items back: for each line the
// quantity counts first as returned (up to what shipped and was not yet
// returned, in the line's Returned bucket) and the rest as cancelled from
// what is still to ship (the Cancelled bucket), as a shop does when it
// refunds a returned parcel or an item it will no longer send. Without it a
// refund moves money only (a goodwill or returnless refund).
func Restock() RefundOption { return func(o *refundOptions) { o.restock = true } }

// Refund refunds part of the order number: a quantity of some lines
// (RefundLine.OrderLine and Quantity; the shop computes each Amount) and,
// optionally, some of the shipping, for reason. It returns the Refund, which
// the refunds feed also reports (key "R-N"), and records a refund
// transaction on the order (a new order version on the orders feed).
//
// A line's refund is its share of what the customer paid: the payable
// amount less shipping, spread over the lines by their nets (so order
// discounts and tax are included), pro rata to the quantity and rounded
// half-up to the currency; refunding a line in several goes adds up to
// exactly its share. Refused:
//   - Invalid, with field paths, for a line the order does not have
//     ("lines[0].orderLine.lineId"), a quantity that is not positive or in
//     another unit, a shipping amount in another currency or negative, or no
//     lines and no shipping;
//   - BusinessRule, naming the amounts, when a line's refunded quantity
//     would exceed what was ordered, the shipping exceeds what was paid for
//     shipping and not yet refunded, the total exceeds the captured money
//     less what was already refunded, the total is zero, or the order is
//     cancelled (its money went back when it was cancelled);
//   - NotFound for an unknown order.
func (s *Shop) Refund(number string, lines []canonical.RefundLine, shipping *canonical.Money, reason string, opts ...RefundOption) (canonical.Refund, error) {
	const op = "orders.refund"
	var ro refundOptions
	for _, f := range opts {
		f(&ro)
	}
	if err := s.call(context.Background(), op); err != nil {
		return canonical.Refund{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.orderByNum[number]
	if !ok {
		return canonical.Refund{}, s.errorf(connector.NotFound, op, "no order %q", number)
	}
	if st.order.Status == canonical.OrderCancelled {
		return canonical.Refund{}, s.errorf(connector.BusinessRule, op, "order %s is cancelled: its captured money was refunded then", number)
	}
	o := cloneOrder(st.order)
	cur := o.Currency
	digits, _ := cur.MinorUnits()
	money := func(d canonical.Decimal) canonical.Money { return canonical.Money{Amount: d, Currency: cur} }
	if len(lines) == 0 && shipping == nil {
		return canonical.Refund{}, s.invalid(op, "refund", []canonical.FieldError{
			fieldError("lines", canonical.CodeRequired, "", "give the lines to refund, or shipping")})
	}
	values, shipValue, err := paidShares(&o)
	if err != nil {
		return canonical.Refund{}, s.errorf(connector.Invalid, op, "order %s: %w", number, err)
	}

	var c calc
	var fe []canonical.FieldError
	var rule error
	out := make([]canonical.RefundLine, len(lines))
	addQty := map[string]canonical.Decimal{}
	addAmt := map[string]canonical.Decimal{}
	var total canonical.Decimal
	for i, rl := range lines {
		lp := fmt.Sprintf("lines[%d]", i)
		n := len(fe)
		doc := rl.OrderLine.Document
		if doc == "" {
			doc = number
		} else if doc != number {
			fe = append(fe, fieldError(lp+".orderLine.document", canonical.CodeOrderMismatch, doc, "points at order %s, but the refund is for order %s", doc, number))
		}
		idx := -1
		for j := range o.Lines {
			if o.Lines[j].LineID == rl.OrderLine.LineID {
				idx = j
			}
		}
		if idx < 0 {
			fe = append(fe, fieldError(lp+".orderLine.lineId", "unknown_line", rl.OrderLine.LineID, "order %s has no line %q", number, rl.OrderLine.LineID))
			continue
		}
		l := &o.Lines[idx]
		q := rl.Quantity
		if q.Unit == "" {
			q.Unit = l.Ordered.Unit
		} else if q.Unit != l.Ordered.Unit {
			fe = append(fe, fieldError(lp+".quantity.unit", canonical.CodeUnitMismatch, string(q.Unit), "is %s, but line %s is in %s", q.Unit, l.LineID, l.Ordered.Unit))
		}
		if !q.Value.IsPos() {
			fe = append(fe, fieldError(lp+".quantity.value", canonical.CodeNotPositive, q.Value.String(), "must be greater than zero"))
		}
		if len(fe) > n || rule != nil {
			continue
		}
		id := l.LineID
		after := c.add(c.add(st.refundedQty[id], addQty[id]), q.Value)
		if after.Cmp(l.Ordered.Value) > 0 {
			rule = s.errorf(connector.BusinessRule, op,
				"line %s of order %s: refunding %s would bring the refunded quantity to %s, more than the %s ordered",
				id, number, q, after, l.Ordered.Value)
			continue
		}
		target := c.quo(c.mul(values[idx], after), l.Ordered.Value).Round(digits, canonical.HalfUp)
		amt := c.sub(target, c.add(st.refundedAmt[id], addAmt[id]))
		if amt.IsNeg() {
			amt = canonical.Decimal{}.Round(digits, canonical.HalfUp)
		}
		addQty[id] = c.add(addQty[id], q.Value)
		addAmt[id] = c.add(addAmt[id], amt)
		total = c.add(total, amt)
		out[i] = canonical.RefundLine{
			OrderLine: canonical.LineRef{Document: number, LineID: id},
			Quantity:  q,
			Amount:    money(amt),
		}
	}
	var ship *canonical.Money
	if shipping != nil {
		sh := *shipping
		switch {
		case sh.Currency == cur:
		case sh.Currency == "" && sh.IsZero():
			sh.Currency = cur
		default:
			fe = append(fe, fieldError("shipping.currency", canonical.CodeCurrencyMismatch, string(sh.Currency), "is %s, but the order currency is %s", sh.Currency, cur))
		}
		if sh.Amount.IsNeg() {
			fe = append(fe, fieldError("shipping.amount", canonical.CodeNegative, sh.Amount.String(), "must not be negative"))
		}
		left := c.sub(shipValue, st.shippingRefunded)
		if rule == nil && sh.Amount.Cmp(left) > 0 {
			rule = s.errorf(connector.BusinessRule, op, "order %s: refunding %s of shipping, but only %s of the %s paid for shipping is left to refund",
				number, sh, money(left), money(shipValue))
		}
		ship = &sh
		total = c.add(total, sh.Amount)
	}
	switch {
	case len(fe) > 0:
		return canonical.Refund{}, s.invalid(op, "refund of order "+number, fe)
	case rule != nil:
		return canonical.Refund{}, rule
	case c.err != nil:
		return canonical.Refund{}, s.errorf(connector.Invalid, op, "refund of order %s: the amounts overflow: %w", number, c.err)
	case !total.IsPos():
		return canonical.Refund{}, s.errorf(connector.BusinessRule, op, "the refund of order %s comes to %s: nothing to refund", number, money(total))
	}
	left, err := refundable(&o)
	if err != nil {
		return canonical.Refund{}, s.errorf(connector.Invalid, op, "order %s: %w", number, err)
	}
	if total.Cmp(left.Amount) > 0 {
		p, _ := o.PaymentSummary()
		return canonical.Refund{}, s.errorf(connector.BusinessRule, op,
			"refunding %s from order %s exceeds the %s left to refund (%s captured, %s already refunded)",
			money(total), number, left, p.Captured, p.Refunded)
	}

	txn := s.transaction(canonical.TxnRefund, money(total), lastSale(&o))
	o.Payments = append(o.Payments, txn)
	if ro.restock {
		for i := range o.Lines {
			if q, ok := addQty[o.Lines[i].LineID]; ok {
				restock(&c, &o.Lines[i], q)
			}
		}
	}
	r := s.newRefund(&o, money(total), reason, out, ship, ro.restock, txn)
	if err := r.Validate(); err != nil {
		return canonical.Refund{}, s.fromValidation(op, "refund of order "+number, err)
	}
	if err := s.saveOrder(op, st, o); err != nil {
		return canonical.Refund{}, err
	}
	for id, q := range addQty {
		st.refundedQty[id] = c.add(st.refundedQty[id], q)
		st.refundedAmt[id] = c.add(st.refundedAmt[id], addAmt[id])
	}
	if ship != nil {
		st.shippingRefunded = c.add(st.shippingRefunded, ship.Amount)
	}
	s.storeRefund(*r)
	return cloneRefund(*r), nil
}

// restock moves q of line l back: into Returned up to what shipped and was
// not returned yet, the rest into Cancelled up to what is still open.
func restock(c *calc, l *canonical.SalesOrderLine, q canonical.Decimal) {
	unit := l.Ordered.Unit
	ret := c.sub(l.Shipped.Value, l.Returned.Value)
	if q.Cmp(ret) < 0 {
		ret = q
	}
	if ret.IsPos() {
		l.Returned = canonical.Quantity{Value: c.add(l.Returned.Value, ret), Unit: unit}
	}
	rest := c.sub(q, ret)
	if open, err := l.Open(); err == nil && open.Value.Cmp(rest) < 0 {
		rest = open.Value
	}
	if rest.IsPos() {
		l.Cancelled = canonical.Quantity{Value: c.add(l.Cancelled.Value, rest), Unit: unit}
	}
}

// newRefund builds the Refund for a refund transaction on order o, with the
// next refund ID. The caller holds s.mu and stores it with storeRefund once
// the order is saved.
func (s *Shop) newRefund(o *canonical.SalesOrder, amount canonical.Money, reason string, lines []canonical.RefundLine, shipping *canonical.Money, restock bool, txn canonical.PaymentTransaction) *canonical.Refund {
	s.nextRefund++
	id := fmt.Sprintf("R-%d", s.nextRefund)
	r := &canonical.Refund{
		Meta:         canonical.Meta{Revision: 1, UpdatedAt: s.env.Stamp()},
		Order:        o.Number,
		Currency:     o.Currency,
		Amount:       amount,
		Reason:       reason,
		Lines:        lines,
		Shipping:     shipping,
		Restock:      restock,
		Transactions: []canonical.PaymentTransaction{txn},
		CreatedAt:    s.env.Stamp(),
	}
	r.SetRef(canonical.ExternalRef{System: s.system, Type: "refund", ID: id, Version: "1"})
	return r
}

// storeRefund records r and appends it to the refunds feed. The caller holds
// s.mu.
func (s *Shop) storeRefund(r canonical.Refund) {
	ref, _ := r.Ref(s.system)
	s.refundByID[ref.ID] = r
	s.refundIDs = append(s.refundIDs, ref.ID)
	s.refunds.Append(ref.ID, connector.Upsert, cloneRefund(r))
}

// RefundByID returns the refund id ("R-1").
func (s *Shop) RefundByID(id string) (canonical.Refund, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refundByID[id]
	if !ok {
		return canonical.Refund{}, false
	}
	return cloneRefund(r), true
}

// RefundsOf returns the refunds of order number, oldest first: those made
// with Refund and those its amendments and cancellation issued.
func (s *Shop) RefundsOf(number string) []canonical.Refund {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []canonical.Refund
	for _, id := range s.refundIDs {
		if r := s.refundByID[id]; r.Order == number {
			out = append(out, cloneRefund(r))
		}
	}
	return out
}
