package memerp

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
)

// shipmentRec is a despatch and what it holds.
type shipmentRec struct {
	ship     canonical.Shipment
	order    string
	location string
	// posted is set once the shipment is confirmed as sent: stock has gone
	// out and the invoice is issued.
	posted  bool
	invoice string
}

// Release runs the warehouse: for every open order with allocated stock that
// is not yet released, and no active hold on fulfilment, it creates one
// planned shipment per location holding that stock. Orders of accounts on
// credit hold or blocked are not released. Each new shipment is appended to
// the Despatches log and returned, oldest order first.
func (e *ERP) Release(ctx context.Context) ([]canonical.Shipment, error) {
	const op = "despatches.release"
	if err := e.call(ctx, op); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []canonical.Shipment
	for _, rec := range e.openOrders() {
		o := &rec.order
		if canonical.Blocking(o.Holds, canonical.StageFulfillment) {
			continue
		}
		if c := e.customers[rec.customer]; c == nil || c.CreditStatus == canonical.CreditHold || c.CreditStatus == canonical.CreditBlocked {
			continue
		}
		for _, loc := range e.cfg.Locations {
			var lines []canonical.ShipmentLine
			for _, l := range o.Lines {
				ls := rec.lines[l.LineID]
				q := ls.alloc[loc]
				if !q.IsPos() {
					continue
				}
				ls.alloc[loc] = canonical.Decimal{}
				ls.picked[loc] = add(ls.picked[loc], q)
				lines = append(lines, canonical.ShipmentLine{
					LineID:    strconv.Itoa(len(lines) + 1),
					OrderLine: canonical.LineRef{Document: o.Number, LineID: l.LineID},
					SKU:       l.SKU,
					Quantity:  canonical.Quantity{Value: q, Unit: l.Ordered.Unit},
				})
			}
			if len(lines) == 0 {
				continue
			}
			e.shipmentCount++
			number := sim.Seq("SH", e.shipmentCount)
			sh := &shipmentRec{order: o.Number, location: loc, ship: canonical.Shipment{
				Number: number, Order: o.Number, Status: canonical.ShipmentPlanned,
				ShipFrom: loc, ShipTo: o.ShipTo, Lines: lines,
			}}
			sh.ship.SetRef(e.ref(number))
			sh.ship.Revision = 1
			sh.ship.UpdatedAt = e.env.Clock.Now()
			e.shipments[number] = sh
			e.logShipment(sh)
			out = append(out, clone(sh.ship))
		}
		rec.sync()
	}
	return out, nil
}

// Shipment returns the despatch with the given number.
func (e *ERP) Shipment(number string) (canonical.Shipment, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sh, ok := e.shipments[number]
	if !ok {
		return canonical.Shipment{}, false
	}
	return clone(sh.ship), true
}

// ShipmentsOf returns the despatches of an order, by number.
func (e *ERP) ShipmentsOf(order string) []canonical.Shipment {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []canonical.Shipment
	for _, sh := range e.orderShipments(order) {
		out = append(out, clone(sh.ship))
	}
	return out
}

// orderShipments returns the despatches of an order, by number.
func (e *ERP) orderShipments(order string) []*shipmentRec {
	var out []*shipmentRec
	for _, sh := range e.shipments {
		if sh.order == order {
			out = append(out, sh)
		}
	}
	slices.SortFunc(out, func(a, b *shipmentRec) int { return strings.Compare(a.ship.Number, b.ship.Number) })
	return out
}

// logShipment appends the despatch's current state to the Despatches log.
func (e *ERP) logShipment(sh *shipmentRec) {
	e.despatchLog.Append(sh.ship.Number, connector.Upsert, clone(sh.ship))
}

// cancelShipment cancels a planned despatch: its quantities go back to the
// order lines' allocation, ready for the next Release.
func (e *ERP) cancelShipment(sh *shipmentRec) {
	if rec, ok := e.orders[sh.order]; ok {
		for _, l := range sh.ship.Lines {
			ls, ok := rec.lines[l.OrderLine.LineID]
			if !ok {
				continue
			}
			q := minDec(ls.picked[sh.location], l.Quantity.Value)
			ls.picked[sh.location] = sub(ls.picked[sh.location], q)
			ls.alloc[sh.location] = add(ls.alloc[sh.location], q)
		}
		rec.sync()
	}
	sh.ship.Status = canonical.ShipmentCancelled
	e.touchShipment(sh)
}

// touchShipment bumps the despatch's revision and logs it.
func (e *ERP) touchShipment(sh *shipmentRec) {
	sh.ship.Revision++
	sh.ship.UpdatedAt = e.env.Clock.Now()
	e.logShipment(sh)
}

