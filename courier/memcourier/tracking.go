package memcourier

import (
	"context"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Advance moves the carrier's time forward by d and reports every tracking
// event that falls due, in time order, on the Tracking source. A standard
// parcel is collected 6 hours after its label, reaches the hub 6 hours
// later, goes out for delivery 18 hours after that and is delivered 4 hours
// later; express takes 2, 2, 10 and 3 hours. With Config.ExceptionRate a
// first delivery attempt may fail: an exception event, back at the depot 2
// hours later, out again 18 hours after that.
func (s *Sim) Advance(ctx context.Context, d time.Duration) error {
	if d < 0 {
		err := connector.Errorf(connector.Invalid, s.cfg.System, "cannot advance time by %v: the duration must not be negative", d)
		err.Fields = []canonical.FieldError{{Path: "d", Code: CodeNotPositive, Message: "must not be negative", Value: d.String()}}
		return err
	}
	if err := s.env.Call(ctx, "tracking.advance"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	s.progress()
	return nil
}

// Tick reports the tracking events that have fallen due by the carrier's
// current time, as Advance does, without moving time itself: use it when
// the clock moved (a fake clock in a test, or the system clock).
func (s *Sim) Tick(ctx context.Context) error {
	if err := s.env.Call(ctx, "tracking.tick"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.progress()
	return nil
}

// progress runs every due event, earliest first (ties in booking order).
// Callers hold s.mu.
func (s *Sim) progress() {
	now := s.now()
	for {
		var due *parcel
		for _, p := range s.booked {
			if p.nextStatus == "" || p.next.After(now) {
				continue
			}
			if due == nil || p.next.Before(due.next) {
				due = p
			}
		}
		if due == nil {
			return
		}
		s.step(due)
	}
}

// step records the parcel's next event and schedules the one after.
// Callers hold s.mu.
func (s *Sim) step(p *parcel) {
	sh := &p.ship
	sv := serviceNamed(sh.Service)
	at := p.next
	ev := canonical.TrackingEvent{At: at, Status: p.nextStatus}
	city := sh.ShipTo.City
	switch p.nextStatus {
	case canonical.ShipmentShipped:
		ev.Code, ev.Description, ev.Location = "PU", "Collected by "+s.cfg.Carrier, sh.ShipFrom
		sh.ShippedAt = at
	case canonical.ShipmentInTransit:
		ev.Code, ev.Description, ev.Location = "AH", "Arrived at the sorting hub", "Hub"
		if sh.Status == canonical.ShipmentException {
			ev.Code, ev.Description, ev.Location = "RD", "Back at the delivery depot", city
		}
	case canonical.ShipmentOutForDelivery:
		ev.Code, ev.Description, ev.Location = "OD", "Out for delivery", city
	case canonical.ShipmentDelivered:
		ev.Code, ev.Description, ev.Location = "DL", "Delivered", city
		if !p.hadException && s.env.Chance(s.cfg.ExceptionRate) {
			p.hadException = true
			ev.Status, ev.Code, ev.Description = canonical.ShipmentException, "NH", "Delivery attempted: nobody home, card left"
		}
	}
	if err := sh.Transition(ev.Status); err != nil {
		// The schedule only follows the canonical state machine; should it
		// ever leave it, stop tracking this parcel rather than corrupt it.
		p.nextStatus = ""
		return
	}
	sh.Events = append(sh.Events, ev)
	sh.UpdatedAt = at
	switch sh.Status {
	case canonical.ShipmentShipped:
		p.next, p.nextStatus = at.Add(sv.hub), canonical.ShipmentInTransit
	case canonical.ShipmentInTransit:
		wait := sv.transit
		if p.hadException {
			wait = redeliver
		}
		p.next, p.nextStatus = at.Add(wait), canonical.ShipmentOutForDelivery
	case canonical.ShipmentOutForDelivery:
		p.next, p.nextStatus = at.Add(sv.deliver), canonical.ShipmentDelivered
	case canonical.ShipmentException:
		p.next, p.nextStatus = at.Add(backToDepot), canonical.ShipmentInTransit
	default:
		p.nextStatus = ""
	}
	s.log.Append(sh.Number, connector.Upsert, cloneShipment(*sh))
}

// VoidLabel voids an unused label and refunds its cost: the shipment becomes
// cancelled and the Tracking source reports it as a Delete. Voiding a voided
// label again does nothing. A label the carrier has already collected is
// refused with the connector.BusinessRule kind; an unknown label is
// connector.NotFound.
func (s *Sim) VoidLabel(ctx context.Context, labelID string) error {
	if err := s.env.Call(ctx, "labels.void"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byLabel[labelID]
	if !ok {
		return connector.Errorf(connector.NotFound, s.cfg.System, "no label %q", labelID)
	}
	if p.ship.Label.Voided {
		return nil
	}
	return s.void(p, "labels.void")
}

// void voids p's label. Callers hold s.mu and check it is not voided yet.
func (s *Sim) void(p *parcel, op string) error {
	sh := &p.ship
	if sh.Status != canonical.ShipmentLabelCreated {
		return s.businessRule(op, "label %s of shipment %s is in use: the shipment is %s", sh.Label.ID, sh.Number, sh.Status)
	}
	sh.Label.Voided = true
	if err := sh.Transition(canonical.ShipmentCancelled); err != nil {
		sh.Label.Voided = false
		return s.businessRule(op, "cannot void label %s: %v", sh.Label.ID, err)
	}
	now := s.now()
	sh.Events = append(sh.Events, canonical.TrackingEvent{
		At: now, Status: canonical.ShipmentCancelled, Code: "VD", Description: "Label voided",
	})
	sh.UpdatedAt = now
	p.nextStatus = ""
	s.account.Voided++
	if sh.Label.Cost != nil {
		s.account.Refunded, _ = s.account.Refunded.Add(*sh.Label.Cost) // one currency throughout
	}
	s.log.Append(sh.Number, connector.Delete, cloneShipment(*sh))
	return nil
}

// Track returns the events of a tracking number so far, oldest first; an
// unknown tracking number is connector.NotFound.
func (s *Sim) Track(ctx context.Context, trackingNumber string) ([]canonical.TrackingEvent, error) {
	if err := s.env.Call(ctx, "tracking.get"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byTracking[trackingNumber]
	if !ok {
		return nil, connector.Errorf(connector.NotFound, s.cfg.System, "no shipment with tracking number %q", trackingNumber)
	}
	return append([]canonical.TrackingEvent(nil), p.ship.Events...), nil
}
