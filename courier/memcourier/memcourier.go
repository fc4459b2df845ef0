// Package memcourier is an in-memory carrier that behaves like a real one:
// it checks the ship-to address before it sells a label, prices labels from a
// rate table, refuses to void a label that is already in use, and reports
// tracking events (collected, in transit, out for delivery, delivered, and
// now and then a failed delivery attempt) as simulated time passes.
//
// It implements courier.Courier. Its Tracking source is a change log that,
// with faults switched on, delivers some events twice or out of order, as
// carriers' webhooks and feeds do; the Shipments sink is idempotent by the
// write's idempotency key and by the shipment number, so a retried booking
// never buys a second label.
//
// Time on the carrier's side is the clock's time plus whatever Advance added,
// so tests and examples can run days of deliveries in microseconds, with the
// system clock or a fake one. Random choices (tracking numbers, exceptions,
// injected faults) follow Config.Seed.
package memcourier

import (
	"sync"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/courier"
)

// Services the simulated carrier sells.
const (
	// Standard is the cheaper service, delivered in about a day and a half.
	Standard = "standard"
	// Express is the faster service, delivered the same or the next day.
	Express = "express"
)

// MaxWeightKG is the heaviest parcel the carrier takes, in kilograms.
const MaxWeightKG = 30

// Config configures a simulator. The zero value is usable.
type Config struct {
	// System names the simulator in refs and changes (default "memcourier").
	System string
	// Carrier is the carrier name set on booked shipments and on rates
	// (default "simpost").
	Carrier string
	// Seed drives every random choice: tracking numbers, exceptions, faults.
	Seed uint64
	// Clock is the time source; nil means the system clock.
	Clock connector.Clock
	// Faults injects latency, transient errors, rate limits and duplicated or
	// reordered tracking events.
	Faults sim.Faults
	// ExceptionRate is the chance, in [0, 1], that a shipment's first
	// delivery attempt fails with an exception event; the carrier tries
	// again the next day. Each shipment fails at most once.
	ExceptionRate float64
	// Currency is the currency labels are priced in (default GBP).
	Currency canonical.CurrencyCode
}

// Account is what the carrier has charged for labels.
type Account struct {
	// Purchased counts labels bought; Voided counts those voided since.
	Purchased, Voided int
	// Spent is the cost of every label bought; Refunded is what voids gave
	// back.
	Spent, Refunded canonical.Money
}

// Sim is the simulated carrier. It is safe for concurrent use.
type Sim struct {
	cfg Config
	env *sim.Env
	log *sim.Log[canonical.Shipment]

	mu         sync.Mutex
	offset     time.Duration      // simulated time added by Advance
	parcels    map[string]*parcel // by shipment number
	booked     []*parcel          // in booking order, for deterministic ticks
	byTracking map[string]*parcel
	byLabel    map[string]*parcel
	done       map[string]connector.Result  // by idempotency key
	versions   map[string]connector.Version // last applied write version, by shipment number
	labels     int
	account    Account
}

// parcel is one booked shipment and its tracking schedule.
type parcel struct {
	ship canonical.Shipment
	// fingerprint is what the label was bought for (address, service,
	// parcel); a write that changes it needs a new label.
	fingerprint string
	// next and nextStatus schedule the next tracking event; nextStatus is
	// empty when nothing more will happen.
	next         time.Time
	nextStatus   canonical.ShipmentStatus
	hadException bool
}

var _ courier.Courier = (*Sim)(nil)

// New returns an empty simulated carrier.
func New(cfg Config) *Sim {
	if cfg.System == "" {
		cfg.System = "memcourier"
	}
	if cfg.Carrier == "" {
		cfg.Carrier = "simpost"
	}
	if cfg.Currency == "" {
		cfg.Currency = "GBP"
	}
	env := sim.NewEnv(cfg.System, cfg.Seed, cfg.Clock)
	env.SetFaults(cfg.Faults)
	s := &Sim{
		cfg:        cfg,
		env:        env,
		log:        sim.NewLog[canonical.Shipment](env),
		parcels:    map[string]*parcel{},
		byTracking: map[string]*parcel{},
		byLabel:    map[string]*parcel{},
		done:       map[string]connector.Result{},
		versions:   map[string]connector.Version{},
	}
	s.account.Spent = canonical.Zero(cfg.Currency)
	s.account.Refunded = canonical.Zero(cfg.Currency)
	return s
}

// System returns the simulator's system name.
func (s *Sim) System() string { return s.cfg.System }

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f sim.Faults) { s.env.SetFaults(f) }

// Shipments books shipments and buys their labels; see courier.Courier. The
// sink is also a connector.Getter (by shipment number) and a
// connector.Deleter: a Delete voids the label.
func (s *Sim) Shipments() connector.Sink[canonical.Shipment] { return shipmentSink{s} }

// Tracking yields a new version of a shipment for every tracking event: the
// label, each scan, an exception, the delivery, and a void (as a Delete).
// Keys are shipment numbers. It is also a connector.Getter.
func (s *Sim) Tracking() connector.Source[canonical.Shipment] { return s.log }

// Shipment returns the booked shipment with number, as the carrier holds it.
func (s *Sim) Shipment(number string) (canonical.Shipment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.parcels[number]
	if !ok {
		return canonical.Shipment{}, false
	}
	return cloneShipment(p.ship), true
}

// Account returns what the carrier has charged and refunded so far.
func (s *Sim) Account() Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.account
}

// Now returns the carrier's current time: the clock's time plus every
// duration passed to Advance.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Sim) now() time.Time { return s.env.Clock.Now().Add(s.offset) }

// ref is the carrier's ref for a shipment: its tracking number.
func (s *Sim) ref(p *parcel) canonical.ExternalRef {
	return canonical.ExternalRef{System: s.cfg.System, ID: p.ship.TrackingNumber}
}

// cloneShipment copies sh deeply enough that neither copy's slices or
// pointers reach into the other.
func cloneShipment(sh canonical.Shipment) canonical.Shipment {
	out := sh
	out.Refs = append([]canonical.ExternalRef(nil), sh.Refs...)
	out.ShipTo.Lines = append([]string(nil), sh.ShipTo.Lines...)
	out.Lines = append([]canonical.ShipmentLine(nil), sh.Lines...)
	out.Events = append([]canonical.TrackingEvent(nil), sh.Events...)
	out.Problems = append([]canonical.ShippingProblem(nil), sh.Problems...)
	if sh.Label != nil {
		l := *sh.Label
		if l.Cost != nil {
			c := *l.Cost
			l.Cost = &c
		}
		out.Label = &l
	}
	if sh.Weight != nil {
		w := *sh.Weight
		out.Weight = &w
	}
	return out
}