// statusRank orders shipment states for confirmations: a confirmation with a
// lower rank than a posted shipment's is an older state arriving late.
// Ranks 0 and 1 are before the parcel is sent; 2 and up mean it is sent. An
// exception ranks with in_transit, which it interrupts and returns to.
func statusRank(s canonical.ShipmentStatus) (rank int, ok bool) {
	switch s {
	case canonical.ShipmentPlanned:
		return 0, true
	case canonical.ShipmentLabelPending, canonical.ShipmentLabelFailed, canonical.ShipmentAwaitingAction:
		return 1, true
	case canonical.ShipmentLabelCreated:
		return 2, true
	case canonical.ShipmentShipped:
		return 3, true
	case canonical.ShipmentInTransit, canonical.ShipmentException:
		return 4, true
	case canonical.ShipmentOutForDelivery:
		return 5, true
	case canonical.ShipmentDelivered, canonical.ShipmentReturnedToSender, canonical.ShipmentLost:
		return finalRank, true
	case canonical.ShipmentCancelled:
		return -1, true
	}
	return 0, false
}

// sentRank is the lowest rank of a sent parcel; finalRank is the rank of
// its final states.
const (
	sentRank  = 2
	finalRank = 6
)

// confirmationSink is the ShipmentConfirmations sink.
type confirmationSink struct{ e *ERP }

// SupportsDelete reports true: a Delete cancels the despatch.
func (confirmationSink) SupportsDelete() bool { return true }

// Apply records what happened to a despatch, found by Write.Target, else the
// entity's Number, else the write's key:
//   - label_created, shipped or any later state, with a tracking number,
//     posts it the first time: the stock goes out, the order lines are
//     shipped and an invoice is issued for exactly what shipped. Later states
//     only update the despatch; an earlier state than the one held is Stale.
//   - cancelled (or a Delete) before it was sent returns its quantities to
//     the order's allocation; after it was sent it is a BusinessRule error.
//   - planned, label_pending, label_failed or awaiting_action before it was
//     sent record the label's progress and problems.
//
// Repeating a confirmation has no second effect.
func (s confirmationSink) Apply(ctx context.Context, w connector.Write[canonical.Shipment]) (connector.Result, error) {
	const op = "shipmentConfirmations.apply"
	e := s.e
	if err := e.call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.confirmationSink.replay(w.IdempotencyKey); ok {
		return r, nil
	}
	sh, err := e.findShipment(op, w)
	if err != nil {
		return connector.Result{}, err
	}
	ref := e.ref(sh.ship.Number)
	if e.confirmationSink.stale(w.Key, w.Version) {
		return connector.Result{Action: connector.Stale, Ref: ref}, nil
	}
	in := w.Entity
	status := in.Status
	if w.Op == connector.Delete {
		status = canonical.ShipmentCancelled
	}
	rank, ok := statusRank(status)
	if !ok {
		return connector.Result{}, e.invalidField(op, "status", "oneof", string(status), "is not a shipment status")
	}
	action := connector.Updated
	cur := sh.ship.Status
	switch {
	case status == canonical.ShipmentCancelled && cur == canonical.ShipmentCancelled:
		action = connector.Unchanged
	case status == canonical.ShipmentCancelled && sh.posted:
		return connector.Result{}, e.errorf(connector.BusinessRule, op,
			"shipment %s has been sent (%s); it cannot be cancelled, book a return instead", sh.ship.Number, cur)
	case status == canonical.ShipmentCancelled:
		e.cancelShipment(sh)
	case cur == canonical.ShipmentCancelled:
		return connector.Result{}, e.errorf(connector.BusinessRule, op, "shipment %s is cancelled", sh.ship.Number)
	case sh.posted:
		// An exception can interrupt any state short of a final one.
		curRank, _ := statusRank(cur)
		if rank < curRank && (status != canonical.ShipmentException || curRank == finalRank) {
			return connector.Result{Action: connector.Stale, Ref: ref}, nil
		}
		if !e.confirmDetails(sh, in, status) {
			action = connector.Unchanged
			break
		}
		e.touchShipment(sh)
	case rank >= sentRank:
		if in.TrackingNumber == "" && sh.ship.TrackingNumber == "" {
			return connector.Result{}, e.invalidField(op, "trackingNumber", canonical.CodeRequired, "",
				"is required to confirm shipment "+sh.ship.Number+" as "+string(status))
		}
		e.confirmDetails(sh, in, status)
		if sh.ship.ShippedAt.IsZero() {
			sh.ship.ShippedAt = e.env.Clock.Now()
		}
		if err := e.post(op, sh); err != nil {
			return connector.Result{}, err
		}
	default:
		if !e.confirmDetails(sh, in, status) {
			action = connector.Unchanged
			break
		}
		e.touchShipment(sh)
	}
	res := connector.Result{Action: action, Ref: ref}
	record(&e.confirmationSink, w, res)
	return res, nil
}

