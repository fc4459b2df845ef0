package shopify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

// The connector passes the conformance suite against the fake over real
// HTTP. Small pages (LinesPerOrder and a small MaxQueryCost) make the
// sources page several times within one check.

func TestOrdersConformance(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{Limits: PlanLimits{MaxQueryCost: 250}})
	e.product(t, "SKU-C", "10.00")
	connectortest.Run(t, connectortest.Harness[canonical.SalesOrder]{
		System:  DefaultSystem,
		Source:  e.shop.Orders(),
		Records: 7,
		Create: func(ctx context.Context, n int) ([]string, error) {
			keys := make([]string, n)
			for i := range keys {
				o, err := e.srv.AddOrder(shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "SKU-C", Quantity: i + 1}}})
				if err != nil {
					return nil, err
				}
				keys[i] = o.Name
			}
			e.settle()
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			defer e.settle()
			return e.srv.TouchOrder(key, "amended")
		},
		Missing: "#999999",
	})
}

func TestCustomersConformance(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{Limits: PlanLimits{MaxQueryCost: 14}})
	connectortest.Run(t, connectortest.Harness[canonical.Customer]{
		System:  DefaultSystem,
		Source:  e.shop.Customers(),
		Records: 7,
		Create: func(ctx context.Context, n int) ([]string, error) {
			keys := make([]string, n)
			for i := range keys {
				keys[i] = e.srv.AddCustomer(shopifytest.CustomerInput{FirstName: "C", LastName: strconv.Itoa(i), Email: fmt.Sprintf("c%d@example.com", i)})
			}
			e.settle()
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			defer e.settle()
			return e.srv.UpdateCustomer(key, "changed@example.com")
		},
	})
}

func TestProductsConformance(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	n := 0
	connectortest.Run(t, connectortest.Harness[canonical.Product]{
		System: DefaultSystem,
		Source: e.shop.Products(),
		Create: func(ctx context.Context, k int) ([]string, error) {
			keys := make([]string, k)
			for i := range keys {
				n++
				p, err := e.srv.AddProduct(shopifytest.ProductInput{Title: "P", Variants: []shopifytest.VariantInput{{SKU: fmt.Sprintf("P-%d-A", n), Price: "1.00"}, {SKU: fmt.Sprintf("P-%d-B", n), Price: "2.00"}}})
				if err != nil {
					return nil, err
				}
				keys[i] = p.ID
			}
			e.settle()
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			defer e.settle()
			return e.srv.UpdateProduct(key, "renamed")
		},
	})
}

func TestRefundsConformance(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	e.product(t, "SKU-R", "10.00")
	connectortest.Run(t, connectortest.Harness[canonical.Refund]{
		System: DefaultSystem,
		Source: e.shop.Refunds(),
		Create: func(ctx context.Context, n int) ([]string, error) {
			var keys []string
			for len(keys) < n {
				o, err := e.srv.AddOrder(shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "SKU-R", Quantity: 3}}})
				if err != nil {
					return nil, err
				}
				// Two refunds on most orders, so resuming inside an order is tested.
				for j := 0; j < 2 && len(keys) < n; j++ {
					id, err := e.srv.RefundOrder(o.Name, shopifytest.RefundInput{Lines: []shopifytest.RefundLineInput{{LineItemID: o.Lines[0].ID, Quantity: 1}}})
					if err != nil {
						return nil, err
					}
					keys = append(keys, id)
				}
				// Refunds come in the order their orders were last updated.
				e.clock.Advance(10 * time.Second)
			}
			e.settle()
			return keys, nil
		},
	})
}

