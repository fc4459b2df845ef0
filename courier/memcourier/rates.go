package memcourier

import (
	"context"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/courier"
)

// service is one service's prices and timings.
type service struct {
	name string
	// prices are in minor units (pence) for the bands: up to 2 kg (or 1–2
	// lines), up to 10 kg (3–5 lines), up to MaxWeightKG (6 or more lines).
	prices [3]int64
	days   int
	// Delays after the label: collection, arrival at the hub, out for
	// delivery, delivered.
	collect, hub, transit, deliver time.Duration
}

// services is the rate card, cheapest first.
var services = []service{
	{name: Standard, prices: [3]int64{450, 795, 1250}, days: 2,
		collect: 6 * time.Hour, hub: 6 * time.Hour, transit: 18 * time.Hour, deliver: 4 * time.Hour},
	{name: Express, prices: [3]int64{895, 1350, 2100}, days: 1,
		collect: 2 * time.Hour, hub: 2 * time.Hour, transit: 10 * time.Hour, deliver: 3 * time.Hour},
}

// After a failed delivery attempt the parcel goes back to the depot and out
// again the next day.
const (
	backToDepot = 2 * time.Hour
	redeliver   = 18 * time.Hour
)

func serviceNamed(name string) service {
	for _, sv := range services {
		if sv.name == name {
			return sv
		}
	}
	return services[0]
}

// price returns what a label of service sv costs in band.
func (s *Sim) price(sv service, band int) canonical.Money {
	d, _ := canonical.NewDecimal(sv.prices[band], 2) // scale 2 is always valid
	return canonical.Money{Amount: d, Currency: s.cfg.Currency}
}

// Quote prices sh with every service, cheapest first. The shipment needs a
// deliverable address and a parcel the carrier takes (weight, lines), as for
// a booking; its Service is ignored. Problems are refused with the
// connector.Invalid kind, as the Shipments sink does.
func (s *Sim) Quote(ctx context.Context, sh canonical.Shipment) ([]courier.Rate, error) {
	if err := s.env.Call(ctx, "rates.quote"); err != nil {
		return nil, err
	}
	spec, probs := check(sh, false)
	if len(probs) > 0 {
		return nil, s.refused("rates.quote", sh.Number, probs)
	}
	rates := make([]courier.Rate, 0, len(services))
	for _, sv := range services {
		rates = append(rates, courier.Rate{
			Carrier: s.cfg.Carrier, Service: sv.name, Price: s.price(sv, spec.band), Days: sv.days,
		})
	}
	return rates, nil
}