// findShipment finds the despatch a confirmation is for.
func (e *ERP) findShipment(op string, w connector.Write[canonical.Shipment]) (*shipmentRec, error) {
	id := w.Entity.Number
	if t := w.Target; t != nil && t.System == e.cfg.System && t.ID != "" {
		id = t.ID
	}
	if sh, ok := e.shipments[id]; ok {
		return sh, nil
	}
	if sh, ok := e.shipments[w.Key]; ok {
		return sh, nil
	}
	if id == "" {
		id = w.Key
	}
	return nil, e.errorf(connector.NotFound, op, "no despatch %q", id)
}

// confirmDetails copies what the courier side knows onto the despatch and
// reports whether anything changed. The despatch's lines are the ERP's and
// are kept.
func (e *ERP) confirmDetails(sh *shipmentRec, in canonical.Shipment, status canonical.ShipmentStatus) bool {
	before := clone(sh.ship)
	s := &sh.ship
	s.Status = status
	if in.Carrier != "" {
		s.Carrier = in.Carrier
	}
	if in.Service != "" {
		s.Service = in.Service
	}
	if in.TrackingNumber != "" {
		s.TrackingNumber = in.TrackingNumber
	}
	if in.TrackingURL != "" {
		s.TrackingURL = in.TrackingURL
	}
	if in.Label != nil {
		l := *in.Label
		s.Label = &l
	}
	if in.Weight != nil {
		q := *in.Weight
		s.Weight = &q
	}
	if len(in.Events) > 0 {
		s.Events = clone(in.Events)
	}
	if in.Problems != nil || status != canonical.ShipmentLabelFailed {
		s.Problems = clone(in.Problems)
	}
	if !in.ShippedAt.IsZero() {
		s.ShippedAt = in.ShippedAt
	}
	for _, r := range in.Refs {
		if r.System != e.cfg.System {
			s.SetRef(r)
		}
	}
	return !sameShipment(before, *s)
}

// sameShipment compares two states of a despatch, ignoring bookkeeping.
func sameShipment(a, b canonical.Shipment) bool {
	a.Revision, b.Revision = 0, 0
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return equal(a, b)
}

// post books a sent despatch: the stock goes out of its location, the order
// lines are shipped, the order moves on and the invoice is issued.
func (e *ERP) post(op string, sh *shipmentRec) error {
	rec, ok := e.orders[sh.order]
	if !ok {
		return e.errorf(connector.NotFound, op, "no sales order %s for shipment %s", sh.order, sh.ship.Number)
	}
	t := touched{}
	for _, l := range sh.ship.Lines {
		ls, ok := rec.lines[l.OrderLine.LineID]
		if !ok {
			return e.errorf(connector.BusinessRule, op, "shipment %s ships line %s, which order %s no longer has",
				sh.ship.Number, l.OrderLine.LineID, sh.order)
		}
		q := l.Quantity.Value
		ls.picked[sh.location] = sub(ls.picked[sh.location], q)
		ls.shipped = add(ls.shipped, q)
		if lv, ok := e.levels[stockKey(l.SKU, sh.location)]; ok {
			lv.onHand = sub(lv.onHand, q)
			lv.allocated = sub(lv.allocated, q)
			t[stockKey(l.SKU, sh.location)] = true
		}
	}
	sh.posted = true
	o := &rec.order
	rec.sync()
	if o.Status == canonical.OrderAccepted {
		o.Status = canonical.OrderInProgress
	}
	if fulfilled(o) {
		o.Status = canonical.OrderCompleted
	}
	inv := e.issueInvoice(rec, sh)
	rec.sync()
	o.Revision++
	o.UpdatedAt = e.env.Clock.Now()
	sh.invoice = inv.Number
	e.touchShipment(sh)
	e.flushStock(t)
	return nil
}

// fulfilled reports whether every line has shipped Ordered − Cancelled.
func fulfilled(o *canonical.SalesOrder) bool {
	for _, l := range o.Lines {
		open, err := l.Open()
		if err != nil || open.Value.IsPos() {
			return false
		}
	}
	return true
}
