package memshop

import (
	"context"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// orderState is what the shop keeps for one order besides the order itself.
type orderState struct {
	order canonical.SalesOrder
	// nextLine is the number of the last line ID handed out ("L3" → 3); line
	// IDs are never reused, even after a line is removed.
	nextLine int
	// refundedQty and refundedAmt are what Refund has refunded per line ID.
	refundedQty map[string]canonical.Decimal
	refundedAmt map[string]canonical.Decimal
	// shippingRefunded is the shipping amount refunded so far.
	shippingRefunded canonical.Decimal
	// shipments are the numbers of the order's fulfilments, oldest first.
	shipments []string
	// version counts stored changes, so that an amendment edited outside
	// the lock can tell whether the order changed meanwhile.
	version int
}

// saveOrder stamps o, checks it against the canonical rules, stores it and
// appends it to the orders feed. The caller holds s.mu. A failed check is an
// Invalid error and stores nothing.
func (s *Shop) saveOrder(op string, st *orderState, o canonical.SalesOrder) error {
	o.UpdatedAt = s.env.Stamp()
	o.SetRef(canonical.ExternalRef{System: s.system, Type: "order", ID: o.Number, Version: fmt.Sprint(st.version + 1)})
	if err := o.Validate(); err != nil {
		return s.fromValidation(op, "order "+o.Number, err)
	}
	st.order = o
	st.version++
	s.orders.Append(o.Number, connector.Upsert, cloneOrder(o))
	return nil
}

// transaction returns a successful payment transaction of kind for amount,
// with a new ID and a provider reference drawn from the shop's seed.
func (s *Shop) transaction(kind canonical.TxnKind, amount canonical.Money, parent string) canonical.PaymentTransaction {
	s.nextTxn++
	return canonical.PaymentTransaction{
		ID:          fmt.Sprintf("txn-%d", s.nextTxn),
		Kind:        kind,
		Status:      canonical.TxnSuccess,
		Amount:      amount,
		ParentID:    parent,
		Gateway:     s.gateway,
		ProviderRef: fmt.Sprintf("pi_%08x%08x", s.env.IntN(1<<31), s.env.IntN(1<<31)),
		At:          s.env.Stamp(),
	}
}

// lastSale returns the ID of the order's most recent successful sale or
// capture: the transaction a refund returns.
func lastSale(o *canonical.SalesOrder) string {
	for i := len(o.Payments) - 1; i >= 0; i-- {
		t := o.Payments[i]
		if t.Status == canonical.TxnSuccess && (t.Kind == canonical.TxnSale || t.Kind == canonical.TxnCapture) {
			return t.ID
		}
	}
	return ""
}

// refundable returns what is left of the order's captured money: Σ sales
// and captures − Σ refunds.
func refundable(o *canonical.SalesOrder) (canonical.Money, error) {
	p, err := o.PaymentSummary()
	if err != nil {
		return canonical.Money{}, err
	}
	return p.Captured.Sub(p.Refunded)
}

// PlaceOrder places an order as a customer checking out would, and returns
// it as the shop recorded it. The caller gives the customer (a PartyRef
// with this shop's customer ref, or a guest with an email), the currency,
// the lines (SKU, Ordered, UnitPrice, optional Discounts) and, optionally,
// order-level Charges (shipping) and discounts, ShipTo (default: the
// customer's first address), BillTo and Note.
//
// The shop checks every line against the catalogue and the currency and
// refuses bad data as connector.Invalid with field paths ("lines[1].sku",
// "lines[0].ordered.value", "lines[2].unitPrice.currency"). It then numbers
// the order ("#1001", "#1002", ...; CustomerPO is the same and Channel is
// the shop's system), gives the lines IDs "L1", "L2", ..., computes each
// line's Net (Ordered × UnitPrice − discounts, rounded half-up to the
// currency), the tax breakdown and the Totals, sets Status submitted,
// OrderedAt and Revision 1, captures the payable amount in one sale
// transaction, and appends the order to the orders feed.
//
// Buckets, totals, taxes, payments, status and identity the caller sets
// are ignored: the shop owns them. Holds the caller sets (a fraud check at
// checkout) are kept.
func (s *Shop) PlaceOrder(o canonical.SalesOrder) (canonical.SalesOrder, error) {
	const op = "orders.place"
	if err := s.call(context.Background(), op); err != nil {
		return canonical.SalesOrder{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o = cloneOrder(o)
	var fe []canonical.FieldError
	fe = append(fe, s.resolveCustomer(&o)...)
	if o.ShipTo.IsZero() {
		fe = append(fe, fieldError("shipTo.country", canonical.CodeRequired, "", "is required: the shop ships physical goods"))
	}
	if !o.Currency.Valid() {
		fe = append(fe, fieldError("currency", canonical.CodeCurrency, string(o.Currency), "is not an ISO 4217 currency"))
	}
	if len(o.Lines) == 0 {
		fe = append(fe, fieldError("lines", canonical.CodeRequired, "", "an order needs at least one line"))
	}
	for i := range o.Lines {
		l := o.Lines[i]
		o.Lines[i] = canonical.SalesOrderLine{
			ExternalLineID: l.ExternalLineID, SKU: l.SKU, Description: l.Description,
			Ordered: l.Ordered, UnitPrice: l.UnitPrice, Discounts: l.Discounts,
		}
		fe = append(fe, s.checkLine(o.Currency, i, &o.Lines[i])...)
	}
	if len(fe) == 0 {
		fe = s.price(&o)
	}
	if len(fe) > 0 {
		return canonical.SalesOrder{}, s.invalid(op, "order", fe)
	}

	s.nextOrder++
	st := &orderState{refundedQty: map[string]canonical.Decimal{}, refundedAmt: map[string]canonical.Decimal{}}
	o.Meta = canonical.Meta{Revision: 1}
	o.Number = fmt.Sprintf("#%d", 1000+s.nextOrder)
	o.CustomerPO = o.Number
	o.Channel = s.system
	o.Status = canonical.OrderSubmitted
	stampHolds(o.Holds, s.env.Stamp())
	o.CancelReason = ""
	o.OrderedAt = s.env.Stamp()
	for i := range o.Lines {
		st.nextLine++
		o.Lines[i].LineID = fmt.Sprintf("L%d", st.nextLine)
	}
	o.Payments = nil
	if o.Totals.Payable.Amount.IsPos() {
		o.Payments = []canonical.PaymentTransaction{s.transaction(canonical.TxnSale, o.Totals.Payable, "")}
	}
	if err := s.saveOrder(op, st, o); err != nil {
		s.nextOrder--
		return canonical.SalesOrder{}, err
	}
	s.orderByNum[o.Number] = st
	s.orderNums = append(s.orderNums, o.Number)
	return cloneOrder(st.order), nil
}

// resolveCustomer fills the order's customer from the shop's account when the
// order names one, or checks the guest's email otherwise. The caller holds
// s.mu.
func (s *Shop) resolveCustomer(o *canonical.SalesOrder) []canonical.FieldError {
	for k, r := range o.Customer.Refs {
		if r.System != s.system {
			continue
		}
		c, ok := s.customerByID[r.ID]
		if !ok {
			return []canonical.FieldError{fieldError(fmt.Sprintf("customer.refs[%d].id", k), "unknown_customer", r.ID,
				"no customer %q in this shop", r.ID)}
		}
		o.Customer.Refs[k] = canonical.ExternalRef{System: s.system, Type: "customer", ID: r.ID}
		if o.Customer.Name == "" {
			o.Customer.Name = c.Name
		}
		o.Customer.Email = c.Email
		if o.ShipTo.IsZero() && len(c.Addresses) > 0 {
			o.ShipTo = cloneAddress(c.Addresses[0])
		}
		return nil
	}
	o.Customer.Email = normaliseEmail(o.Customer.Email)
	if o.Customer.Email == "" {
		return []canonical.FieldError{fieldError("customer.email", canonical.CodeRequired, "",
			"is required for a guest checkout (or give a %s customer ref)", s.system)}
	}
	return nil
}

// AmendOrder applies a customer's amendment to the order number. edit
// receives a copy of the order and changes it; it runs outside the shop's
// lock, so it may call the shop, and if the order changed meanwhile the
// amendment fails with connector.Conflict and is to be tried again.
//
// From the edit the shop takes the lines, the order-level Charges, ShipTo,
// BillTo, Holds and Note; everything else is the shop's and is kept. Lines
// are matched by LineID:
//   - a line without a LineID is added and gets the next ID; IDs are never
//     reused;
//   - a line whose Ordered changed is re-priced. Ordered may not fall below
//     what was shipped plus what was cancelled (connector.BusinessRule);
//   - a line left out, or with Ordered zero, is removed: it is dropped from
//     the order. Only a line with nothing shipped, cancelled or refunded can
//     be removed (BusinessRule otherwise), so no shipment, invoice or refund
//     ever points at a dropped line; downstream systems see the line missing
//     from the new revision and cancel their copy;
//   - a line's SKU cannot change (Invalid: remove it and add a new line), a
//     LineID the order never had is Invalid, and a line with refunds cannot
//     change at all (BusinessRule).
//
// The order is re-priced, its Revision goes up by one, and the difference in
// the payable amount is settled: an extra sale when it grew, a refund (with
// a Refund on the refunds feed) when it shrank — refused as BusinessRule if
// that is more than is left of the captured money. A cancelled order cannot
// be amended (BusinessRule). An edit that changes nothing returns the order
// as it is, without a new version. An error from edit is returned as it is.
func (s *Shop) AmendOrder(number string, edit func(*canonical.SalesOrder) error) (canonical.SalesOrder, error) {
	const op = "orders.amend"
	if edit == nil {
		return canonical.SalesOrder{}, s.errorf(connector.Invalid, op, "no edit function for order %s", number)
	}
	if err := s.call(context.Background(), op); err != nil {
		return canonical.SalesOrder{}, err
	}
	s.mu.Lock()
	st, ok := s.orderByNum[number]
	if !ok {
		s.mu.Unlock()
		return canonical.SalesOrder{}, s.errorf(connector.NotFound, op, "no order %q", number)
	}
	snapshot, version := st.order, st.version
	s.mu.Unlock()
	if snapshot.Status == canonical.OrderCancelled {
		return canonical.SalesOrder{}, s.errorf(connector.BusinessRule, op, "order %s is cancelled and cannot be amended", number)
	}
	draft := cloneOrder(snapshot)
	if err := edit(&draft); err != nil {
		return canonical.SalesOrder{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if st.version != version {
		return canonical.SalesOrder{}, s.errorf(connector.Conflict, op, "order %s changed while it was being edited; amend it again", number)
	}
	o := cloneOrder(snapshot)
	o.Charges = cloneCharges(draft.Charges)
	o.ShipTo = cloneAddress(draft.ShipTo)
	o.BillTo = cloneAddress(draft.BillTo)
	o.Holds = cloneHolds(draft.Holds)
	stampHolds(o.Holds, s.env.Stamp())
	o.Note = draft.Note
	lines, nextLine, fe, rule := s.amendLines(op, st, &snapshot, draft.Lines)
	if rule != nil {
		return canonical.SalesOrder{}, rule
	}
	o.Lines = lines
	if o.ShipTo.IsZero() {
		fe = append(fe, fieldError("shipTo.country", canonical.CodeRequired, "", "is required: the shop ships physical goods"))
	}
	if len(fe) == 0 {
		fe = s.price(&o)
	}
	if len(fe) > 0 {
		return canonical.SalesOrder{}, s.invalid(op, "amendment of order "+number, fe)
	}
	if same(snapshot, o) {
		return cloneOrder(snapshot), nil
	}

	diff, err := o.Totals.Payable.Sub(snapshot.Totals.Payable)
	if err != nil {
		return canonical.SalesOrder{}, s.errorf(connector.Invalid, op, "order %s: %w", number, err)
	}
	var refund *canonical.Refund
	switch {
	case diff.Amount.IsPos():
		o.Payments = append(o.Payments, s.transaction(canonical.TxnSale, diff, ""))
	case diff.Amount.IsNeg():
		back := diff.Neg()
		left, err := refundable(&o)
		if err != nil {
			return canonical.SalesOrder{}, s.errorf(connector.Invalid, op, "order %s: %w", number, err)
		}
		if back.Amount.Cmp(left.Amount) > 0 {
			return canonical.SalesOrder{}, s.errorf(connector.BusinessRule, op,
				"amending order %s would refund %s, but only %s of the captured money is left to refund", number, back, left)
		}
		txn := s.transaction(canonical.TxnRefund, back, lastSale(&o))
		o.Payments = append(o.Payments, txn)
		refund = s.newRefund(&o, back, "order amended", nil, nil, false, txn)
	}
	o.Revision++
	if err := s.saveOrder(op, st, o); err != nil {
		return canonical.SalesOrder{}, err
	}
	st.nextLine = nextLine
	if refund != nil {
		s.storeRefund(*refund)
	}
	return cloneOrder(st.order), nil
}

// amendLines merges the edited lines into the order's lines under the rules
// AmendOrder documents. It returns the new lines and the next line number,
// or the field problems (Invalid), or a business-rule error. The caller
// holds s.mu.
func (s *Shop) amendLines(op string, st *orderState, old *canonical.SalesOrder, edited []canonical.SalesOrderLine) (
	lines []canonical.SalesOrderLine, nextLine int, fe []canonical.FieldError, rule error) {
	nextLine = st.nextLine
	kept := map[string]bool{}
	for i, e := range edited {
		lp := fmt.Sprintf("lines[%d]", i)
		if e.LineID == "" {
			if e.Ordered.IsZero() {
				continue // added and removed in the same edit
			}
			nextLine++
			l := canonical.SalesOrderLine{
				LineID: fmt.Sprintf("L%d", nextLine), ExternalLineID: e.ExternalLineID, SKU: e.SKU,
				Description: e.Description, Ordered: e.Ordered, UnitPrice: e.UnitPrice, Discounts: cloneCharges(e.Discounts),
			}
			fe = append(fe, s.checkLine(old.Currency, i, &l)...)
			lines = append(lines, l)
			continue
		}
		prev, ok := old.Line(e.LineID)
		switch {
		case !ok:
			fe = append(fe, fieldError(lp+".lineId", "unknown_line", e.LineID,
				"order %s has no line %q; leave the ID empty to add a line", old.Number, e.LineID))
			continue
		case kept[e.LineID]:
			fe = append(fe, fieldError(lp+".lineId", canonical.CodeDuplicateLineID, e.LineID, "line %q appears twice", e.LineID))
			continue
		case e.SKU != prev.SKU:
			fe = append(fe, fieldError(lp+".sku", "immutable", e.SKU,
				"line %s sells %s and cannot change SKU; remove it and add a new line", prev.LineID, prev.SKU))
			continue
		}
		if e.Ordered.IsZero() {
			continue // removed: checked below with the lines left out
		}
		kept[e.LineID] = true
		l := *prev
		l.Description, l.Ordered, l.UnitPrice, l.Discounts = e.Description, e.Ordered, e.UnitPrice, cloneCharges(e.Discounts)
		if !same(lineTerms(*prev), lineTerms(l)) {
			if q := st.refundedQty[prev.LineID]; q.IsPos() {
				return nil, 0, nil, s.errorf(connector.BusinessRule, op,
					"line %s of order %s has %s refunded and can no longer be changed", prev.LineID, old.Number, q)
			}
		}
		fe = append(fe, s.checkLine(old.Currency, i, &l)...)
		if floor, err := l.Shipped.Add(l.Cancelled); err == nil && l.Ordered.Unit == prev.Ordered.Unit && l.Ordered.Value.Cmp(floor.Value) < 0 {
			return nil, 0, nil, s.errorf(connector.BusinessRule, op,
				"line %s of order %s cannot go down to %s: %s shipped and %s cancelled",
				prev.LineID, old.Number, l.Ordered, orNone(l.Shipped), orNone(l.Cancelled))
		}
		lines = append(lines, l)
	}
	for _, prev := range old.Lines {
		if kept[prev.LineID] {
			continue
		}
		switch {
		case prev.Shipped.Value.IsPos():
			rule = s.errorf(connector.BusinessRule, op, "line %s of order %s has shipped %s and cannot be removed", prev.LineID, old.Number, prev.Shipped)
		case prev.Cancelled.Value.IsPos():
			rule = s.errorf(connector.BusinessRule, op, "line %s of order %s has %s cancelled and cannot be removed", prev.LineID, old.Number, prev.Cancelled)
		case st.refundedQty[prev.LineID].IsPos():
			rule = s.errorf(connector.BusinessRule, op, "line %s of order %s has refunds and cannot be removed", prev.LineID, old.Number)
		}
		if rule != nil {
			return nil, 0, nil, rule
		}
	}
	if len(lines) == 0 && len(fe) == 0 {
		fe = append(fe, fieldError("lines", canonical.CodeRequired, "", "an amendment cannot remove every line; cancel the order instead"))
	}
	return lines, nextLine, fe, nil
}

// stampHolds sets the placing time of holds that have none.
func stampHolds(hs []canonical.Hold, now time.Time) {
	for i := range hs {
		if hs[i].PlacedAt.IsZero() {
			hs[i].PlacedAt = now
		}
	}
}

// lineTerms is the part of a line a customer can change.
func lineTerms(l canonical.SalesOrderLine) any {
	return struct {
		Ordered   canonical.Quantity
		UnitPrice canonical.Money
		Discounts []canonical.AllowanceCharge
	}{l.Ordered, l.UnitPrice, l.Discounts}
}

// orNone prints an empty bucket as "0".
func orNone(q canonical.Quantity) string {
	if q.IsZero() {
		return "0"
	}
	return q.String()
}

// CancelOrder cancels the order number for reason, as a customer or the
// merchant would before anything ships. It is refused with
// connector.BusinessRule when any of the order has been fulfilled, or when
// the order is already cancelled, and NotFound for an unknown number. Every
// line's Cancelled bucket becomes its Ordered quantity, the status becomes
// cancelled, the captured money left is refunded (a refund transaction on
// the order and a Refund on the refunds feed), the Revision goes up by one,
// and the orders feed reports the cancelled order as an Upsert.
func (s *Shop) CancelOrder(number, reason string) (canonical.SalesOrder, error) {
	const op = "orders.cancel"
	if err := s.call(context.Background(), op); err != nil {
		return canonical.SalesOrder{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.orderByNum[number]
	if !ok {
		return canonical.SalesOrder{}, s.errorf(connector.NotFound, op, "no order %q", number)
	}
	if st.order.Status == canonical.OrderCancelled {
		return canonical.SalesOrder{}, s.errorf(connector.BusinessRule, op, "order %s is already cancelled", number)
	}
	for _, l := range st.order.Lines {
		if l.Shipped.Value.IsPos() {
			return canonical.SalesOrder{}, s.errorf(connector.BusinessRule, op,
				"order %s cannot be cancelled: line %s has shipped %s", number, l.LineID, l.Shipped)
		}
	}
	o := cloneOrder(st.order)
	if err := o.Cancel(reason); err != nil {
		return canonical.SalesOrder{}, s.errorf(connector.BusinessRule, op, "order %s: %w", number, err)
	}
	left, err := refundable(&o)
	if err != nil {
		return canonical.SalesOrder{}, s.errorf(connector.Invalid, op, "order %s: %w", number, err)
	}
	var refund *canonical.Refund
	if left.Amount.IsPos() {
		txn := s.transaction(canonical.TxnRefund, left, lastSale(&o))
		o.Payments = append(o.Payments, txn)
		why := "order cancelled"
		if reason != "" {
			why += ": " + reason
		}
		refund = s.newRefund(&o, left, why, nil, nil, false, txn)
	}
	o.Revision++
	if err := s.saveOrder(op, st, o); err != nil {
		return canonical.SalesOrder{}, err
	}
	if refund != nil {
		s.storeRefund(*refund)
	}
	return cloneOrder(st.order), nil
}

// OrderByNumber returns the order number ("#1001") as the shop holds it now.
func (s *Shop) OrderByNumber(number string) (canonical.SalesOrder, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.orderByNum[number]
	if !ok {
		return canonical.SalesOrder{}, false
	}
	return cloneOrder(st.order), true
}

// ListOrders returns every order as the shop holds it now, oldest first.
func (s *Shop) ListOrders() []canonical.SalesOrder {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]canonical.SalesOrder, 0, len(s.orderNums))
	for _, n := range s.orderNums {
		out = append(out, cloneOrder(s.orderByNum[n].order))
	}
	return out
}
