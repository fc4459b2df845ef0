package memcourier

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
)

// shipmentSink is the Shipments sink: a booking API.
type shipmentSink struct{ s *Sim }

// SupportsDelete reports that a Delete voids the label.
func (shipmentSink) SupportsDelete() bool { return true }

// Get returns the shipment with number key as the carrier holds it; a voided
// one comes back as a Delete.
func (k shipmentSink) Get(ctx context.Context, key string) (connector.Change[canonical.Shipment], error) {
	s := k.s
	if err := s.env.Call(ctx, "shipments.get"); err != nil {
		return connector.Change[canonical.Shipment]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.parcels[key]
	if !ok {
		return connector.Change[canonical.Shipment]{}, connector.Errorf(connector.NotFound, s.cfg.System, "no shipment %q", key)
	}
	c := connector.Change[canonical.Shipment]{
		System: s.cfg.System, Key: key, Entity: cloneShipment(p.ship), At: p.ship.UpdatedAt,
	}
	if latest, ok := s.log.Latest(key); ok {
		c.Version = latest.Version
	}
	if p.ship.Status == canonical.ShipmentCancelled {
		c.Op = connector.Delete
	}
	return c, nil
}

// Apply books the shipment (buying its label), updates the shipper's own
// fields of a booked one, or, for a Delete, voids its label.
func (k shipmentSink) Apply(ctx context.Context, w connector.Write[canonical.Shipment]) (connector.Result, error) {
	s := k.s
	if err := s.env.Call(ctx, "shipments.apply"); err != nil {
		return connector.Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.IdempotencyKey != "" {
		if r, ok := s.done[w.IdempotencyKey]; ok {
			r.Action = connector.Unchanged
			return r, nil
		}
	}
	number := w.Entity.Number
	if number == "" {
		number = w.Key
	}
	if number == "" && w.Op == connector.Upsert {
		err := connector.Errorf(connector.Invalid, s.cfg.System, "the shipment has no number")
		err.Fields = []canonical.FieldError{{Path: "number", Code: CodeRequired, Message: "is required"}}
		return connector.Result{}, err
	}
	if last, ok := s.versions[number]; ok && !w.Version.IsZero() {
		if c, ok := w.Version.Compare(last); ok && c < 0 {
			r := connector.Result{Action: connector.Stale}
			if p := s.parcels[number]; p != nil {
				r.Ref = s.ref(p)
			}
			return r, nil
		}
	}
	var (
		r   connector.Result
		err error
	)
	if w.Op == connector.Delete {
		r, err = s.cancel(number, w.Target)
	} else {
		r, err = s.book(number, w.Entity)
	}
	if err != nil {
		return connector.Result{}, err
	}
	if !w.Version.IsZero() {
		s.versions[number] = w.Version
	}
	if w.IdempotencyKey != "" {
		s.done[w.IdempotencyKey] = r
	}
	return r, nil
}

// book buys a label for a new (or voided) shipment, or updates a booked one
// whose label stays valid. Callers hold s.mu.
func (s *Sim) book(number string, in canonical.Shipment) (connector.Result, error) {
	spec, probs := check(in, true)
	if len(probs) > 0 {
		return connector.Result{}, s.refused("shipments.create", number, probs)
	}
	in = cloneShipment(in)
	in.Number = number
	in.Service = spec.service
	fp := fingerprint(in)
	p := s.parcels[number]
	if p != nil && p.ship.Status != canonical.ShipmentCancelled {
		if fp != p.fingerprint {
			return connector.Result{}, s.businessRule("shipments.update",
				"shipment %s is %s with label %s, bought for another address, service or parcel; void it (a Delete) and book again",
				number, p.ship.Status, p.ship.Label.ID)
		}
		in = s.carrierFields(in, p.ship)
		if shipperView(in) == shipperView(p.ship) {
			return connector.Result{Action: connector.Unchanged, Ref: s.ref(p)}, nil
		}
		in.UpdatedAt = s.now()
		p.ship = in
		return connector.Result{Action: connector.Updated, Ref: s.ref(p)}, nil
	}

	// Buy a label.
	sv := serviceNamed(spec.service)
	cost := s.price(sv, spec.band)
	now := s.now()
	s.labels++
	labelID := sim.Seq("LBL", s.labels)
	tn := s.newTrackingNumber()
	in.Status = canonical.ShipmentLabelCreated
	in.Carrier = s.cfg.Carrier
	in.TrackingNumber = tn
	in.TrackingURL = "https://track.example/" + tn
	in.Label = &canonical.Label{
		ID: labelID, Format: "PDF", URL: "https://labels.example/" + labelID + ".pdf", Cost: &cost,
	}
	in.Events = []canonical.TrackingEvent{{
		At: now, Status: canonical.ShipmentLabelCreated, Code: "LC", Description: "Label created",
	}}
	in.Problems = nil
	in.ShippedAt = time.Time{}
	in.UpdatedAt = now
	in.SetRef(canonical.ExternalRef{System: s.cfg.System, ID: tn})
	if p != nil {
		delete(s.byTracking, p.ship.TrackingNumber)
		delete(s.byLabel, p.ship.Label.ID)
	}
	p = &parcel{
		ship: in, fingerprint: fp,
		next: now.Add(sv.collect), nextStatus: canonical.ShipmentShipped,
	}
	s.parcels[number] = p
	s.booked = append(s.booked, p)
	s.byTracking[tn] = p
	s.byLabel[labelID] = p
	s.account.Purchased++
	s.account.Spent, _ = s.account.Spent.Add(cost) // one currency throughout
	s.log.Append(number, connector.Upsert, cloneShipment(in))
	return connector.Result{Action: connector.Created, Ref: s.ref(p)}, nil
}

// cancel voids the label of shipment number. Callers hold s.mu.
func (s *Sim) cancel(number string, target *canonical.ExternalRef) (connector.Result, error) {
	p := s.parcels[number]
	if p == nil && target != nil && target.System == s.cfg.System {
		p = s.byTracking[target.ID]
	}
	if p == nil {
		return connector.Result{Action: connector.Unchanged, Ref: canonical.ExternalRef{System: s.cfg.System}}, nil
	}
	if p.ship.Label.Voided {
		return connector.Result{Action: connector.Unchanged, Ref: s.ref(p)}, nil
	}
	if err := s.void(p, "shipments.delete"); err != nil {
		return connector.Result{}, err
	}
	return connector.Result{Action: connector.Deleted, Ref: s.ref(p)}, nil
}

// newTrackingNumber returns an unused "JN" + 10 digits. Callers hold s.mu.
func (s *Sim) newTrackingNumber() string {
	for {
		tn := fmt.Sprintf("JN%010d", s.env.IntN(10_000_000_000))
		if _, taken := s.byTracking[tn]; !taken {
			return tn
		}
	}
}

func (s *Sim) businessRule(op, format string, args ...any) error {
	err := connector.Errorf(connector.BusinessRule, s.cfg.System, format, args...)
	err.Op, err.Status = op, 409
	return err
}

// carrierFields returns in with the fields the carrier owns taken from held.
func (s *Sim) carrierFields(in, held canonical.Shipment) canonical.Shipment {
	in.Status = held.Status
	in.Carrier = held.Carrier
	in.Service = held.Service
	in.TrackingNumber = held.TrackingNumber
	in.TrackingURL = held.TrackingURL
	in.Label = held.Label
	in.Events = held.Events
	in.Problems = nil
	in.ShippedAt = held.ShippedAt
	in.UpdatedAt = held.UpdatedAt
	in.Refs = held.Refs
	return in
}

// shipperView renders the fields the shipper owns, to tell an update from a
// repeat.
func shipperView(sh canonical.Shipment) string {
	sh.Status, sh.Carrier, sh.TrackingNumber, sh.TrackingURL = "", "", "", ""
	sh.Label, sh.Events, sh.Problems = nil, nil, nil
	sh.ShippedAt, sh.UpdatedAt = time.Time{}, time.Time{}
	sh.Refs = nil
	b, _ := json.Marshal(sh)
	return string(b)
}

// fingerprint renders what a label is bought for: the addresses, the
// service and the parcel, with numbers compared by value.
func fingerprint(sh canonical.Shipment) string {
	type line struct {
		SKU, Qty, Unit string
	}
	v := struct {
		ShipTo   canonical.Address
		ShipFrom string
		Service  string
		Weight   string
		Lines    []line
	}{ShipTo: sh.ShipTo, ShipFrom: sh.ShipFrom, Service: sh.Service}
	v.ShipTo.Country = strings.ToUpper(strings.TrimSpace(v.ShipTo.Country))
	v.ShipTo.Validation = ""
	if sh.Weight != nil {
		v.Weight = sh.Weight.Value.Trim(0).String() + " " + string(sh.Weight.Unit)
	}
	for _, l := range sh.Lines {
		v.Lines = append(v.Lines, line{SKU: l.SKU, Qty: l.Quantity.Value.Trim(0).String(), Unit: string(l.Quantity.Unit)})
	}
	b, _ := json.Marshal(v)
	return string(b)
}