// inventoryHarness writes stock levels for SKUs named after the suite's
// keys; Entity makes the product on first use.
func TestInventoryConformance(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	loc := shopifytest.DefaultLocation
	connectortest.Run(t, connectortest.Harness[canonical.StockLevel]{
		System: DefaultSystem,
		Sink:   e.shop.Inventory(),
		Entity: func(key string, rev int) canonical.StockLevel {
			if _, ok := e.srv.Inventory(key, loc); !ok {
				if _, err := e.srv.AddProduct(shopifytest.ProductInput{Title: key, Variants: []shopifytest.VariantInput{{SKU: key, Price: "1"}}}); err != nil {
					t.Errorf("add product %s: %v", key, err)
				}
			}
			q := canonical.Qty(int64(rev*10), canonical.UnitOne)
			return canonical.StockLevel{SKU: key, Location: loc, OnHand: q, Available: q, AsOf: epoch, Sequence: int64(rev)}
		},
		Count: func(ctx context.Context, key string) (int, error) {
			if l, ok := e.srv.Inventory(key, loc); ok && l.Set {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(ctx context.Context, key string) (int, error) {
			l, _ := e.srv.Inventory(key, loc)
			return l.Available / 10, nil
		},
		Invalid: func(key string) canonical.StockLevel {
			return canonical.StockLevel{SKU: key, Location: loc, AsOf: epoch}
		},
	})
}

func TestFulfillmentsConformance(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	e.product(t, "SKU-F", "10.00")
	orders := map[string]shopifytest.Order{}
	orderFor := func(key string) shopifytest.Order {
		if o, ok := orders[key]; ok {
			return o
		}
		o, err := e.srv.AddOrder(shopifytest.OrderInput{Name: "#" + key, Lines: []shopifytest.LineInput{{SKU: "SKU-F", Quantity: 5}}})
		if err != nil {
			t.Fatalf("add order for %s: %v", key, err)
		}
		orders[key] = o
		return o
	}
	for _, k := range []string{"idempotent", "update", "stale", "invalid", "conflict", "delete", "cancel", "batch-1", "batch-2", "batch-3"} {
		orderFor("conformance-" + k)
	}
	for i := range 8 {
		orderFor(fmt.Sprintf("conformance-concurrent-%d", i))
	}
	connectortest.Run(t, connectortest.Harness[canonical.Shipment]{
		System: DefaultSystem,
		Sink:   e.shop.Fulfillments(),
		Entity: func(key string, rev int) canonical.Shipment {
			o := orders[key]
			return canonical.Shipment{
				Number: key, Order: o.Name, Status: canonical.ShipmentShipped, Carrier: "DHL",
				TrackingNumber: fmt.Sprintf("TRK-%d", rev), ShipTo: canonical.Address{Country: "GB"},
				Lines: []canonical.ShipmentLine{{LineID: "1", OrderLine: canonical.LineRef{Document: o.Name, LineID: o.Lines[0].ID}, SKU: "SKU-F", Quantity: canonical.Qty(2, canonical.UnitOne)}},
			}
		},
		Count: func(ctx context.Context, key string) (int, error) {
			o := orders[key]
			v, ok := e.srv.Metafield(o.Name, MetafieldNamespace, metafieldKey(key))
			if !ok {
				return 0, nil
			}
			rec, err := parseRecord(v)
			if err != nil {
				return 0, err
			}
			n := 0
			for _, f := range e.srv.Fulfillments(o.Name) {
				if f.ID == rec.Fulfillment && f.Status != "CANCELLED" {
					n++
				}
			}
			return n, nil
		},
		Revision: func(ctx context.Context, key string) (int, error) {
			fs := e.srv.Fulfillments(orders[key].Name)
			for _, f := range fs {
				if f.Status != "CANCELLED" && len(f.Tracking) > 0 {
					return strconv.Atoi(strings.TrimPrefix(f.Tracking[0].Number, "TRK-"))
				}
			}
			return 0, nil
		},
		Invalid: func(key string) canonical.Shipment {
			return canonical.Shipment{Number: key, Order: orders[key].Name, Status: canonical.ShipmentShipped}
		},
		Clock: e.clock,
	})
}
