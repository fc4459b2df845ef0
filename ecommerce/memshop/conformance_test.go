package memshop

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
)

func TestConformanceOrders(t *testing.T) {
	s := newTestShop(t, Config{})
	connectortest.Run(t, connectortest.Harness[canonical.SalesOrder]{
		System: "memshop",
		Source: s.Orders(),
		Create: func(ctx context.Context, n int) ([]string, error) {
			keys := make([]string, n)
			for i := range keys {
				o, err := s.PlaceOrder(order(s, NewLine("MUG", int64(i+1), eur("4.50"))))
				if err != nil {
					return nil, err
				}
				keys[i] = o.Number
			}
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			_, err := s.AmendOrder(key, func(o *canonical.SalesOrder) error {
				o.Lines = append(o.Lines, NewLine("CAP", 1, eur("9.00")))
				return nil
			})
			return err
		},
		Records: 7,
	})
}

func TestConformanceInventory(t *testing.T) {
	s := newTestShop(t, Config{})
	var mu sync.Mutex
	ensureProduct := func(sku string) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := s.Product(sku); !ok {
			if err := s.AddProduct(canonical.Product{SKU: sku, Name: sku}); err != nil {
				t.Errorf("AddProduct(%s): %v", sku, err)
			}
		}
	}
	levelFor := func(key string, rev int) canonical.StockLevel {
		ensureProduct(key)
		return canonical.StockLevel{
			SKU: key, Location: "main", OnHand: qty(int64(rev) * 10), Available: qty(int64(rev) * 10),
			AsOf: t0, Source: "conformance", Sequence: int64(rev),
		}
	}
	connectortest.Run(t, connectortest.Harness[canonical.StockLevel]{
		System: "memshop",
		Sink:   s.Inventory(),
		Entity: levelFor,
		Count: func(ctx context.Context, key string) (int, error) {
			if _, ok := s.Available(key, "main"); ok {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(ctx context.Context, key string) (int, error) {
			q, _ := s.Available(key, "main")
			units, _ := q.Value.Int64(0)
			return int(units / 10), nil
		},
		Invalid: func(key string) canonical.StockLevel {
			l := levelFor(key, 1)
			l.Location = "nowhere"
			return l
		},
	})
}

func TestConformanceFulfillments(t *testing.T) {
	s := newTestShop(t, Config{})
	var mu sync.Mutex
	orders := map[string]string{} // shipment key → order number
	orderFor := func(key string) string {
		mu.Lock()
		defer mu.Unlock()
		if n, ok := orders[key]; ok {
			return n
		}
		o, err := s.PlaceOrder(order(s, NewLine("MUG", 5, eur("4.50"))))
		if err != nil {
			t.Errorf("PlaceOrder: %v", err)
			return ""
		}
		orders[key] = o.Number
		return o.Number
	}
	shipmentFor := func(key string, rev int) canonical.Shipment {
		sh := ship(key, orderFor(key), "L1", rev)
		sh.TrackingNumber = fmt.Sprintf("%s/%d", key, rev)
		return sh
	}
	connectortest.Run(t, connectortest.Harness[canonical.Shipment]{
		System: "memshop",
		Sink:   s.Fulfillments(),
		Entity: shipmentFor,
		Count: func(ctx context.Context, key string) (int, error) {
			if sh, ok := s.Shipment(key); ok && sh.Status != canonical.ShipmentCancelled {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(ctx context.Context, key string) (int, error) {
			sh, _ := s.Shipment(key)
			_, rev, _ := strings.Cut(sh.TrackingNumber, "/")
			return strconv.Atoi(rev)
		},
		Invalid: func(key string) canonical.Shipment {
			sh := shipmentFor(key, 1)
			sh.Lines[0].OrderLine.LineID = "L99"
			return sh
		},
	})
}
