package memshop

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// shipmentState is a fulfilment the shop recorded.
type shipmentState struct {
	shipment canonical.Shipment
	version  connector.Version // the newest Write.Version applied
}

// fulfillmentSink is the shop's connector.Sink for shipments. It also
// implements connector.Getter and connector.Deleter.
type fulfillmentSink struct{ s *Shop }

// SupportsDelete reports true: a Delete cancels the fulfilment.
func (f *fulfillmentSink) SupportsDelete() bool { return true }

// Apply records the shipment in w.Entity as a fulfilment of its order, keyed
// by the shipment number (Entity.Number, or w.Key when the entity has none).
//
// A new number creates a fulfilment; the same number again updates it
// (tracking number, carrier, events, status delivered, ...) without counting
// its quantities twice, and reports Unchanged when nothing differs. Each
// order line's Shipped bucket is the sum over the order's fulfilments that
// are not cancelled, so split deliveries are several shipments; a shipment
// with status cancelled (or a Delete, which cancels it and reports Deleted)
// gives its quantities back. When the Shipped buckets change, the order gets
// a new version on the orders feed.
//
// The shop fills what a warehouse system may leave out: each line's order
// number, SKU and unit from the order line it points at, line IDs ("1",
// "2", ...), and ShipTo from the order. A repeated IdempotencyKey returns the
// first result; a write whose Version is older than the last one applied to
// the shipment is reported Stale without effect.
//
// Errors: an unknown order, or a Delete of an unknown shipment, is NotFound;
// a line pointing at a line the order does not have is Invalid with the path
// "lines[i].orderLine.lineId" (likewise a SKU or unit that differs from the
// order line's, a number or order that differs from the fulfilment's, or a
// shipment failing canonical validation); shipping more than is open
// (Ordered − Cancelled − shipped by the other fulfilments) is BusinessRule,
// as is a fulfilment for a cancelled order, a new fulfilment for an order on
// a fulfilment hold, reopening a cancelled fulfilment, and giving back
// quantities that were already returned.
func (f *fulfillmentSink) Apply(ctx context.Context, w connector.Write[canonical.Shipment]) (connector.Result, error) {
	s := f.s
	const op = "fulfillments.apply"
	if err := s.call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.fulDone[w.IdempotencyKey]; ok && w.IdempotencyKey != "" {
		return r, nil
	}
	number := w.Entity.Number
	switch {
	case number == "" && w.Key == "":
		return connector.Result{}, s.invalid(op, "shipment", []canonical.FieldError{
			fieldError("number", canonical.CodeRequired, "", "is required (or give the write a key)")})
	case number == "":
		number = w.Key
	case w.Key != "" && w.Key != number:
		return connector.Result{}, s.invalid(op, "shipment "+number, []canonical.FieldError{
			fieldError("number", "key_mismatch", number, "is %q, but the write's key is %q", number, w.Key)})
	}
	cur := s.shipments[number]
	if cur != nil && older(w.Version, cur.version) {
		return s.rememberFulfillment(w, connector.Result{Action: connector.Stale, Ref: shipmentRef(s.system, cur.shipment)}), nil
	}
	var sh canonical.Shipment
	if w.Op == connector.Delete {
		if cur == nil {
			return connector.Result{}, s.errorf(connector.NotFound, op, "no fulfilment %q to cancel", number)
		}
		sh = cloneShipment(cur.shipment)
		sh.Status = canonical.ShipmentCancelled
	} else {
		sh = cloneShipment(w.Entity)
		sh.Number = number
	}
	res, err := s.recordShipment(op, cur, sh, w.Version)
	if err != nil {
		return connector.Result{}, err
	}
	if w.Op == connector.Delete {
		res.Action = connector.Deleted
	}
	return s.rememberFulfillment(w, res), nil
}

// rememberFulfillment keeps r as the result for w's idempotency key and
// returns it. The caller holds s.mu.
func (s *Shop) rememberFulfillment(w connector.Write[canonical.Shipment], r connector.Result) connector.Result {
	if w.IdempotencyKey != "" {
		s.fulDone[w.IdempotencyKey] = r
	}
	return r
}

// shipmentRef is the ref of a recorded fulfilment.
func shipmentRef(system string, sh canonical.Shipment) canonical.ExternalRef {
	return canonical.ExternalRef{System: system, Type: "fulfillment", ID: sh.Number, Version: fmt.Sprint(sh.Revision)}
}

