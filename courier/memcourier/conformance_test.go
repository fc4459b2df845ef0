package memcourier_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/courier/memcourier"
)

func TestConformance(t *testing.T) {
	clock := connectortest.NewClock(t0)
	s := memcourier.New(memcourier.Config{Seed: 1, Clock: clock})
	var (
		mu      sync.Mutex
		created int
	)
	entity := func(key string, rev int) canonical.Shipment {
		sh := shipment(key, 1)
		sh.Revision = rev
		return sh
	}
	connectortest.Run(t, connectortest.Harness[canonical.Shipment]{
		System: "memcourier",
		Clock:  clock,
		Source: s.Tracking(),
		Create: func(ctx context.Context, n int) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			keys := make([]string, n)
			for i := range keys {
				created++
				keys[i] = fmt.Sprintf("SRC-%d", created)
				w := connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{
					Key: keys[i], Entity: shipment(keys[i], 1),
				}}
				if _, err := s.Shipments().Apply(ctx, w); err != nil {
					return nil, err
				}
			}
			return keys, nil
		},
		// Collection is 6 hours after the label: every parcel booked since
		// the last update reports a new event.
		Update: func(ctx context.Context, key string) error { return s.Advance(ctx, 7*time.Hour) },

		Sink:   s.Shipments(),
		Entity: entity,
		Count: func(ctx context.Context, key string) (int, error) {
			if sh, ok := s.Shipment(key); ok && sh.Status != canonical.ShipmentCancelled {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(ctx context.Context, key string) (int, error) {
			sh, _ := s.Shipment(key)
			return sh.Revision, nil
		},
		Invalid: func(key string) canonical.Shipment {
			sh := entity(key, 1)
			sh.ShipTo.PostalCode = "not a postcode"
			return sh
		},
	})
}