// recordShipment checks sh against its order and the order's other
// fulfilments and stores it, replacing cur when the number is known. The
// caller holds s.mu.
func (s *Shop) recordShipment(op string, cur *shipmentState, sh canonical.Shipment, v connector.Version) (connector.Result, error) {
	if sh.Order == "" && cur != nil {
		sh.Order = cur.shipment.Order
	}
	if sh.Order == "" {
		return connector.Result{}, s.invalid(op, "shipment "+sh.Number, []canonical.FieldError{
			fieldError("order", canonical.CodeRequired, "", "is required: which order does the shipment fulfil?")})
	}
	if cur != nil && sh.Order != cur.shipment.Order {
		return connector.Result{}, s.invalid(op, "shipment "+sh.Number, []canonical.FieldError{
			fieldError("order", "immutable", sh.Order, "fulfilment %s belongs to order %s", sh.Number, cur.shipment.Order)})
	}
	ost, ok := s.orderByNum[sh.Order]
	if !ok {
		return connector.Result{}, s.errorf(connector.NotFound, op, "no order %q for fulfilment %s", sh.Order, sh.Number)
	}
	o := &ost.order
	cancelling := sh.Status == canonical.ShipmentCancelled
	switch {
	case cur != nil && cur.shipment.Status == canonical.ShipmentCancelled && !cancelling:
		return connector.Result{}, s.errorf(connector.BusinessRule, op, "fulfilment %s is cancelled and cannot be reopened as %s; send a new shipment", sh.Number, sh.Status)
	case o.Status == canonical.OrderCancelled && !cancelling:
		return connector.Result{}, s.errorf(connector.BusinessRule, op, "order %s is cancelled: nothing can be fulfilled (fulfilment %s)", o.Number, sh.Number)
	case cur == nil && !cancelling && canonical.Blocking(o.Holds, canonical.StageFulfillment):
		return connector.Result{}, s.errorf(connector.BusinessRule, op, "order %s is on a fulfilment hold: fulfilment %s cannot be recorded until it is released", o.Number, sh.Number)
	}

	if sh.ShipTo.IsZero() {
		sh.ShipTo = cloneAddress(o.ShipTo)
	}
	var fe []canonical.FieldError
	for i := range sh.Lines {
		l := &sh.Lines[i]
		lp := fmt.Sprintf("lines[%d]", i)
		if l.OrderLine.Document == "" {
			l.OrderLine.Document = sh.Order
		} else if l.OrderLine.Document != sh.Order {
			fe = append(fe, fieldError(lp+".orderLine.document", canonical.CodeOrderMismatch, l.OrderLine.Document,
				"points at order %s, but the shipment is for order %s", l.OrderLine.Document, sh.Order))
		}
		if l.LineID == "" {
			l.LineID = fmt.Sprint(i + 1)
		}
		ol, ok := o.Line(l.OrderLine.LineID)
		if !ok {
			fe = append(fe, fieldError(lp+".orderLine.lineId", "unknown_line", l.OrderLine.LineID, "order %s has no line %q", sh.Order, l.OrderLine.LineID))
			continue
		}
		if l.SKU == "" {
			l.SKU = ol.SKU
		} else if l.SKU != ol.SKU {
			fe = append(fe, fieldError(lp+".sku", "sku_mismatch", l.SKU, "is %s, but order line %s sells %s", l.SKU, ol.LineID, ol.SKU))
		}
		if l.Quantity.Unit == "" {
			l.Quantity.Unit = ol.Ordered.Unit
		} else if l.Quantity.Unit != ol.Ordered.Unit {
			fe = append(fe, fieldError(lp+".quantity.unit", canonical.CodeUnitMismatch, string(l.Quantity.Unit), "is %s, but order line %s is in %s", l.Quantity.Unit, ol.LineID, ol.Ordered.Unit))
		}
	}
	if len(fe) > 0 {
		return connector.Result{}, s.invalid(op, "shipment "+sh.Number, fe)
	}
	if err := sh.Validate(); err != nil {
		return connector.Result{}, s.fromValidation(op, "shipment "+sh.Number, err)
	}

	// The order's Shipped buckets with sh in place of the fulfilment it updates.
	var c calc
	shipped := map[string]canonical.Decimal{}
	count := func(x canonical.Shipment) {
		if x.Status == canonical.ShipmentCancelled {
			return
		}
		for _, l := range x.Lines {
			shipped[l.OrderLine.LineID] = c.add(shipped[l.OrderLine.LineID], l.Quantity.Value)
		}
	}
	others := map[string]canonical.Decimal{}
	for _, n := range ost.shipments {
		if n != sh.Number {
			count(s.shipments[n].shipment)
		}
	}
	for id, q := range shipped {
		others[id] = q
	}
	count(sh)
	o2 := cloneOrder(*o)
	changed := false
	for i := range o2.Lines {
		l := &o2.Lines[i]
		q := shipped[l.LineID]
		if !cancelling {
			open := c.sub(c.sub(l.Ordered.Value, l.Cancelled.Value), others[l.LineID])
			if q.Cmp(others[l.LineID]) > 0 && c.sub(q, others[l.LineID]).Cmp(open) > 0 {
				return connector.Result{}, s.errorf(connector.BusinessRule, op,
					"fulfilment %s ships %s %s of line %s (%s) of order %s, but only %s is open: %s ordered, %s cancelled, %s shipped by other fulfilments",
					sh.Number, c.sub(q, others[l.LineID]), l.Ordered.Unit, l.LineID, l.SKU, o.Number, open, l.Ordered.Value, orNone(l.Cancelled), others[l.LineID])
			}
		}
		if q.Cmp(l.Returned.Value) < 0 {
			return connector.Result{}, s.errorf(connector.BusinessRule, op,
				"fulfilment %s would leave line %s of order %s shipped %s, below the %s already returned", sh.Number, l.LineID, o.Number, q, l.Returned.Value)
		}
		if q.Cmp(l.Shipped.Value) != 0 {
			changed = true
			l.Shipped = canonical.Quantity{}
			if q.IsPos() {
				l.Shipped = canonical.Quantity{Value: q, Unit: l.Ordered.Unit}
			}
		}
	}
	if c.err != nil {
		return connector.Result{}, s.errorf(connector.Invalid, op, "shipment %s: the quantities overflow: %w", sh.Number, c.err)
	}

	if cur != nil {
		sh.Meta = cur.shipment.Meta
		if same(cur.shipment, sh) {
			if !v.IsZero() {
				cur.version = v
			}
			return connector.Result{Action: connector.Unchanged, Ref: shipmentRef(s.system, cur.shipment)}, nil
		}
		sh.Meta = cloneMeta(cur.shipment.Meta)
	} else {
		sh.Meta = canonical.Meta{}
		if sh.ShippedAt.IsZero() && !cancelling {
			sh.ShippedAt = s.env.Stamp()
		}
	}
	sh.Revision++
	sh.UpdatedAt = s.env.Stamp()
	sh.SetRef(shipmentRef(s.system, sh))
	if changed {
		if err := s.saveOrder(op, ost, o2); err != nil {
			return connector.Result{}, err
		}
	}
	res := connector.Result{Action: connector.Updated, Ref: shipmentRef(s.system, sh)}
	if cur == nil {
		res.Action = connector.Created
		cur = &shipmentState{}
		s.shipments[sh.Number] = cur
		s.shipmentNums = append(s.shipmentNums, sh.Number)
		ost.shipments = append(ost.shipments, sh.Number)
	}
	cur.shipment = sh
	if !v.IsZero() {
		cur.version = v
	}
	return res, nil
}

// Get implements connector.Getter: the fulfilment number as the shop holds
// it, as a Delete when it was cancelled, or NotFound.
func (f *fulfillmentSink) Get(ctx context.Context, number string) (connector.Change[canonical.Shipment], error) {
	s := f.s
	if err := s.call(ctx, "fulfillments.get"); err != nil {
		return connector.Change[canonical.Shipment]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.shipments[number]
	if !ok {
		return connector.Change[canonical.Shipment]{}, s.errorf(connector.NotFound, "fulfillments.get", "no fulfilment %q", number)
	}
	c := connector.Change[canonical.Shipment]{
		System: s.system, Key: number, Op: connector.Upsert, Version: st.version,
		Entity: cloneShipment(st.shipment), At: st.shipment.UpdatedAt,
	}
	if st.shipment.Status == canonical.ShipmentCancelled {
		c.Op = connector.Delete
	}
	return c, nil
}

// Shipment returns the fulfilment number as the shop holds it.
func (s *Shop) Shipment(number string) (canonical.Shipment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.shipments[number]
	if !ok {
		return canonical.Shipment{}, false
	}
	return cloneShipment(st.shipment), true
}

// FulfillmentsOf returns the fulfilments of order number, oldest first,
// cancelled ones included.
func (s *Shop) FulfillmentsOf(number string) []canonical.Shipment {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.orderByNum[number]
	if !ok {
		return nil
	}
	out := make([]canonical.Shipment, 0, len(st.shipments))
	for _, n := range st.shipments {
		out = append(out, cloneShipment(s.shipments[n].shipment))
	}
	return out
}
